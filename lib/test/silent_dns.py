"""Nameservers that never answer, for the C tests (lib/test/setups.sh).

argv: READY_FILE ASKED_FILE ADDRESS... Binds UDP port 53 on each IPv4
ADDRESS, creates READY_FILE, creates ASKED_FILE once the first query came,
then keeps the sockets open until it is killed.
"""
import select
import socket
import sys
import time

ready, asked, *addresses = sys.argv[1:]
socks = []
for address in addresses:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, 53))
    socks.append(s)
open(ready, "w").close()
readable, _, _ = select.select(socks, [], [])
readable[0].recvfrom(4096)
open(asked, "w").close()
while True:
    time.sleep(60)
