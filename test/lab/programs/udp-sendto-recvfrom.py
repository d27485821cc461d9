# An unconnected AF_INET UDP socket: PAYLOAD to the echo port (recvfrom), "?" to the whoami port (recvfrom), "short"
# to the echo port (recvfrom_into). Prints JSON {"data": the echo, "from": its sender, "who": the first word of the
# whoami answer, "whoFrom": its sender, "intoFrom": recvfrom_into's sender, "sock": getsockname}.
# argv: HOST ECHO_PORT WHOAMI_PORT PAYLOAD
import json, socket, sys
host, echo, whoami, payload = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(payload, (host, echo)); data, frm = s.recvfrom(100)
s.sendto(b"?", (host, whoami)); who, who_from = s.recvfrom(100)
s.sendto(b"short", (host, echo)); n, into_from = s.recvfrom_into(bytearray(100))
print(json.dumps({"data": data.decode(), "from": frm, "who": who.decode().split()[0], "whoFrom": who_from,
                  "intoFrom": into_from, "sock": s.getsockname()}))
