# AF_INET TCP to NAME port 80 (the A record), GET /whoami.
# Prints JSON {"peer": getpeername, "seen": the body (the address the server saw)}.
# argv: NAME
import json, socket, sys
import labhttp
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
s.connect((sys.argv[1], 80))
seen = labhttp.get(s, "/whoami", b"Host: x\r\n")
print(json.dumps({"peer": s.getpeername(), "seen": seen}))
