# An AF_INET UDP socket bound to 0.0.0.0:PORT asks the whoami port.
# Prints JSON {"who": [address, port] the server saw, "addr": the reply's sender, "name": getsockname}.
# argv: HOST WHOAMI_PORT PORT
import json, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.bind(("0.0.0.0", int(sys.argv[3])))
s.sendto(b"?", (sys.argv[1], int(sys.argv[2])))
who, addr = s.recvfrom(100)
print(json.dumps({"who": who.decode().split(), "addr": list(addr), "name": list(s.getsockname())}))
