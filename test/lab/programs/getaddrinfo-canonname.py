# The canonical name getaddrinfo(NAME, AI_CANONNAME) gives for AF_UNSPEC and for AF_INET.
# Prints JSON [canonical name AF_UNSPEC, canonical name AF_INET].
# argv: NAME
import json, socket, sys
print(json.dumps([socket.getaddrinfo(sys.argv[1], 80, f, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)[0][3]
    for f in (socket.AF_UNSPEC, socket.AF_INET)]))
