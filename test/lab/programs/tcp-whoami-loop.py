# COUNT AF_INET connects in a row to the whoami port: with TIMEOUT 1 python connects non-blocking (5 s timeout:
# poll, then SO_ERROR), with 0 it blocks in connect(). Prints JSON {"seen": what each connection read (its first
# word) or the errno name, "seconds": how long it all took}.
# argv: HOST WHOAMI_PORT COUNT TIMEOUT(0|1)
import errno, json, socket, sys, time
host, port, count, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
t = time.monotonic(); out = []
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if timeout: s.settimeout(5)
    try:
        s.connect((host, port)); out.append(s.recv(100).decode().split()[0])
    except OSError as e:
        out.append(errno.errorcode.get(e.errno, str(e.errno)))
    s.close()
print(json.dumps({"seen": out, "seconds": time.monotonic() - t}))
