# Looks NAME up (AF_INET), then waits for one TCP connection and one datagram on the same port (0.0.0.0) and
# answers the datagram "back". Prints "ready PORT", then JSON {"ip": NAME's address, "accepted": accept's address,
# "from": recvfrom's, "data": the datagram, "name": getnameinfo NI_NAMEREQD of the accepted address}.
# argv: NAME
import json, socket, sys
ip = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(("0.0.0.0", 0)); t.listen(1); t.settimeout(10)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", t.getsockname()[1])); u.settimeout(10)
print("ready", t.getsockname()[1], flush=True)
c, peer = t.accept()
data, frm = u.recvfrom(100)
u.sendto(b"back", frm)
print(json.dumps({"ip": ip, "accepted": peer[0], "from": frm[0], "data": data.decode(),
    "name": socket.getnameinfo((peer[0], 0), socket.NI_NAMEREQD)[0]}), flush=True)
