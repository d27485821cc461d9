# AF_INET TCP to NAME port 80 (the A record), GET /whoami.
# Prints JSON {"peer": getpeername, "seen": the body (the address the server saw)}.
# argv: NAME
import json, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
s.connect((sys.argv[1], 80))
s.sendall(b"GET /whoami HTTP/1.0\r\nHost: x\r\n\r\n")
data = b""
while True:
    b = s.recv(4096)
    if not b: break
    data += b
print(json.dumps({"peer": s.getpeername(), "seen": data.split(b"\r\n\r\n", 1)[1].decode().strip()}))
