"""The nameservers of the lookup test (lib/test/resolve.c), reached through
NAT64 addresses that setups.sh puts on lo.
argv: READY_FILE LOG_FILE ZONE_ADDR SILENT_ADDR
ZONE_ADDR answers over UDP and TCP from the zone below, with the misbehaving
names; SILENT_ADDR reads queries and never answers. Each query is logged as
"PORT ID NAME TYPE" (ZONE_ADDR only). Exits after 20 s without a query, so a
failed test leaves nothing behind in its network namespace."""
import select
import socket
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from dnswire import A, AAAA, CNAME, parse

ready, log, zone_addr, silent_addr = sys.argv[1:5]

ZONE = {
    ("host.test", A): ["192.0.2.10", "192.0.2.11"],
    ("host.test", AAAA): ["2001:db8::10"],
    ("v4only.test", A): ["192.0.2.12"],
    ("www.example.test", A): ["192.0.2.20"],
    ("a.b.c", A): ["192.0.2.21"],
    ("a.b.c.corp.test", A): ["192.0.2.22"],
    ("wrongfirst.test", A): ["192.0.2.30"],
    ("other.test", A): ["192.0.2.99"],
    ("tc.test", A): ["192.0.2.%d" % i for i in range(41, 61)],
}
ALIASES = {"alias.test": "alias2.test", "alias2.test": "host.test",
           "loop1.test": "loop2.test", "loop2.test": "loop1.test"}


def name_wire(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def rr(name, rtype, data):
    if rtype == A:
        rdata = socket.inet_pton(socket.AF_INET, data)
    elif rtype == AAAA:
        rdata = socket.inet_pton(socket.AF_INET6, data)
    else:
        rdata = name_wire(data)
    return name_wire(name) + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata


def message(qid, flags, question, records, rcode=0):
    head = struct.pack("!HHHHHH", qid, 0x8180 | flags | rcode, 1, len(records), 0, 0)
    return head + question + b"".join(records)


def answers(query, tcp):
    """The datagrams (or the TCP message) that answer query, in order."""
    qid, name, qtype, question = parse(query)
    key = name.lower()
    if key == "wrongfirst.test" or key == "onlywrong.test":
        good = message(qid, 0, question, [rr(name, A, "192.0.2.30")])
        other = name_wire("other.test") + question[-4:]
        out = [message(qid ^ 1, 0, question, [rr(name, A, "192.0.2.66")]),
               message(qid, 0, other, [rr("other.test", A, "192.0.2.67")]),
               message(qid, 0, question, [rr(name, A, "192.0.2.68")])[:-3],
               message(qid, 0, question, [rr(name, A, "192.0.2.69")])[:2] + b"\0" +
               message(qid, 0, question, [rr(name, A, "192.0.2.69")])[3:]]  # QR clear
        return out + [good] if key == "wrongfirst.test" else out
    if key == "servfail.test":
        return [message(qid, 0, question, [], rcode=2)]
    if key == "tc.test" and not tcp:
        return [message(qid, 0x0200, question, [rr(name, A, ZONE[(key, A)][0])])]
    records, target = [], key
    for _ in range(6):
        if target not in ALIASES:
            break
        records.append(rr(target, CNAME, ALIASES[target]))
        target = ALIASES[target]
    data = ZONE.get((target, qtype))
    if data is not None:
        records += [rr(target, qtype, d) for d in data]
        if key == "alias.test":
            records.append(rr("other.test", A, "192.0.2.99"))
        return [message(qid, 0, question, records)]
    exists = any(n == target for n, _ in ZONE) or target in ALIASES
    return [message(qid, 0, question, records, rcode=0 if exists else 3)]


socks = {}
for addr, mode in ((zone_addr, "zone"), (silent_addr, "silent")):
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind((addr, 53))
    socks[u] = mode
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((zone_addr, 53))
t.listen(8)
socks[t] = "tcp"
open(ready, "w").close()
with open(log, "a", buffering=1) as logf:
    while True:
        r, _, _ = select.select(list(socks), [], [], 20)
        if not r:
            sys.exit(0)
        for s in r:
            if socks[s] == "tcp":
                c, _ = s.accept()
                c.settimeout(5)
                n, = struct.unpack("!H", c.recv(2, socket.MSG_WAITALL))
                query = c.recv(n, socket.MSG_WAITALL)
                reply = answers(query, True)[0]
                c.sendall(struct.pack("!H", len(reply)) + reply)
                c.close()
                continue
            query, peer = s.recvfrom(512)
            if socks[s] == "silent":
                continue
            qid, name, qtype, _ = parse(query)
            logf.write("%d %d %s %d\n" % (peer[1], qid, name, qtype))
            for reply in answers(query, False):
                s.sendto(reply, peer)
