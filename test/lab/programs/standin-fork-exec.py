# The parent resolves NAME1 and two forked children connect to its whoami port; a child resolves NAME2 and the
# parent connects to it; curl, exec'd with the descriptors open, fetches /whoami from NAME1's address.
# Prints JSON {"ip", "children": what the server saw of each child, "child_ip", "parent_to_child_ip", "exec"}.
# argv: WHOAMI_PORT NAME1 NAME2
import json, os, socket, subprocess, sys
port, name1, name2 = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def whoami(ip):
    s = socket.create_connection((ip, port), timeout=5)
    return s.recv(200).decode().split()[0]
ip = socket.getaddrinfo(name1, 0, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
out = {"ip": ip, "children": []}
for _ in range(2):
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        try: os.write(wr, whoami(ip).encode())
        finally: os._exit(0)
    os.close(wr)
    out["children"].append(os.read(rd, 200).decode()); os.close(rd); os.waitpid(pid, 0)
rd, wr = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(rd)
    try: os.write(wr, socket.getaddrinfo(name2, 0, socket.AF_INET)[0][4][0].encode())
    finally: os._exit(0)
os.close(wr)
child_ip = os.read(rd, 200).decode(); os.close(rd); os.waitpid(pid, 0)
out["child_ip"] = child_ip
out["parent_to_child_ip"] = whoami(child_ip)
out["exec"] = subprocess.run(["curl", "-sS", "--max-time", "5", "http://%s/whoami" % ip], close_fds=False,
    capture_output=True, text=True).stdout.strip()
print(json.dumps(out))
