# The first address getaddrinfo(NAME, 80, AF_UNSPEC) gives, without and with AI_ADDRCONFIG, for each NAME.
# Prints JSON [addresses, two per NAME].
# argv: NAME...
import json, socket, sys
print(json.dumps([socket.getaddrinfo(n, 80, 0, socket.SOCK_STREAM, 0, f)[0][4][0] for n in sys.argv[1:] for f in (0, socket.AI_ADDRCONFIG)]))
