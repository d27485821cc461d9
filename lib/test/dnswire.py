"""DNS message pieces shared by the test nameservers (dns.py, names_dns.py,
resolver.py): reading a query's question, writing address records."""
import socket
import struct

A, AAAA, CNAME = 1, 28, 5


def parse(query):
    """(id, name as written, type, the question's bytes) of a query."""
    qid, = struct.unpack("!H", query[:2])
    off, labels = 12, []
    while query[off]:
        labels.append(query[off + 1:off + 1 + query[off]].decode())
        off += 1 + query[off]
    qtype, = struct.unpack("!H", query[off + 1:off + 3])
    return qid, ".".join(labels), qtype, query[12:off + 5]


def address_rr(rtype, ttl, addr):
    """An A or AAAA record whose owner is the question's name (a compression
    pointer to offset 12)."""
    family = socket.AF_INET if rtype == A else socket.AF_INET6
    rdata = socket.inet_pton(family, addr)
    return struct.pack("!HHHIH", 0xC00C, rtype, 1, ttl, len(rdata)) + rdata


def serve_udp(sock, ready, answer):
    """Answers every query on the bound UDP sock with answer(query) until 20 s
    pass without one (a failed test leaves nothing behind); creates the file
    ready first."""
    sock.settimeout(20)
    open(ready, "w").close()
    while True:
        try:
            query, peer = sock.recvfrom(512)
        except socket.timeout:
            return
        sock.sendto(answer(query), peer)
