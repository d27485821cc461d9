# AF_INET lookups of three names (the stand-in pool may run out), the first again, then GET /host from each stand-in.
# Prints JSON {"ips": {NAME: address or EAI_ name}, "again": the first name's address, "hosts": {NAME: /host body}}.
# argv: NAME1 NAME2 NAME3
import json, socket, sys
import labhttp
EAI = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}
out = {"ips": {}}
for name in sys.argv[1:4]:
    try:
        out["ips"][name] = socket.getaddrinfo(name, 80, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    except socket.gaierror as e:
        out["ips"][name] = EAI.get(e.errno, e.errno)
out["again"] = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
out["hosts"] = {}
for name, ip in out["ips"].items():
    if not ip.startswith("198."): continue
    s = socket.create_connection((ip, 80), timeout=5)
    out["hosts"][name] = labhttp.get(s, "/host")
print(json.dumps(out))
