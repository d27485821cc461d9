# The program's own AF_INET6 UDP socket with IPV6_MULTICAST_HOPS set to HOPS (255 is mDNS's): a datagram over ::1
# and back, then one to ::ffff:HOST's echo port. Prints JSON {"sock": getsockname's address, "from": the ::1
# reply's sender, "mapped": the echo's sender}.
# argv: HOPS HOST ECHO_PORT
import json, socket, sys
hops, host, echo = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
s.settimeout(5)
s.bind(("::", 0))
r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
r.bind(("::1", 0))
s.sendto(b"x", r.getsockname())
_, peer = r.recvfrom(10)
r.sendto(b"y", peer)
_, frm = s.recvfrom(10)
s.sendto(b"z", (f"::ffff:{host}", echo))
_, mapped = s.recvfrom(10)
print(json.dumps({"sock": s.getsockname()[0], "from": frm[0], "mapped": mapped[0]}))
