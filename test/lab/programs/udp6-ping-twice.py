# An AF_INET6 UDP client sends "ping0" and "ping1" to [DST]:PORT, reading two answers after each.
# Prints JSON [the four answers].
# argv: DST PORT
import json, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(5)
got = []
for i in range(2):
    s.sendto(b"ping%d" % i, (sys.argv[1], int(sys.argv[2])))
    got += [s.recv(2048).decode(), s.recv(2048).decode()]
print(json.dumps(got))
