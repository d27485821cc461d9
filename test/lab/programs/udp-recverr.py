# A closed port: recv on a connected AF_INET UDP socket after a send, then IP_RECVERR on another and the error queue.
# Prints JSON {"refused": "ECONNREFUSED", "received" or "timeout", "addr": the error queue's address, "errs": the
# IP_RECVERR messages (errno, origin, type, code, family, offender)}.
# argv: HOST CLOSED_PORT
import json, socket, struct, select, sys
IP_RECVERR, MSG_ERRQUEUE = 11, 0x2000
host, closed = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.connect((host, closed))
s.send(b"x")
try:
    s.recv(100); refused = "received"
except ConnectionRefusedError:
    refused = "ECONNREFUSED"
except socket.timeout:
    refused = "timeout"
e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
e.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
e.connect((host, closed))
e.send(b"x")
select.select([], [], [e], 5)
data, anc, flags, addr = e.recvmsg(100, 256, MSG_ERRQUEUE)
errs = []
for level, typ, d in anc:
    if level == socket.IPPROTO_IP and typ == IP_RECVERR:
        eno, origin, typ_, code = struct.unpack("=IBBB", d[:7])
        fam, port, a = struct.unpack("=HH4s", d[16:24])
        errs.append({"errno": eno, "origin": origin, "type": typ_, "code": code, "family": fam,
                     "offender": socket.inet_ntoa(a)})
    else:
        errs.append({"level": level, "type": typ})
print(json.dumps({"refused": refused, "addr": list(addr), "errs": errs}))
