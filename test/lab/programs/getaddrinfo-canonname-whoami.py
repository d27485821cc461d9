# getaddrinfo(NAME, AF_INET, AI_CANONNAME), then GET /whoami from the first answer on port 80.
# Prints JSON [address, canonical name, the whoami body].
# argv: NAME
import json, socket, sys
r = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)[0]
s = socket.create_connection(r[4], timeout=5)
s.sendall(b"GET /whoami HTTP/1.0\r\n\r\n")
data = b""
while True:
    d = s.recv(4096)
    if not d: break
    data += d
print(json.dumps([r[4][0], r[3], data.split(b"\r\n\r\n", 1)[1].decode().strip()]))
