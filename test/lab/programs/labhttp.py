# Imported by the programs here (not run itself): get(s, path) sends GET PATH HTTP/1.0 on the connected socket s,
# reads to the end and returns the body, decoded and stripped. headers: more request lines, each ending in \r\n.
def get(s, path, headers=b""):
    s.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\n" + headers + b"\r\n")
    data = b""
    while True:
        d = s.recv(4096)
        if not d: break
        data += d
    return data.split(b"\r\n\r\n", 1)[1].decode().strip()
