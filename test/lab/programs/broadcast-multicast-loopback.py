# Broadcast to 192.0.2.255 and multicast to 239.1.2.3 (on 192.0.2.2, IP_MULTICAST_LOOP), each sent to a receiver in
# this process; a send to 255.255.255.255. Prints JSON {"broadcast": [data, sender] or errno name, "multicast": the
# same, "limited": sendto's return or errno name}.
import errno, json, socket, struct
out = {}
def attempt(name, f):
    try:
        out[name] = f()
    except OSError as e:
        out[name] = errno.errorcode.get(e.errno, e.errno)
def broadcast():
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.settimeout(2); r.bind(("0.0.0.0", 0))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.sendto(b"bcast", ("192.0.2.255", r.getsockname()[1]))
    data, frm = r.recvfrom(100)
    return [data.decode(), frm[0]]
def multicast():
    group = "239.1.2.3"
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.settimeout(2)
    r.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); r.bind(("0.0.0.0", 0))
    r.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("192.0.2.2")))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("192.0.2.2"))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    s.sendto(b"mcast", (group, r.getsockname()[1]))
    data, frm = r.recvfrom(100)
    return [data.decode(), frm[0]]
def limited():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    return s.sendto(b"x", ("255.255.255.255", 9))
attempt("broadcast", broadcast); attempt("multicast", multicast); attempt("limited", limited)
print(json.dumps(out))
