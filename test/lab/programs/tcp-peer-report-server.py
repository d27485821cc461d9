# An IPv4-only HTTP server (AF_INET, bound to BIND, port 0): each request is answered with JSON of what it saw of
# the client {"accept": accept's address, "getpeername", "family": the socket's, "domain": SO_DOMAIN}.
# Prints "ready PORT" first; runs until stopped.
# argv: BIND
import json, socket, sys
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], 0)); srv.listen(8)
print("ready", srv.getsockname()[1], flush=True)
while True:
    c, peer = srv.accept()
    c.recv(4096)
    body = json.dumps({"accept": peer[0], "getpeername": c.getpeername()[0], "family": c.family.name,
                       "domain": c.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)}).encode()
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)); c.close()
