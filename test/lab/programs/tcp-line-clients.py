# For each HOST: a TCP connection to HOST:PORT sends "from HOST\n" and reads one line back.
# Prints JSON [the lines read].
# argv: PORT HOST...
import json, socket, sys
port = int(sys.argv[1])
out = []
for host in sys.argv[2:]:
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"from " + host.encode() + b"\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(100)
        if not chunk: break
        data += chunk
    out.append(data.decode()); s.close()
print(json.dumps(out))
