# AF_INET UDP to NAME (getaddrinfo AF_INET): sendto/recvfrom on the echo port, then a connected socket to whoami.
# Prints JSON {"ip": the address NAME gave, "echo": [reply, sender], "peer": getpeername, "whoami": first word}.
# argv: ECHO_PORT WHOAMI_PORT NAME
import json, socket, sys
echo, whoami, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ip = socket.getaddrinfo(name, echo, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"ping", (ip, echo))
data, frm = s.recvfrom(100)
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(3)
c.connect((ip, whoami)); c.send(b"?")
seen = c.recv(100).decode().split()[0]
print(json.dumps({"ip": ip, "echo": [data.decode(), list(frm)], "peer": list(c.getpeername()), "whoami": seen}))
