# Connects to the echo port before fork(), in the child, and in the parent after the child.
# Prints JSON [peer address first, in the child, in the parent after].
# argv: HOST ECHO_PORT
import json, os, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
def peer():
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"x"); s.recv(1); p = s.getpeername()[0]; s.close(); return p
first = peer()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(w, peer().encode()); os._exit(0)
os.waitpid(pid, 0)
print(json.dumps([first, os.read(r, 100).decode(), peer()]))
