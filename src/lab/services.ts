/**
 * The IPv4-only server host's services, run with node inside the server namespace by the lab
 * (`node dist/src/lab/services.js ADDRESS`). Prints one line `ready` on stdout once every socket listens.
 *
 *   TCP 80, 8080  HTTP: `/` answers HTTP_BODY, `/whoami` the client address the server sees,
 *                 `/bytes/N` N bytes of 'x' (N ≤ 16 MiB)
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

/** Strip the `::ffff:` a dual-stack listener would show (ours listen on IPv4 only, but be safe). */
function peer(address: string | undefined): string {
  return (address ?? '?').replace(/^::ffff:/, '');
}

export async function startServices(address: string): Promise<() => void> {
  const closers: Array<() => void> = [];
  const listen = (server: net.Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port }, () => resolve());
      closers.push(() => server.close());
    });

  const web = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    const bytes = /^\/bytes\/(\d+)$/.exec(url);
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(HTTP_BODY);
    } else if (url === '/whoami') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(peer(req.socket.remoteAddress) + '\n');
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
    new Promise<void>((resolve, reject) => {
      const sock = dgram.createSocket('udp4');
      sock.once('error', reject);
      sock.on('message', (msg, rinfo) => sock.send(answer(msg, rinfo), rinfo.port, rinfo.address));
      sock.bind(port, address, () => resolve());
      closers.push(() => sock.close());
    });
  await udp(PORTS.echo, (msg) => msg);
  await udp(PORTS.whoami, (_msg, rinfo) => Buffer.from(`${rinfo.address} ${rinfo.port}\n`));
  return () => closers.forEach((c) => c());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const address = process.argv[2] ?? '0.0.0.0';
  startServices(address).then(
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
