# An asyncio datagram endpoint connected to the echo port sends "asyncio".
# Prints JSON [the reply, [sender address, port]].
# argv: HOST ECHO_PORT
import asyncio, json, sys
class P(asyncio.DatagramProtocol):
    def __init__(s, f): s.f = f
    def connection_made(s, t): t.sendto(b"asyncio")
    def datagram_received(s, d, a): s.f.set_result([d.decode(), list(a)])
async def main():
    loop = asyncio.get_running_loop(); f = loop.create_future()
    t, _ = await loop.create_datagram_endpoint(lambda: P(f), remote_addr=(sys.argv[1], int(sys.argv[2])))
    print(json.dumps(await asyncio.wait_for(f, 5))); t.close()
asyncio.run(main())
