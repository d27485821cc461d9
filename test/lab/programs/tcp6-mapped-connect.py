# An AF_INET6 TCP socket (IPV6_V6ONLY as given) connects to [MAPPED]:PORT (a ::ffff: address); on the echo port it
# sends "mapped\n" first. Prints JSON {"got": what it read, "peer": getpeername, "sock": getsockname's length,
# "domain": SO_DOMAIN is AF_INET6}, or {"error": errno name}.
# argv: MAPPED PORT V6ONLY(0|1) ECHO_PORT
import errno, json, socket, sys
mapped, port, v6only, echo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only); s.settimeout(5)
try:
    s.connect((mapped, port))
except OSError as e:
    print(json.dumps({"error": errno.errorcode.get(e.errno, str(e.errno))})); raise SystemExit
if port == echo:
    s.sendall(b"mapped\n")
got = s.recv(100).decode()
print(json.dumps({"got": got, "peer": s.getpeername(), "sock": len(s.getsockname()),
                  "domain": s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_INET6}))
