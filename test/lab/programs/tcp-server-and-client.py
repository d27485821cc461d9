# An AF_INET server bound to BIND (port 0) and a client in the same process (a thread accepts): the client sends
# "abc" from 127.0.0.1, the server answers it in upper case.
# Prints JSON {"listen", "reply", "client_peer", "accepted_from", "server_sock"}.
# argv: BIND
import json, socket, sys, threading
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], 0)); srv.listen(4)
port = srv.getsockname()[1]
got = {}
def serve():
    c, peer = srv.accept()
    got["accepted_from"] = peer[0]; got["server_sock"] = c.getsockname()[0]
    c.sendall(c.recv(100).upper()); c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.create_connection(("127.0.0.1", port), timeout=5)
cl.sendall(b"abc"); reply = cl.recv(100).decode(); t.join(5)
print(json.dumps({"listen": srv.getsockname()[0], "reply": reply, "client_peer": cl.getpeername()[0], **got}))
