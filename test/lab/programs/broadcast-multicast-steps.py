# Step by step, each step's outcome kept ("ok" or the errno number): a subnet broadcast without SO_BROADCAST, with it
# to 192.0.2.255 and to 255.255.255.255 (and who the receiver heard from), joining 239.1.2.3 on ME, the multicast
# options and a send to the group (and what arrived). Prints JSON {step: outcome, "STEP-from": [data, sender] or
# "timeout"}.
# argv: [ME] (this host's IPv4 address; 0.0.0.0 when not given)
import json, socket, sys
out = {}
def attempt(name, fn):
    try:
        fn(); out[name] = "ok"
    except OSError as e:
        out[name] = e.errno
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("", 0)); r.settimeout(2); port = r.getsockname()[1]
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt("subnet-no-SO_BROADCAST", lambda: b.sendto(b"n", ("192.0.2.255", port)))
b.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for name, dst in (("subnet", "192.0.2.255"), ("limited", "255.255.255.255")):
    attempt(name, lambda: b.sendto(name.encode(), (dst, port)))
    if out[name] == "ok":
        try:
            data, addr = r.recvfrom(100); out[name + "-from"] = [data.decode(), addr[0]]
        except socket.timeout:
            out[name + "-from"] = "timeout"
m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
m.bind(("", 0)); m.settimeout(2); mport = m.getsockname()[1]
me = sys.argv[1] if len(sys.argv) > 1 else "0.0.0.0"
mreq = socket.inet_aton("239.1.2.3") + socket.inet_aton(me)
attempt("join", lambda: m.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt("mcast-if", lambda: s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(me)))
attempt("mcast-ttl", lambda: s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1))
attempt("mcast-loop", lambda: s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1))
attempt("mcast-send", lambda: s.sendto(b"group", ("239.1.2.3", mport)))
if out["mcast-send"] == "ok" and out["join"] == "ok":
    try:
        data, addr = m.recvfrom(100); out["mcast-from"] = [data.decode(), addr[0]]
    except socket.timeout:
        out["mcast-from"] = "timeout"
print(json.dumps(out))
