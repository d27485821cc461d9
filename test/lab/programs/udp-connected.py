# A connected AF_INET UDP socket: send/recv and getpeername on the echo port, connected again to the whoami port,
# disconnected with connect(AF_UNSPEC) (then getpeername's errno, and sendto/recvfrom on the echo port); a second
# socket connected to a closed port: recv's errno after a send.
# Prints JSON {"one", "peer1", "who", "peer2", "rc": connect(AF_UNSPEC)'s return, "disc", "two", "addr", "refused"}.
# argv: HOST ECHO_PORT WHOAMI_PORT CLOSED_PORT
import ctypes, errno, json, socket, sys
host, echo, whoami, closed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.connect((host, echo)); s.send(b"one"); one = s.recv(100).decode(); peer1 = list(s.getpeername())
s.connect((host, whoami)); s.send(b"x"); who = s.recv(100).decode().split()[0]; peer2 = list(s.getpeername())
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.connect(s.fileno(), (ctypes.c_char * 16)(), 16)  # AF_UNSPEC: disconnect
try:
    s.getpeername(); disc = "still connected"
except OSError as e:
    disc = errno.errorcode[e.errno]
s.sendto(b"two", (host, echo))
two, addr = s.recvfrom(100)
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(3)
c.connect((host, closed)); c.send(b"anyone?")
try:
    c.recv(100); refused = "answered"
except OSError as e:
    refused = errno.errorcode[e.errno]
print(json.dumps({"one": one, "peer1": peer1, "who": who, "peer2": peer2, "rc": rc, "disc": disc,
                  "two": two.decode(), "addr": list(addr), "refused": refused}))
