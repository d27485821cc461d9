# asyncio.open_connection to the echo port ("async\n" echoed), then urllib GET http://HOST/.
# Prints JSON {"line": the echoed line, "peer": the peer address, "body": the page}.
# argv: HOST ECHO_PORT
import asyncio, json, sys, urllib.request
host, port = sys.argv[1], int(sys.argv[2])
async def main():
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
    writer.write(b"async\n"); await writer.drain()
    line = await asyncio.wait_for(reader.readline(), 5)
    peer = writer.get_extra_info("peername")[0]; writer.close()
    return line.decode(), peer
line, peer = asyncio.run(main())
body = urllib.request.urlopen("http://%s/" % host, timeout=5).read().decode()
print(json.dumps({"line": line, "peer": peer, "body": body}))
