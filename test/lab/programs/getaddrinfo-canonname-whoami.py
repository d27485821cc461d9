# getaddrinfo(NAME, AF_INET, AI_CANONNAME), then GET /whoami from the first answer on port 80.
# Prints JSON [address, canonical name, the whoami body].
# argv: NAME
import json, socket, sys
import labhttp
r = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)[0]
s = socket.create_connection(r[4], timeout=5)
print(json.dumps([r[4][0], r[3], labhttp.get(s, "/whoami")]))
