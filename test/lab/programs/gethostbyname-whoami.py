# gethostbyname(NAME), gethostbyaddr of the answer, and the whoami port at that address.
# Prints "ADDRESS REVERSE-NAME SEEN" on one line.
# argv: WHOAMI_PORT NAME
import socket, sys
ip = socket.gethostbyname(sys.argv[2])
s = socket.create_connection((ip, int(sys.argv[1])), timeout=5)
print(ip, socket.gethostbyaddr(ip)[0], s.recv(200).decode().split()[0])
