# IP_TOS 0x10 and IP_TTL 33 set before connect to the whoami port; then a socket bound to 0.0.0.0:0 connects.
# Prints JSON {"opts": [IP_TOS, IP_TTL] read back, "seen": what the server saw, "bseen": what it saw of the bound
# socket, "same_port": the bound port is the source port the server saw}.
# argv: HOST WHOAMI_PORT
import json, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.settimeout(5)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x10); s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 33)
s.connect((host, port))
seen = s.recv(100).decode().split()[0]
opts = [s.getsockopt(socket.IPPROTO_IP, socket.IP_TOS), s.getsockopt(socket.IPPROTO_IP, socket.IP_TTL)]
b = socket.socket(); b.settimeout(5); b.bind(("0.0.0.0", 0)); bport = b.getsockname()[1]
b.connect((host, port))
bseen = b.recv(100).decode().split()
print(json.dumps({"opts": opts, "seen": seen, "bseen": bseen[0], "same_port": int(bseen[1]) == bport and b.getsockname()[1] == bport}))
