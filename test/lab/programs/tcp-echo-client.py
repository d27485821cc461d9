# A blocking AF_INET TCP connect to the echo port, "ping\n" sent and read back.
# Prints JSON {"peer": getpeername, "sock": getsockname, "echo": the reply}.
# argv: HOST ECHO_PORT
import json, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
s.connect((sys.argv[1], int(sys.argv[2])))
s.sendall(b"ping\n")
echo = s.recv(100).decode()
print(json.dumps({"peer": s.getpeername(), "sock": s.getsockname(), "echo": echo}))
