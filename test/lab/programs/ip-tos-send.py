# IP_TOS on the wire: a UDP datagram with setsockopt IP_TOS 0xb8, one with a sendmsg IP_TOS cmsg of 0x28, a TCP
# connect with setsockopt IP_TOS 0x48, all to HOST PORT. Prints the IP_TOS each socket reads back: "UDP TCP".
# argv: HOST PORT
import socket, struct, sys, time
dst = (sys.argv[1], int(sys.argv[2]))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xb8)
u.sendto(b"one", dst); time.sleep(0.2)
u.sendmsg([b"two"], [(socket.IPPROTO_IP, socket.IP_TOS, struct.pack("i", 0x28))], 0, dst); time.sleep(0.2)
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x48)
t.settimeout(5); t.connect(dst)
print(u.getsockopt(socket.IPPROTO_IP, socket.IP_TOS), t.getsockopt(socket.IPPROTO_IP, socket.IP_TOS))
