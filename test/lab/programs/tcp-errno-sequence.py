# The same connect steps on sockets of FAMILY (AF_INET or AF_INET6): a closed port then an open one on one socket,
# with a timeout and blocking; then non-blocking: connect, select, connect twice more.
# Prints JSON [the errno name (or 0) of each connect_ex].
# argv: FAMILY HOST CLOSED_PORT WHOAMI_PORT ECHO_PORT
import errno, json, select, socket, sys
family, host = getattr(socket, sys.argv[1]), sys.argv[2]
closed, whoami, echo = (int(p) for p in sys.argv[3:6])
def e(x): return errno.errorcode.get(x, x)
out = []
for timeout in (5, None):
    s = socket.socket(family); s.settimeout(timeout)
    out += [e(s.connect_ex((host, closed))), e(s.connect_ex((host, whoami)))]
    s.close()
s = socket.socket(family); s.setblocking(False)
out += [e(s.connect_ex((host, echo)))]
select.select([], [s], [], 5)
out += [e(s.connect_ex((host, echo))), e(s.connect_ex((host, echo)))]
print(json.dumps(out))
