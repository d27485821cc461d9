# getaddrinfo(NAME, 80, AF_INET, 0, 0, AI_ADDRCONFIG), then connect to the first answer and GET /whoami.
# Prints JSON {"addrs": sorted addresses, "peer": getpeername, "whoami": the body}, or {"error": EAI_ name}. Exits 0.
# argv: NAME
import json, socket, sys
import labhttp
EAI = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}
try:
    r = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, 0, 0, socket.AI_ADDRCONFIG)
except socket.gaierror as e:
    print(json.dumps({"error": EAI.get(e.errno, e.errno)})); sys.exit(0)
addrs = sorted({a[4][0] for a in r})
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(5)
s.connect((addrs[0], 80))
whoami = labhttp.get(s, "/whoami")
print(json.dumps({"addrs": addrs, "peer": list(s.getpeername()), "whoami": whoami}))
