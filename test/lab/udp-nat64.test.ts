/**
 * Issue 3, the interposer's side: unmodified IPv4-only UDP programs under tnat64 on the lab's IPv6-only client,
 * through TAYGA to the IPv4-only server (UDP echo 7, whoami 9000, DNS 53, port 9 closed), with a /96 and with
 * /40 and /64 prefixes: DNS64 discovery, AF_UNSPEC, 192.0.0.2 in IP_PKTINFO, sendmmsg/recvmmsg, IP_RECVERR,
 * subnet broadcast without SO_BROADCAST. (udp.test.ts holds the program-level cases.) Assertions are about what
 * programs observe.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATHS, SERVER_IPV4, SERVER_NAME, withLab, type Lab } from '../../src/lab/lab.js';
import { PORTS } from '../../src/lab/services.js';
import { labEnv, lastJson, nodeProgram, pyFile, requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];
const PREFIXES = ['2001:db8:64::/96', '2001:db8:100::/40', '2001:db8:122:344::/64'];

/** The sendmmsg/recvmmsg helper (programs/mmsg.c), compiled once. */
let bin: string;
let mmsg: string;
before(async () => {
  await requireTools('dig', 'python3', 'socat', 'gcc', 'tayga', 'unbound');
  requireBuilt();
  bin = mkdtempSync(join(tmpdir(), 'tnat64-udp-'));
  mmsg = join(bin, 'mmsg');
  execFileSync('gcc', ['-O2', '-o', mmsg, join(PATHS.repo, 'test/lab/programs/mmsg.c')]);
});
after(() => rmSync(bin, { recursive: true, force: true }));

