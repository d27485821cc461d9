# A listener bound to 0.0.0.0:0, a client from 127.0.0.1, accept().
# Prints JSON [the listener's getsockname address, the accepted peer's address].
import json, socket
s = socket.socket(); s.bind(("0.0.0.0", 0)); s.listen(1)
c = socket.create_connection(("127.0.0.1", s.getsockname()[1]), timeout=5)
a, peer = s.accept()
print(json.dumps([s.getsockname()[0], peer[0]]))
