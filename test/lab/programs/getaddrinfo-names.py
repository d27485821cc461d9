# getaddrinfo(NAME, 80, FAMILY, SOCK_STREAM, 0, FLAGS) for each NAME.
# Prints one JSON object, NAME: sorted [family, address] pairs (the DNS rotates the order of records) or the EAI_
# name of the error. Exits 0.
# argv: FAMILY (AF_INET, AF_UNSPEC, ...) FLAGS (0 or a socket constant: AI_ADDRCONFIG) NAME...
import json, socket, sys
EAI = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}
family = getattr(socket, sys.argv[1])
flags = 0 if sys.argv[2] == "0" else getattr(socket, sys.argv[2])
out = {}
for name in sys.argv[3:]:
    try:
        r = socket.getaddrinfo(name, 80, family, socket.SOCK_STREAM, 0, flags)
        out[name] = sorted([a[0].name, a[4][0]] for a in r)
    except socket.gaierror as e:
        out[name] = EAI.get(e.errno, e.errno)
print(json.dumps(out))
