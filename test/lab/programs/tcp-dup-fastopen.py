# A connected socket dup()ed (its family and getpeername), and GET /whoami on port 80 sent with sendto MSG_FASTOPEN.
# Prints JSON {"dup": [family, getpeername] of the duplicate, "tfo": the last line of the HTTP answer}.
# argv: HOST ECHO_PORT
import json, os, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.settimeout(5); s.connect((host, port))
d = socket.socket(fileno=os.dup(s.fileno()))
f = socket.socket()
f.sendto(b"GET /whoami HTTP/1.0\r\n\r\n", socket.MSG_FASTOPEN, (host, 80))
f.settimeout(5)
body = b""
while True:
    c = f.recv(1000)
    if not c: break
    body += c
print(json.dumps({"dup": [d.family.name, d.getpeername()], "tfo": body.decode().split("\r\n")[-1].strip()}))
