# AF_INET getaddrinfo of NAME with several services, socket types and flags.
# Prints JSON {"shapes": per call [[family, type, protocol, canonical name, port]...], "addresses": sorted addresses}.
# argv: NAME
import json, socket, sys
calls = [(None, 0, 0), ("http", 0, 0), (80, socket.SOCK_STREAM, 0), ("domain", socket.SOCK_DGRAM, 0),
         (9000, 0, socket.AI_CANONNAME), ("7", 0, socket.AI_NUMERICSERV), (None, socket.SOCK_RAW, 0)]
out = []
for service, kind, flags in calls:
    r = socket.getaddrinfo(sys.argv[1], service, socket.AF_INET, kind, 0, flags)
    out.append([[a[0].name, a[1].name, a[2], a[3], a[4][1]] for a in r])
print(json.dumps({"shapes": out, "addresses": sorted({a[4][0] for a in socket.getaddrinfo(sys.argv[1], None, socket.AF_INET)})}))
