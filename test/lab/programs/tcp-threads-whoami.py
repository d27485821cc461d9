# COUNT threads connect to the whoami port at once.
# Prints JSON [the address the server saw, one per connection that finished].
# argv: HOST WHOAMI_PORT COUNT
import json, socket, sys, threading
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen = []
def one():
    s = socket.create_connection((host, port), timeout=5)
    seen.append(s.recv(100).decode().split()[0]); s.close()
ts = [threading.Thread(target=one) for _ in range(count)]
[t.start() for t in ts]; [t.join(10) for t in ts]
print(json.dumps(seen))
