/**
 * Issue 3: unmodified IPv4-only UDP programs under tnat64 on the lab's IPv6-only client, through TAYGA to the
 * IPv4-only server (echo and whoami on UDP, DNS), with a /96 and a non-/96 prefix; broadcast and multicast on an
 * IPv4-capable host. Assertions are about what the programs observe.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PATHS, SERVER_IPV4, withLab, type Lab } from '../../src/lab/lab.js';
import { PORTS } from '../../src/lab/services.js';
import { labEnv, lastJson, nodeProgram, pyFile, requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];

before(async () => {
  await requireTools('dig', 'python3', 'socat', 'tayga', 'unbound');
  requireBuilt();
});

for (const prefix of ['2001:db8:64::/96', '2001:db8:122::/48']) {
  describe(`UDP through NAT64, prefix ${prefix}`, () => {
    let lab: Lab;
    let env: NodeJS.ProcessEnv;
    useLab({ prefix }, (s) => ({ lab, env } = s));

    test('dig @203.0.113.2 over UDP and over TCP', async () => {
      for (const transport of ['+notcp', '+tcp']) {
        const r = await lab.run(tn('dig', '+short', '+tries=1', '+time=3', transport, `@${SERVER_IPV4}`, 'A', lab.addresses.server.name), { env });
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout.trim(), SERVER_IPV4, transport);
      }
    });

    test('python sendto/recvfrom: the echo comes from the IPv4 address asked for; the server sees the pool', async () => {
      const r = await lab.run(tn(...pyFile('udp-sendto-recvfrom.py', SERVER_IPV4, String(PORTS.echo), String(PORTS.whoami), 'hello')), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ data: string; from: unknown; intoFrom: unknown; who: string; sock: [string, number] }>(r);
      assert.equal(o.data, 'hello');
      assert.deepEqual(o.from, [SERVER_IPV4, PORTS.echo]);
      assert.deepEqual(o.intoFrom, [SERVER_IPV4, PORTS.echo]);
      assert.equal(lab.poolOf(o.who), 0);
      assert.match(o.sock[0], /^\d+\.\d+\.\d+\.\d+$/);
    });

    test('connected UDP: send/recv, getpeername, connect again elsewhere, ECONNREFUSED from a closed port', async () => {
      const r = await lab.run(tn(...pyFile('udp-connected.py', SERVER_IPV4, String(PORTS.echo), String(PORTS.whoami), String(PORTS.closed))), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ one: string; peer1: unknown; who: string; peer2: unknown; refused: string }>(r);
      assert.equal(o.one, 'one');
      assert.deepEqual(o.peer1, [SERVER_IPV4, PORTS.echo]);
      assert.equal(lab.poolOf(o.who), 0);
      assert.deepEqual(o.peer2, [SERVER_IPV4, PORTS.whoami]);
      assert.equal(o.refused, 'ECONNREFUSED');
    });

    test('recvmsg with IP_PKTINFO, IP_RECVTTL and IP_RECVTOS: IPv4 control messages, IPv4 sender', async () => {
      const r = await lab.run(tn(...pyFile('udp-recvmsg-cmsgs.py', SERVER_IPV4, String(PORTS.echo), 'cmsg')), { env });
      assert.equal(r.code, 0, show(r));
      type C = { name?: string; ifindex?: number; addr?: string; value?: number };
      const o = lastJson<{ data: string; addr: unknown; cmsgs: C[] }>(r);
      assert.equal(o.data, 'cmsg');
      assert.deepEqual(o.addr, [SERVER_IPV4, PORTS.echo]);
      assert.deepEqual(o.cmsgs.map((c) => c.name).sort(), ['IP_PKTINFO', 'IP_TOS', 'IP_TTL'], show(r));
      const pi = o.cmsgs.find((c) => c.name === 'IP_PKTINFO')!;
      assert.equal(pi.ifindex! > 0, true);
      assert.match(pi.addr!, /^\d+\.\d+\.\d+\.\d+$/);
      const ttl = o.cmsgs.find((c) => c.name === 'IP_TTL')!.value!;
      assert.ok(ttl > 0 && ttl < 256);
    });

    test('node dgram (udp4) and dns.Resolver against the IPv4 DNS server', async () => {
      const r = await lab.run(tn(...nodeProgram(`
        import dgram from 'node:dgram';
        import { Resolver } from 'node:dns/promises';
        const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'timeout' })); process.exit(1); }, 5000);
        const d = dgram.createSocket('udp4');
        const echo = await new Promise((resolve) => {
          d.once('message', (m, rinfo) => resolve({ text: String(m), address: rinfo.address, family: rinfo.family, port: rinfo.port }));
          d.send('from node', ${PORTS.echo}, '${SERVER_IPV4}');
        });
        d.close();
        const res = new Resolver({ timeout: 2000, tries: 1 });
        res.setServers(['${SERVER_IPV4}']);
        const answers = await res.resolve4('${lab.addresses.server.name}');
        clearTimeout(timer);
        console.log(JSON.stringify({ echo, answers }));`)), { env });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), { echo: { text: 'from node', address: SERVER_IPV4, family: 'IPv4', port: PORTS.echo }, answers: [SERVER_IPV4] });
    });

    test('socat UDP4', async () => {
      const r = await lab.run(tn('socat', '-T', '3', '-', `UDP4:${SERVER_IPV4}:${PORTS.echo}`), { env, input: 'socat datagram\n' });
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'socat datagram\n');
    });
  });
}

describe('an IPv4-only nameserver on an IPv6-only host', () => {
  test('glibc alone cannot reach it; under tnat64 the lookup hooks ask it through the NAT64; discover still warns', () =>
    withLab({ nameservers: [SERVER_IPV4] }, async (lab) => {
      const env = labEnv(lab);
      const plain = await lab.run(['getent', 'ahostsv4', lab.addresses.server.name], { timeoutMs: 15_000 });
      assert.equal(plain.code, 2, show(plain)); // glibc's own socket calls cannot reach 203.0.113.2
      const g = await lab.run(tn('getent', 'ahostsv4', lab.addresses.server.name), { env, timeoutMs: 15_000 });
      assert.equal(g.code, 0, show(g));
      assert.match(g.stdout, new RegExp(`^${SERVER_IPV4.replace(/\./g, '\\.')}\\s`, 'm'));
      // Discovery asks the same unreachable nameserver, so without a configured prefix nothing is known: warned.
      const d = await lab.run(tn('discover', '--json'), { env });
      const o = JSON.parse(d.stdout) as { resolvers: string[]; warnings: string[] };
      assert.deepEqual(o.resolvers, [SERVER_IPV4]);
      assert.ok(o.warnings.length > 0, `no warning: ${d.stdout}`);
    }),
  );
});

describe('broadcast and multicast never go through NAT64', () => {
  // Sender and receiver in the client, both under tnat64; the kernel loops broadcast and (IP_MULTICAST_LOOP)
  // multicast back to local listeners.
  const program = pyFile('broadcast-multicast-loopback.py');

  test('on an IPv4-capable host they work as without tnat64', () =>
    withLab({ clientIPv4: true }, async (lab) => {
      const env = labEnv(lab);
      const plain = await lab.run(program);
      const under = await lab.run(tn(...program), { env });
      assert.equal(under.code, 0, show(under));
      assert.deepEqual(lastJson(under), lastJson(plain));
      assert.deepEqual(lastJson(plain), { broadcast: ['bcast', '192.0.2.2'], multicast: ['mcast', '192.0.2.2'], limited: 1 });
    }),
  );

  test('on an IPv6-only host multicast and 255.255.255.255 fail with the same errno as without tnat64', () =>
    withLab({}, async (lab) => {
      const env = labEnv(lab);
      const plain = lastJson<Record<string, unknown>>(await lab.run(program));
      const under = await lab.run(tn(...program), { env });
      assert.equal(under.code, 0, show(under));
      const o = lastJson<Record<string, unknown>>(under);
      assert.deepEqual([o.multicast, o.limited], [plain.multicast, plain.limited], show(under));
      assert.deepEqual([plain.multicast, plain.limited], ['ENODEV', 'ENETUNREACH']);
    }),
  );

  // An IPv6-only host has no IPv4 interface to say which addresses are subnet broadcasts; on a SO_BROADCAST socket the
  // library treats a .255 destination as one (docs/DESIGN.md), so it is never synthesized and sent to the NAT64.
  test(
    'on an IPv6-only host a SO_BROADCAST datagram to a subnet broadcast address fails as without tnat64',
    () =>
      withLab({}, async (lab) => {
        const env = labEnv(lab);
        const plain = lastJson<Record<string, unknown>>(await lab.run(program));
        const under = lastJson<Record<string, unknown>>(await lab.run(tn(...program), { env }));
        assert.equal(plain.broadcast, 'ENETUNREACH');
        assert.equal(under.broadcast, plain.broadcast);
      }),
  );
});
