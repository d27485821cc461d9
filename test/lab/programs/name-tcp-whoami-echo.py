# AF_INET TCP to NAME (getaddrinfo AF_INET): the whoami port, then 100000 bytes through the echo port.
# Prints JSON {"family", "peer": getpeername of the whoami connection, "whoami": the first word it sent,
# "echo": whether all bytes came back, "standin": the address NAME gave}.
# argv: WHOAMI_PORT ECHO_PORT NAME
import json, socket, sys
whoami, echo, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = {}
[(f, t, p, c, sa)] = socket.getaddrinfo(name, whoami, socket.AF_INET, socket.SOCK_STREAM)
out["family"] = f.name
s = socket.create_connection(sa, timeout=5)
out["peer"] = list(s.getpeername()); out["whoami"] = s.recv(200).decode().split()[0]
e = socket.socket(socket.AF_INET, socket.SOCK_STREAM); e.settimeout(5)
e.connect((sa[0], echo)); e.sendall(b"x" * 100000)
got = b""
while len(got) < 100000:
    d = e.recv(65536)
    if not d: break
    got += d
out["echo"] = got == b"x" * 100000
out["standin"] = sa[0]
print(json.dumps(out))
