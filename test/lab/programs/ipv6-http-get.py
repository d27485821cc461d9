# An AF_INET6 client: from SRC (when not empty) to [DST]:PORT, GET /.
# Prints the body of the answer, or JSON {"error": errno name} when the connection fails.
# argv: SRC DST PORT
import errno, socket, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6); s.settimeout(5)
if src: s.bind((src, 0))
try:
    s.connect((dst, port)); s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        d = s.recv(4096)
        if not d: break
        data += d
    print(data.split(b"\r\n\r\n", 1)[1].decode())
except OSError as e:
    print('{"error": "%s"}' % errno.errorcode.get(e.errno, e.errno))
