/**
 * `tnat64 lab` without a command: show an IPv4-only program failing on the IPv6-only client, then working under
 * tnat64, with what the program, the kernel and the server each saw.
 */
import { have } from './exec.js';
import { parseConnects, straced } from './strace.js';
import { SERVER_IPV4, type Lab } from './lab.js';
import { PORTS } from './services.js';

/** An IPv4-only client: AF_INET socket, connect, GET /whoami; prints JSON (or the error) on stdout. */
const CLIENT = `
import json, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
except OSError as e:
    print(json.dumps({"error": "[Errno %d] %s" % (e.errno, e.strerror)})); sys.exit(1)
s.sendall(b"GET /whoami HTTP/1.0\\r\\nHost: lab\\r\\n\\r\\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk: break
    data += chunk
head, _, body = data.decode().partition("\\r\\n\\r\\n")
print(json.dumps({"peer": list(s.getpeername()), "family": s.family.name, "status": head.splitlines()[0], "body": body.strip()}))
`;

interface ClientResult {
  error?: string;
  peer?: [string, number];
  family?: string;
  status?: string;
  body?: string;
}

function parseClient(stdout: string): ClientResult {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as ClientResult;
  } catch {
    return { error: stdout.trim() || 'no output' };
  }
}

/** Where the demonstration writes: the CLI's Io fits (the lab does not depend on the command line). */
export interface DemoOutput {
  out(text: string): void;
}

export async function demonstrate(lab: Lab, io: DemoOutput): Promise<number> {
  const a = lab.addresses;
  const port = PORTS.http;
  const say = (s: string) => io.out(s + '\n');
  say(`Lab ready: a simulated IPv6-only network (network namespaces; nothing leaves this machine).`);
  say(`  client   ${a.client.ipv6 ?? '-'}${a.client.ipv4 ? ` and ${a.client.ipv4}` : ' (IPv6 only)'}, resolver ${a.resolvers.join(' ')}${lab.options.dns64 ? ' (DNS64)' : ''}`);
  say(`  gateway  ${lab.options.nat64 ? `TAYGA NAT64, prefix ${a.prefix}, IPv4 pool ${a.pools[0]}` : 'no NAT64 (--no-nat64)'}`);
  say(`  server   ${SERVER_IPV4} (IPv4 only), HTTP on port ${port}`);
  say('');

  const argv = ['python3', '-c', CLIENT, SERVER_IPV4, String(port)];
  say(`1. An IPv4-only program (python3, AF_INET socket) connects to ${SERVER_IPV4}:${port}, without tnat64:`);
  const before = parseClient((await lab.run(argv, { timeoutMs: 15_000 })).stdout);
  say(before.error ? `   failed: ${before.error}` : `   connected (the client has IPv4: --ipv4): ${before.body}`);
  say('');

  say(`2. The same program under tnat64 (\`tnat64 python3 …\`; no configuration: the prefix is discovered through DNS64):`);
  const strace = await have('strace');
  const traced = strace ? straced(['tnat64', ...argv]) : ['tnat64', ...argv];
  const r = await lab.run(traced, { timeoutMs: 15_000 });
  const after = parseClient(r.stdout);
  if (after.error) {
    say(`   failed: ${after.error}`);
    if (r.stderr.trim()) say(r.stderr.trim().split('\n').filter((l) => !l.includes('connect(')).map((l) => `   ${l}`).join('\n'));
    return 1;
  }
  const kernel = parseConnects(r.stderr).filter((c) => c.family === 'AF_INET6' && c.port === port).map((c) => c.address);
  say(`   the program connected to ${after.peer?.join(':')} (${after.family}, as it asked: getpeername)`);
  if (strace) say(`   the kernel connected to  ${kernel.length ? `[${kernel.at(-1)}]:${port}` : 'an IPv4 address (no AF_INET6 connect seen)'} (strace)`);
  say(`   the server saw           ${after.body} (${lab.poolOf(after.body ?? '') >= 0 ? "an address of TAYGA's pool: the connection came through NAT64" : 'a direct IPv4 connection'})`);
  say(`   the server answered      ${after.status}`);
  say('');
  say(`Try your own: tnat64 lab -- tnat64 curl http://${SERVER_IPV4}/   or   tnat64 lab -- bash`);
  return 0;
}