for (const prefix of PREFIXES) {
  describe(`UDP through NAT64 (library details), prefix ${prefix}`, () => {
    let lab: Lab;
    let env: NodeJS.ProcessEnv;

    useLab({ prefix }, (s) => ({ lab, env } = s));

    test('dig @203.0.113.2: fails without tnat64; works with the prefix given and with it discovered', async () => {
      const argv = ['dig', `@${SERVER_IPV4}`, SERVER_NAME, 'A', '+short', '+time=2', '+tries=1'];
      const without = await lab.run(argv);
      assert.notEqual(without.stdout.trim(), SERVER_IPV4, show(without));
      const r = await lab.run(tn(...argv), { env });
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout.trim(), SERVER_IPV4, show(r));
      const d = await lab.run(tn(...argv), { env: { TNAT64_CONF_FILE: join(lab.dir, 'absent.conf') } });
      assert.equal(d.code, 0, show(d));
      assert.equal(d.stdout.trim(), SERVER_IPV4, show(d));
    });

    test('python sendto/recvfrom: sender (203.0.113.2, 7), 16-byte names; the server sees TAYGA\'s pool', async () => {
      const r = await lab.run(tn(...pyFile('udp-sendto-recvfrom.py', SERVER_IPV4, String(PORTS.echo), String(PORTS.whoami), 'ping')), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ data: string; from: [string, number]; who: string; whoFrom: [string, number]; sock: [string, number] }>(r);
      assert.equal(o.data, 'ping');
      assert.deepEqual(o.from, [SERVER_IPV4, PORTS.echo]);
      assert.deepEqual(o.whoFrom, [SERVER_IPV4, PORTS.whoami]);
      assert.equal(lab.poolOf(o.who), 0, `server saw ${o.who}`);
      assert.equal(o.sock[0], '0.0.0.0');
    });

    test('python connected UDP: send/recv, getpeername; re-connect; AF_UNSPEC disconnects', async () => {
      const r = await lab.run(tn(...pyFile('udp-connected.py', SERVER_IPV4, String(PORTS.echo), String(PORTS.whoami), String(PORTS.closed))), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{
        one: string; peer1: [string, number]; who: string; peer2: [string, number]; rc: number; disc: string; two: string;
        addr: [string, number];
      }>(r);
      assert.equal(o.one, 'one');
      assert.deepEqual(o.peer1, [SERVER_IPV4, PORTS.echo]);
      assert.deepEqual(o.peer2, [SERVER_IPV4, PORTS.whoami]);
      assert.equal(lab.poolOf(o.who), 0, `server saw ${o.who}`);
      assert.equal(o.rc, 0);
      assert.equal(o.disc, 'ENOTCONN');
      assert.equal(o.two, 'two');
      assert.deepEqual(o.addr, [SERVER_IPV4, PORTS.echo]);
    });

    test('python recvmsg with IP_PKTINFO, IP_RECVTTL, IP_RECVTOS: IPv4 forms only, 192.0.0.2 as our address', async () => {
      const r = await lab.run(tn(...pyFile('udp-recvmsg-cmsgs.py', SERVER_IPV4, String(PORTS.echo), 'ping')), { env });
      assert.equal(r.code, 0, show(r));
      type C = { level: number; name?: string; ifindex?: number; spec?: string; addr?: string; value?: number };
      const o = lastJson<{ data: string; addr: [string, number]; flags: number; cmsgs: C[] }>(r);
      assert.equal(o.data, 'ping');
      assert.deepEqual(o.addr, [SERVER_IPV4, PORTS.echo]);
      assert.deepEqual(o.cmsgs.map((c) => c.name).sort(), ['IP_PKTINFO', 'IP_TOS', 'IP_TTL'], r.stdout);
      const pi = o.cmsgs.find((c) => c.name === 'IP_PKTINFO')!;
      assert.equal(pi.addr, '192.0.0.2', r.stdout);
      assert.equal(pi.spec, '192.0.0.2', r.stdout);
      assert.ok(pi.ifindex! > 0);
      const ttl = o.cmsgs.find((c) => c.name === 'IP_TTL')!.value!;
      assert.ok(ttl > 0 && ttl < 256, `TTL ${ttl}`);
    });

    test('node dgram udp4 and dns.Resolver (c-ares) with setServers([203.0.113.2])', async () => {
      const r = await lab.run(tn(...nodeProgram(`
        import dgram from 'node:dgram';
        import dns from 'node:dns';
        const t = setTimeout(() => { console.log('timeout'); process.exit(1); }, 5000);
        const s = dgram.createSocket('udp4');
        const echo = await new Promise((resolve) => {
          s.once('message', (msg, rinfo) => resolve({ msg: msg.toString(), address: rinfo.address, family: rinfo.family, port: rinfo.port }));
          s.send('hello', ${PORTS.echo}, '${SERVER_IPV4}');
        });
        s.close();
        const res = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
        res.setServers(['${SERVER_IPV4}']);
        const answers = await res.resolve4('${SERVER_NAME}');
        clearTimeout(t);
        console.log(JSON.stringify({ echo, answers }));`)), { env });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), {
        echo: { msg: 'hello', address: SERVER_IPV4, family: 'IPv4', port: PORTS.echo },
        answers: [SERVER_IPV4],
      });
    });

    test('socat UDP4 to whoami: the server sees TAYGA\'s pool', async () => {
      const w = await lab.run(tn('socat', '-T', '3', '-', `UDP4:${SERVER_IPV4}:${PORTS.whoami}`), { env, input: 'x\n' });
      assert.equal(w.code, 0, show(w));
      assert.equal(lab.poolOf(w.stdout.trim().split(' ')[0]!), 0, show(w));
    });

    test('nslookup and host against 203.0.113.2; python asyncio datagram endpoint', async () => {
      const n = await lab.run(tn('nslookup', SERVER_NAME, SERVER_IPV4), { env });
      assert.equal(n.code, 0, show(n));
      assert.ok(n.stdout.split('\n').includes(`Address: ${SERVER_IPV4}`), show(n));
      const h = await lab.run(tn('host', '-t', 'A', SERVER_NAME, SERVER_IPV4), { env });
      assert.equal(h.code, 0, show(h));
      assert.ok(h.stdout.includes(`${SERVER_NAME} has address ${SERVER_IPV4}`), show(h));
      const a = await lab.run(tn(...pyFile('udp-asyncio-endpoint.py', SERVER_IPV4, String(PORTS.echo))), { env });
      assert.equal(a.code, 0, show(a));
      assert.deepEqual(lastJson(a), ['asyncio', [SERVER_IPV4, PORTS.echo]]);
    });

    test('a socket bound to 0.0.0.0:P still goes through NAT64, from port P', async () => {
      const r = await lab.run(tn(...pyFile('udp-bound-port.py', SERVER_IPV4, String(PORTS.whoami), '5353')), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ who: [string, string]; addr: [string, number]; name: [string, number] }>(r);
      assert.equal(lab.poolOf(o.who[0]), 0, r.stdout);
      assert.equal(o.who[1], '5353');
      assert.deepEqual(o.addr, [SERVER_IPV4, PORTS.whoami]);
      assert.deepEqual(o.name, ['0.0.0.0', 5353]);
    });

    test('sendmmsg/recvmmsg: 40 datagrams out and back, every sender 203.0.113.2:7', async () => {
      const r = await lab.run(tn(mmsg, SERVER_IPV4, String(PORTS.echo), '40'), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ sent: number; received: number; ok: boolean; senders: string[] }>(r);
      assert.equal(o.sent, 40, r.stdout);
      assert.equal(o.received, 40, r.stdout);
      assert.ok(o.ok, r.stdout);
      assert.deepEqual(o.senders, [`${SERVER_IPV4}:${PORTS.echo}`]);
    });

    test('closed port behind the NAT64: ECONNREFUSED on a connected socket; IP_RECVERR in IPv4 form', async () => {
      const r = await lab.run(tn(...pyFile('udp-recverr.py', SERVER_IPV4, String(PORTS.closed))), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ refused: string; addr: [string, number]; errs: Array<Record<string, number | string>> }>(r);
      assert.equal(o.refused, 'ECONNREFUSED', r.stdout);
      assert.deepEqual(o.addr, [SERVER_IPV4, PORTS.closed]);
      // ICMP port unreachable (3/3) from the server: TAYGA made it ICMPv6 1/4, the library makes it ICMP again.
      assert.deepEqual(o.errs, [{ errno: 111, origin: 2, type: 3, code: 3, family: 2, offender: SERVER_IPV4 }], r.stdout);
    });
  });
}

