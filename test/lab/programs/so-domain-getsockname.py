# An AF_INET TCP and an AF_INET UDP socket connected to HOST PORT.
# Prints JSON {"SOCK_STREAM"|"SOCK_DGRAM": [SO_DOMAIN, family name, getsockname address, getsockname port > 0]}.
# argv: HOST PORT
import json, socket, sys
out = {}
for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(5); s.connect((sys.argv[1], int(sys.argv[2])))
    out[kind.name] = [s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN), s.family.name, s.getsockname()[0], s.getsockname()[1] > 0]
print(json.dumps(out))
