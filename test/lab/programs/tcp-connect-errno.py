# A TCP connect to HOST PORT (IPv4 or IPv6 literal, 3 s timeout).
# Prints "connected", or the errno name of the failure (ENETUNREACH, ECONNREFUSED, ...). Exits 0.
# argv: HOST PORT
import errno, socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3); print("connected")
except OSError as e:
    print(errno.errorcode[e.errno])
