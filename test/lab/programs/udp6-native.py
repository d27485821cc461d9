# A native AF_INET6 UDP client to [TARGET]: the echo port, the whoami port, and a connected socket to a closed port.
# Prints JSON {"echo": the reply, "from": its sender, "who": the whoami word, "closed": "ECONNREFUSED" or "answered"}.
# argv: TARGET ECHO_PORT WHOAMI_PORT CLOSED_PORT
import json, socket, sys
target, echo_port, whoami, closed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"udp echo", (target, echo_port)); echo, frm = s.recvfrom(100)
s.sendto(b"?", (target, whoami)); who, _ = s.recvfrom(100)
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); c.settimeout(3)
c.connect((target, closed)); c.send(b"anyone?")
try:
    c.recv(100); refused = "answered"
except ConnectionRefusedError:
    refused = "ECONNREFUSED"
print(json.dumps({"echo": echo.decode(), "from": frm[0], "who": who.decode().split()[0], "closed": refused}))
