"""A tiny DNS responder for the discovery test: answers AAAA ipv4only.arpa
with recorded addresses (argv: READY_FILE TTL ADDR...) on 127.0.0.1:53/udp;
everything else gets an empty NOERROR answer. Exits after 20 s without a query,
so a test that forgets it (it runs in the test's own network namespace, where
nothing else could stop it) leaves nothing behind."""
import socket
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from dnswire import AAAA, address_rr, parse, serve_udp

ready, ttl, addrs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))


def answer(query):
    qid, name, qtype, question = parse(query)
    answers = b""
    count = 0
    if name.lower() == "ipv4only.arpa" and qtype == AAAA:
        for a in addrs:
            answers += address_rr(AAAA, ttl, a)
            count += 1
    header = struct.pack("!HHHHHH", qid, 0x8180, 1, count, 0, 0)
    return header + question + answers


serve_udp(sock, ready, answer)
