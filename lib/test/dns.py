"""A tiny DNS responder for the discovery tests: answers AAAA ipv4only.arpa
with recorded addresses (argv: [--delay=SECONDS] [--pad=N] READY_FILE TTL
ADDR...) on 127.0.0.1:53/udp; everything else gets an empty NOERROR answer.
--delay answers each query that many seconds after it came (each in its own
thread, so a retry is not queued behind an earlier query); --pad puts N
AAAA records that embed no well-known address before the recorded ones, so
the answer can be longer than 512 bytes (sent as it is: no TC bit). Exits
after 20 s without a query, so a test that forgets it (it runs in the
test's own network namespace, where nothing else could stop it) leaves
nothing behind."""
import socket
import struct
import sys
import threading

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from dnswire import AAAA, address_rr, parse, serve_udp

args = sys.argv[1:]
delay, pad = 0.0, 0
while args and args[0].startswith("--"):
    opt, _, value = args.pop(0).partition("=")
    if opt == "--delay":
        delay = float(value)
    elif opt == "--pad":
        pad = int(value)
ready, ttl, addrs = args[0], int(args[1]), args[2:]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))


def answer(query):
    qid, name, qtype, question = parse(query)
    answers = b""
    count = 0
    if name.lower() == "ipv4only.arpa" and qtype == AAAA:
        for i in range(pad):
            answers += address_rr(AAAA, ttl, "2001:db8:ffff::%x" % (i + 1))
            count += 1
        for a in addrs:
            answers += address_rr(AAAA, ttl, a)
            count += 1
    header = struct.pack("!HHHHHH", qid, 0x8180, 1, count, 0, 0)
    return header + question + answers


class Delayed:
    """The socket serve_udp answers through, each answer sent after the delay."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def sendto(self, data, peer):
        threading.Timer(delay, self.inner.sendto, (data, peer)).start()


serve_udp(Delayed(sock) if delay > 0 else sock, ready, answer)
