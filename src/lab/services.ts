/**
 * The services of the lab's IPv4-only server and of its IPv6-only host, run with node inside their namespaces by the
 * lab (`node dist/src/lab/services.js ADDRESS…`, every service on each address, nothing on any other). Prints one line
 * `ready` on stdout once every socket listens.
 *
 *   TCP 80, 8080  HTTP: `/` answers HTTP_BODY (V6_HTTP_BODY on an IPv6 address), `/whoami` the client address the
 *                 server sees, `/host` the server address the client reached, `/bytes/N` N bytes of 'x' (N ≤ 16 MiB)
 *   TCP 7         echo
 *   UDP 7         echo
 *   TCP 9000      whoami: sends "ADDRESS PORT\n" (the peer as the server sees it) and closes
 *   UDP 9000      whoami: answers each datagram with "ADDRESS PORT\n"
 * DNS (lab.example., ipv4only.arpa.) is served by a separate unbound instance on the same host.
 */
import * as net from 'node:net';
import * as http from 'node:http';
import * as dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

export const PORTS = { http: 80, httpAlt: 8080, echo: 7, whoami: 9000, closed: 9 } as const;
export const HTTP_BODY = 'hello from the IPv4-only server\n';
export const V6_HTTP_BODY = 'hello from the IPv6-only host\n';

/** Strip the `::ffff:` a dual-stack listener would show (ours listen on IPv4 only, but be safe). */
function peer(address: string | undefined): string {
  return (address ?? '?').replace(/^::ffff:/, '');
}

/**
 * Retry `attempt` while the address is not there yet: the lab starts this process while it is still adding the
 * addresses (bounded: after 10 s the error stands).
 */
async function untilAddress(attempt: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export async function startServices(addresses: readonly string[]): Promise<() => void> {
  const closers: Array<() => void> = [];
  for (const address of addresses) closers.push(await startOn(address));
  return () => closers.forEach((c) => c());
}

async function startOn(address: string): Promise<() => void> {
  const ipv6 = net.isIPv6(address);
  const closers: Array<() => void> = [];
  const listen = (server: net.Server, port: number) =>
    untilAddress(
      () =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: address, port }, () => (server.off('error', reject), resolve()));
        }),
    ).then(() => void closers.push(() => server.close()));

  const web = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    const bytes = /^\/bytes\/(\d+)$/.exec(url);
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(ipv6 ? V6_HTTP_BODY : HTTP_BODY);
    } else if (url === '/whoami') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(peer(req.socket.remoteAddress) + '\n');
    } else if (url === '/host') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(peer(req.socket.localAddress) + '\n');
    } else if (bytes && Number(bytes[1]) <= 16 << 20) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(Number(bytes[1]), 'x'));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };
  await listen(http.createServer(web), PORTS.http);
  await listen(http.createServer(web), PORTS.httpAlt);
  await listen(net.createServer((s) => s.on('error', () => {}).pipe(s)), PORTS.echo);
  await listen(
    net.createServer((s) => {
      s.on('error', () => {});
      s.end(`${peer(s.remoteAddress)} ${s.remotePort}\n`);
    }),
    PORTS.whoami,
  );

  const udp = (port: number, answer: (msg: Buffer, rinfo: dgram.RemoteInfo) => Buffer) =>
    untilAddress(
      () =>
        new Promise<void>((resolve, reject) => {
          const sock = dgram.createSocket(ipv6 ? 'udp6' : 'udp4');
          sock.once('error', (e) => (sock.close(), reject(e)));
          sock.on('message', (msg, rinfo) => sock.send(answer(msg, rinfo), rinfo.port, rinfo.address));
          sock.bind(port, address, () => {
            sock.removeAllListeners('error');
            sock.on('error', () => {});
            closers.push(() => sock.close());
            resolve();
          });
        }),
    );
  await udp(PORTS.echo, (msg) => msg);
  await udp(PORTS.whoami, (_msg, rinfo) => Buffer.from(`${rinfo.address} ${rinfo.port}\n`));
  return () => closers.forEach((c) => c());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const addresses = process.argv.slice(2);
  startServices(addresses.length > 0 ? addresses : ['0.0.0.0']).then(
    (stop) => {
      process.stdout.write('ready\n');
      const quit = () => {
        stop();
        process.exit(0);
      };
      process.on('SIGTERM', quit);
      process.on('SIGINT', quit);
    },
    (e: Error) => {
      process.stderr.write(`lab services: ${e.message}\n`);
      process.exit(1);
    },
  );
}
