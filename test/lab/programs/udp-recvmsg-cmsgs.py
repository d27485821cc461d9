# An AF_INET UDP socket with IP_PKTINFO, IP_RECVTTL and IP_RECVTOS on: PAYLOAD to the echo port, recvmsg.
# Prints JSON {"data", "addr": the sender, "flags", "cmsgs": [{"level", "type", "len", and for the IPv4 ones "name"
# (IP_PKTINFO with "ifindex", "spec", "addr"; IP_TTL, IP_TOS with "value")}]}.
# argv: HOST ECHO_PORT PAYLOAD
import json, socket, struct, sys
IP_TOS, IP_TTL, IP_PKTINFO, IP_RECVTTL, IP_RECVTOS = 1, 2, 8, 12, 13  # not all in python's socket module
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
for opt in (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS):
    s.setsockopt(socket.IPPROTO_IP, opt, 1)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
data, anc, flags, addr = s.recvmsg(100, 256)
out = {"data": data.decode(), "addr": list(addr), "flags": flags, "cmsgs": []}
for level, typ, d in anc:
    c = {"level": level, "type": typ, "len": len(d)}
    if level == socket.IPPROTO_IP and typ == IP_PKTINFO:
        ifindex, spec, dst = struct.unpack("=i4s4s", d[:12])
        c.update(name="IP_PKTINFO", ifindex=ifindex, spec=socket.inet_ntoa(spec), addr=socket.inet_ntoa(dst))
    elif level == socket.IPPROTO_IP and typ == IP_TTL:
        c.update(name="IP_TTL", value=struct.unpack("=i", d[:4])[0])
    elif level == socket.IPPROTO_IP and typ == IP_TOS:
        c.update(name="IP_TOS", value=d[0])
    out["cmsgs"].append(c)
print(json.dumps(out))
