# A non-blocking AF_INET TCP connect to the echo port: connect_ex, select for writability, SO_ERROR, O_NONBLOCK
# still set, then "hello" echoed. Prints JSON {"rc", "writable", "so_error", "nonblock", "echo", "peer"}.
# argv: HOST ECHO_PORT
import errno, fcntl, json, os, select, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
rc = s.connect_ex((host, port))
_, w, _ = select.select([], [s], [], 5)
err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
nonblock = bool(fcntl.fcntl(s, fcntl.F_GETFL) & os.O_NONBLOCK)
s.setblocking(True); s.settimeout(5)
s.sendall(b"hello"); echo = s.recv(100).decode()
print(json.dumps({"rc": errno.errorcode.get(rc, rc), "writable": len(w), "so_error": err, "nonblock": nonblock, "echo": echo, "peer": s.getpeername()}))
