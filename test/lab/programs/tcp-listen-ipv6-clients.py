# AF_INET listeners bound to 0.0.0.0 and to 127.0.0.1, each connected to twice from ::1 over AF_INET6.
# Prints JSON {bind address: [[accept's address, getpeername, family] or the errno name, per attempt]}.
import errno, json, socket
out = {}
for bind_to in ("0.0.0.0", "127.0.0.1"):
    srv = socket.socket(); srv.bind((bind_to, 0)); srv.listen(4); port = srv.getsockname()[1]
    seen = []
    for _ in range(2):
        c = socket.socket(socket.AF_INET6); c.settimeout(5)
        try:
            c.connect(("::1", port)); a, peer = srv.accept(); seen.append([peer[0], a.getpeername()[0], a.family.name])
        except OSError as e:
            seen.append(errno.errorcode.get(e.errno, str(e.errno)))
    out[bind_to] = seen
print(json.dumps(out))
