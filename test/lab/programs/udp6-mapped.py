# An AF_INET6 UDP socket to [MAPPED] (a ::ffff: address): sendto/recvfrom on the echo and whoami ports, then a
# connected socket: send/recv and getpeername. Prints JSON {"data", "from", "who", "from2", "back", "peer"}.
# argv: MAPPED ECHO_PORT WHOAMI_PORT
import json, socket, sys
mapped, echo, whoami = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"hello", (mapped, echo)); data, frm = s.recvfrom(100)
s.sendto(b"?", (mapped, whoami)); who, frm2 = s.recvfrom(100)
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); c.settimeout(3)
c.connect((mapped, echo)); c.send(b"connected"); back = c.recv(100).decode()
print(json.dumps({"data": data.decode(), "from": frm, "who": who.decode().split()[0], "from2": frm2,
                  "back": back, "peer": c.getpeername()}))
