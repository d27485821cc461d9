# getaddrinfo(NAME, AF_INET, AI_ADDRCONFIG), timed inside the program.
# Prints JSON [the EAI_ name of the error or null, milliseconds].
# argv: NAME
import json, socket, sys, time
EAI = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}
t = time.monotonic()
try:
    socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG); error = None
except socket.gaierror as e:
    error = EAI.get(e.errno, e.errno)
print(json.dumps([error, (time.monotonic() - t) * 1000]))
