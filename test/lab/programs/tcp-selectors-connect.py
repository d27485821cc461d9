# selectors: a non-blocking AF_INET socket registered for writing before connect() to the whoami port, then read.
# Prints JSON {"selector": its class, "fired": data of the write events, "err": SO_ERROR, "seen": the first word the
# server sent (the address it saw)}.
# argv: HOST WHOAMI_PORT
import json, selectors, socket, sys
sel = selectors.DefaultSelector()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setblocking(False)
sel.register(s, selectors.EVENT_WRITE, "conn")
s.connect_ex((sys.argv[1], int(sys.argv[2])))
events = sel.select(timeout=5)
ok = [k.data for k, ev in events if ev & selectors.EVENT_WRITE]
sel.modify(s, selectors.EVENT_READ, "read")
data = b""
for _ in range(50):
    if not sel.select(timeout=5): break
    chunk = s.recv(100)
    if not chunk: break
    data += chunk
print(json.dumps({"selector": type(sel).__name__, "fired": ok, "err": s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), "seen": data.decode().split()[0]}))
