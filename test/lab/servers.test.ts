/**
 * Issue 4, "Servers" and "The program sees IPv4": IPv4-only servers under tnat64 on the lab's IPv6-only client are
 * reached by IPv6 clients (the gateway plays them), see them as IPv4 (198.19/16 stand-ins from the pool, or the
 * global IPv4 a NAT64 address embeds), and answer them through the stand-in; IPv4 options reach the wire in their
 * IPv6 form. Assertions are about what the programs and the wire show.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PATHS, SERVER_IPV4, type Lab } from '../../src/lab/lab.js';
import { lastJson, pyFile, requireBuilt, requireTools, show, udpEchoFromGateway, useLab } from '../../src/lab/testing.js';

const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];
const STANDIN = /^198\.19\.\d+\.\d+$/;

before(async () => {
  await requireTools('curl', 'python3', 'socat', 'tcpdump', 'tayga', 'unbound');
  requireBuilt();
});
let lab: Lab;
let env: NodeJS.ProcessEnv;
useLab({}, (s) => ({ lab, env } = s));

/**
 * An IPv4-only HTTP server (python, AF_INET, bound to BIND): each request is answered with what the program saw of
 * the client (accept's address, getpeername, the socket family). Prints "ready PORT".
 */
const httpServer = (bind: string) => pyFile('tcp-peer-report-server.py', bind);

/** Start the server under tnat64 in the client host; returns its port and a stop function. */
async function startServer(bind: string): Promise<{ port: number; stop: () => Promise<unknown> }> {
  const bg = lab.spawn(tn(...httpServer(bind)), { env });
  await lab.waitFor(bg, /ready \d+/);
  const port = Number(/ready (\d+)/.exec(bg.stdout())![1]);
  return { port, stop: () => bg.stop() };
}

/** A python IPv6 client in the gateway: connects from SRC (added to the gateway's lo) to the client host, GET /. */
const v6client = (src: string, dst: string, port: number) => pyFile('ipv6-http-get.py', src, dst, String(port));

describe('an IPv4-only server bound to 0.0.0.0 is reached over IPv6', () => {
  test('curl -6 from the gateway: the server sees a stable 198.19/16 stand-in, AF_INET, SO_DOMAIN AF_INET', async () => {
    const srv = await startServer('0.0.0.0');
    try {
      const url = `http://[${lab.addresses.client.ipv6}]:${srv.port}/`;
      const a = await lab.runIn('gateway', ['curl', '-6', '-sS', '--max-time', '5', url]);
      assert.equal(a.code, 0, show(a));
      const first = JSON.parse(a.stdout) as Record<string, unknown>;
      assert.match(String(first.accept), STANDIN, show(a));
      assert.deepEqual(first, { accept: first.accept, getpeername: first.accept, family: 'AF_INET', domain: 2 });
      const b = await lab.runIn('gateway', ['curl', '-6', '-sS', '--max-time', '5', url]);
      assert.equal(b.code, 0, show(b));
      assert.deepEqual(JSON.parse(b.stdout), first, 'the same peer, the same stand-in');
      const v4 = await lab.run(['curl', '-sS', '--max-time', '5', `http://127.0.0.1:${srv.port}/`]);
      assert.equal((JSON.parse(v4.stdout) as { accept: string }).accept, '127.0.0.1', 'IPv4 clients as before');
    } finally {
      await srv.stop();
    }
  });

  test('NAT64-prefix peers: a global embedded IPv4 is shown as itself, an embedded 127.0.0.1 never is', async () => {
    const glob = lab.synthesize('8.8.8.8');
    const loop = lab.synthesize('127.0.0.1');
    for (const a of [glob, loop]) {
      const r = await lab.runIn('gateway', ['ip', '-6', 'addr', 'add', `${a}/128`, 'dev', 'lo']);
      assert.equal(r.code, 0, show(r));
    }
    const srv = await startServer('0.0.0.0');
    try {
      const g = await lab.runIn('gateway', v6client(glob, lab.addresses.client.ipv6!, srv.port));
      assert.equal(lastJson(g).accept, '8.8.8.8', show(g));
      const l = await lab.runIn('gateway', v6client(loop, lab.addresses.client.ipv6!, srv.port));
      const seen = lastJson(l);
      assert.match(String(seen.accept), STANDIN, show(l));
      assert.equal(seen.getpeername, seen.accept);
    } finally {
      await srv.stop();
    }
  });

  test('a server bound to 127.0.0.1 is not reachable over IPv6, not even from ::1', async () => {
    const srv = await startServer('127.0.0.1');
    try {
      const g = await lab.runIn('gateway', v6client('', lab.addresses.client.ipv6!, srv.port));
      assert.deepEqual(lastJson(g), { error: 'ECONNREFUSED' }, show(g));
      const l = await lab.run(v6client('', '::1', srv.port));
      assert.deepEqual(lastJson(l), { error: 'ECONNREFUSED' }, show(l));
      const v4 = await lab.run(['curl', '-sS', '--max-time', '5', `http://127.0.0.1:${srv.port}/`]);
      assert.equal(v4.code, 0, show(v4));
    } finally {
      await srv.stop();
    }
  });
});

describe('UDP: a reply to a stand-in reaches the IPv6 peer', () => {
  test('an echo server under tnat64 answers an IPv6 client through its stand-in (sendto and sendmsg)', async () => {
    const { got, standin } = await udpEchoFromGateway(lab, tn(...pyFile('udp-echo-peer-server.py')), env);
    assert.match(standin, STANDIN, JSON.stringify(got));
    assert.deepEqual(got, [`to ${standin} ping0`, 'again', `to ${standin} ping1`, 'again']);
  });
});

describe('the program sees IPv4, the wire carries its options', () => {
  test('SO_DOMAIN is AF_INET; getsockname through NAT64 is 192.0.0.2 with the real port', async () => {
    const r = await lab.run(tn(...pyFile('so-domain-getsockname.py', SERVER_IPV4, '7')), { env });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), {
      SOCK_STREAM: [2, 'AF_INET', '192.0.0.2', true],
      SOCK_DGRAM: [2, 'AF_INET', '192.0.0.2', true],
    });
  });

  test('IP_TOS by setsockopt (UDP and TCP) and by a sendmsg IP_TOS cmsg: the IPv6 traffic class in a capture', async () => {
    const pcap = join(lab.dir, 'tos.pcap');
    const cap = lab.spawnIn('gateway', ['tcpdump', '-i', 'to-cli', '-nn', '-U', '-c', '3', '-w', pcap, 'ip6 and dst port 7 and (udp or (tcp and ip6[53] & 2 != 0))'], { timeoutMs: 20_000 });
    await lab.waitFor(cap, 'listening on');
    const r = await lab.run(tn(...pyFile('ip-tos-send.py', SERVER_IPV4, '7')), { env });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), `${0xb8} ${0x48}`, 'getsockopt reads back what the program set');
    const done = await cap.exited;
    assert.equal(done.code, 0, show(done));
    const read = await lab.runIn('gateway', ['tcpdump', '-nn', '-v', '-r', pcap]);
    const classes = [...read.stdout.matchAll(/class (0x[0-9a-f]+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(classes, [0xb8, 0x28, 0x48], show(read));
  });
});
