# A socket connected to the echo port, made inheritable, handed to a new python3 by execvp.
# The new program prints JSON [its family name, getpeername] for the inherited descriptor.
# argv: HOST ECHO_PORT
import os, socket, sys
s = socket.socket(); s.settimeout(5); s.connect((sys.argv[1], int(sys.argv[2])))
os.set_inheritable(s.fileno(), True)
child = "import json, socket; d = socket.socket(fileno=%d); print(json.dumps([d.family.name, d.getpeername()]))" % s.fileno()
os.execvp("python3", ["python3", "-c", child])
