# NAME's AF_INET address, then the reverse lookups of it and NAME looked up again.
# Prints JSON {"ip", "byaddr": gethostbyaddr, "nameinfo": getnameinfo NI_NAMEREQD, "again": gethostbyname,
# "ex": gethostbyname_ex's addresses}.
# argv: NAME
import json, socket, sys
ip = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
print(json.dumps({"ip": ip, "byaddr": socket.gethostbyaddr(ip)[0],
    "nameinfo": socket.getnameinfo((ip, 80), socket.NI_NAMEREQD),
    "again": socket.gethostbyname(sys.argv[1]), "ex": socket.gethostbyname_ex(sys.argv[1])[2]}))
