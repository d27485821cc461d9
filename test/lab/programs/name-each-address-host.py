# Every AF_INET address of NAME, each asked GET /host on port 80.
# Prints JSON {address: the /host body (the address the server answered on)}.
# argv: NAME
import json, socket, sys
ips = sorted({a[4][0] for a in socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM)})
hosts = {}
for ip in ips:
    s = socket.create_connection((ip, 80), timeout=5)
    s.sendall(b"GET /host HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        d = s.recv(4096)
        if not d: break
        data += d
    hosts[ip] = data.split(b"\r\n\r\n", 1)[1].decode().strip()
print(json.dumps(hosts))
