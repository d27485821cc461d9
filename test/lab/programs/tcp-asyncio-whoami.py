# asyncio.open_connection to the whoami port. Prints JSON: the first word it read (the address the server saw).
# argv: HOST WHOAMI_PORT
import asyncio, json, sys
async def main():
    r, w = await asyncio.wait_for(asyncio.open_connection(sys.argv[1], int(sys.argv[2])), 5)
    print(json.dumps((await asyncio.wait_for(r.read(100), 5)).decode().split()[0]))
asyncio.run(main())
