"""The nameserver of the own-resolver names test (lib/test/names.c `own`):
an IPv4-only nameserver as the program's resolv.conf names it, reached only
through NAT64, so it listens on that NAT64 address (routed to lo by setups.sh).
argv: READY_FILE ADDRESS. A small fixed zone over UDP; names outside it get
NXDOMAIN, names in it without records of the type asked NODATA. Exits after
20 s without a query, so a failed test leaves nothing behind."""
import socket
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from dnswire import A, AAAA, address_rr, parse, serve_udp

ZONE = {
    "a.test": {A: ["198.51.100.20", "198.51.100.21"]},
    "both.test": {A: ["198.51.100.22"], AAAA: ["2001:db8:7::22"]},
    "six.test": {AAAA: ["2001:db8:7::6"]},
}

ready, addr = sys.argv[1:3]
sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sock.setsockopt(socket.IPPROTO_IPV6, 78, 1)  # IPV6_FREEBIND
sock.bind((addr, 53))


def answer(query):
    qid, name, qtype, question = parse(query)
    name = name.lower()
    records = ZONE.get(name, {}).get(qtype, [])
    answers = b"".join(address_rr(qtype, 60, r) for r in records)
    rcode = 0 if name in ZONE else 3
    header = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(records), 0, 0)
    return header + question + answers


serve_udp(sock, ready, answer)
