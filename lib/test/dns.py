"""A tiny DNS responder for the discovery test: answers AAAA ipv4only.arpa
with recorded addresses (argv: READY_FILE TTL ADDR...) on 127.0.0.1:53/udp;
everything else gets an empty NOERROR answer. Exits after 20 s without a query,
so a test that forgets it (it runs in the test's own network namespace, where
nothing else could stop it) leaves nothing behind."""
import socket
import struct
import sys

ready, ttl, addrs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))
sock.settimeout(20)
open(ready, "w").close()
while True:
    try:
        query, peer = sock.recvfrom(512)
    except socket.timeout:
        sys.exit(0)
    qid, = struct.unpack("!H", query[:2])
    off, labels = 12, []
    while query[off]:
        labels.append(query[off + 1:off + 1 + query[off]].decode().lower())
        off += 1 + query[off]
    qtype, = struct.unpack("!H", query[off + 1:off + 3])
    question = query[12:off + 5]
    answers = b""
    count = 0
    if ".".join(labels) == "ipv4only.arpa" and qtype == 28:
        for a in addrs:
            # name as a compression pointer to the question (offset 12)
            answers += struct.pack("!HHHIH", 0xC00C, 28, 1, ttl, 16)
            answers += socket.inet_pton(socket.AF_INET6, a)
            count += 1
    header = struct.pack("!HHHHHH", qid, 0x8180, 1, count, 0, 0)
    sock.sendto(header + question + answers, peer)
