# An AF_INET UDP server on 0.0.0.0 (port 0): each datagram is answered "to PEER DATA" with sendto, then "again" with
# sendmsg, both to the sender. Prints "ready PORT" first; runs until stopped.
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 0))
print("ready", s.getsockname()[1], flush=True)
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"to " + peer[0].encode() + b" " + data, peer)
    s.sendmsg([b"again"], [], 0, peer)