describe('broadcast and multicast stay IPv4 (library details)', () => {
  const program = pyFile('broadcast-multicast-steps.py');

  for (const prefix of ['2001:db8:100::/40', '2001:db8:122:344::/64']) {
    test(`IPv4-capable client, prefix ${prefix}: same as without tnat64, received over IPv4`, () =>
      withLab({ prefix, clientIPv4: true }, async (lab) => {
        const env = labEnv(lab);
        const plain = await lab.run([...program, '192.0.2.2']);
        const under = await lab.run(tn(...program, '192.0.2.2'), { env });
        assert.equal(under.code, 0, show(under));
        const o = lastJson(under);
        assert.deepEqual(o, lastJson(plain), `without tnat64: ${plain.stdout}`);
        assert.equal(o['subnet-no-SO_BROADCAST'], 13); // EACCES, as an AF_INET socket
        assert.deepEqual(o['subnet-from'], ['subnet', '192.0.2.2']);
        assert.deepEqual(o['mcast-from'], ['group', '192.0.2.2']);
      }),
    );
  }

  test('IPv6-only client, prefix /40: the same errors as a real AF_INET socket', () =>
    withLab({ prefix: '2001:db8:100::/40' }, async (lab) => {
      const env = labEnv(lab);
      const plain = await lab.run(program);
      const under = await lab.run(tn(...program), { env });
      assert.equal(under.code, 0, show(under));
      const o = lastJson(under);
      const p = lastJson(plain);
      // 192.0.2.255 is an ordinary remote address here (no IPv4 interface): tnat64 may send it through NAT64.
      for (const k of ['subnet-no-SO_BROADCAST', 'subnet', 'subnet-from']) {
        delete o[k];
        delete p[k];
      }
      assert.deepEqual(o, p, `under: ${under.stdout}\nwithout: ${plain.stdout}`);
      assert.notEqual(o.limited, 'ok');
      assert.notEqual(o['mcast-send'], 'ok');
    }),
  );
});
