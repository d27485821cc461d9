# A closed port, connected to blocking (connect_ex) and non-blocking (select, then SO_ERROR).
# Prints JSON [errno name blocking, errno name non-blocking].
# argv: HOST CLOSED_PORT
import errno, json, select, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.settimeout(5)
a = errno.errorcode[s.connect_ex((host, port))]
t = socket.socket(); t.setblocking(False)
t.connect_ex((host, port))
select.select([], [t], [], 5)
b = errno.errorcode[t.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)]
print(json.dumps([a, b]))
