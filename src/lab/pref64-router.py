#!/usr/bin/env python3
"""The lab's PREF64 router: Router Advertisements carrying one PREF64 option (RFC 8781).

Debian 12's radvd (2.19) has no `nat64prefix` (it came with 2.20), so the lab sends the advertisements itself.

usage: pref64-router.py IFACE PREFIX/LEN LIFETIME [INTERVAL]

Advertises to all nodes (ff02::1) on IFACE at once, every INTERVAL seconds (default 10), and in answer to every
Router Solicitation, from the interface's link-local address with hop limit 255 (RFC 4861 §6.1.2: hosts drop
anything else). Router lifetime 0: not a default router (the lab's routes are static), and no other option, so the
advertisement changes nothing on the client but what it says about NAT64. Prints "ready" once the first one is sent.
The option is built from the RFC's layout here, independently of the TypeScript encoder the tests check.
"""
import ipaddress
import select
import socket
import struct
import sys
import time

PLC = {96: 0, 64: 1, 56: 2, 48: 3, 40: 4, 32: 5}
ICMP6_FILTER = 1  # linux/icmpv6.h, level IPPROTO_ICMPV6


def main():
    ifname, prefix, lifetime = sys.argv[1], ipaddress.IPv6Network(sys.argv[2]), int(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    index = socket.if_nametoindex(ifname)
    scaled = min(8191, (lifetime + 7) // 8)
    option = struct.pack('!BBH', 38, 2, scaled << 3 | PLC[prefix.prefixlen]) + prefix.network_address.packed[:12]
    # Type 134, code 0, checksum (the kernel fills it in), hop limit 64, no flags, router lifetime 0, timers 0.
    advert = struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 0, 0, 0) + option

    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    # Only Router Solicitations (type 133) reach this socket: a set bit blocks a type.
    blocked = [0xFFFFFFFF] * 8
    blocked[133 >> 5] &= ~(1 << (133 & 31))
    s.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, struct.pack('8I', *blocked))
    try:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, 'ff02::2') + struct.pack('@I', index))
    except OSError:
        pass  # a forwarding interface is in all-routers already

    def send():
        s.sendto(advert, ('ff02::1', 0, 0, index))

    # The link-local address may need a moment after the interface came up.
    for _ in range(50):
        try:
            send()
            break
        except OSError:
            time.sleep(0.1)
    else:
        send()
    print('ready', flush=True)
    following = time.monotonic() + interval
    while True:
        readable, _, _ = select.select([s], [], [], max(0.0, following - time.monotonic()))
        if readable:
            data, _ = s.recvfrom(1500)
            if data[:1] == b'\x85':
                send()
        if time.monotonic() >= following:
            send()
            following = time.monotonic() + interval


if __name__ == '__main__':
    main()
