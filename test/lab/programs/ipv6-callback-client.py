# From SRC (an IPv6 address of this host): a TCP connect to [DST]:PORT, then the datagram "hello" to it.
# Prints the datagram that comes back.
# argv: SRC DST PORT
import socket, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); t.bind((src, 0)); t.settimeout(5); t.connect((dst, port))
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind((src, 0)); u.settimeout(5)
u.sendto(b"hello", (dst, port))
print(u.recvfrom(100)[0].decode())
