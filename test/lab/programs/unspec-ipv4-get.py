# getaddrinfo(NAME, AF_UNSPEC), only the AF_INET answers kept: GET / from the first.
# Prints the body, nothing more.
# argv: NAME
import socket, sys
v4 = [a for a in socket.getaddrinfo(sys.argv[1], 80, 0, socket.SOCK_STREAM) if a[0] == socket.AF_INET]
s = socket.create_connection(v4[0][4], timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
print(s.recv(4096).split(b"\r\n\r\n", 1)[1].decode(), end="")
