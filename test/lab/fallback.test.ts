/**
 * Hosts that are not simply IPv6-only: fallback to IPv4 when NAT64 cannot be reached, and the behaviour with no
 * prefix at all (a fast failure, not a hang, and not a flood of messages).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PATHS, SERVER_IPV4, withLab, type Lab, type LabOptions } from '../../src/lab/lab.js';
import { PORTS } from '../../src/lab/services.js';
import { labEnv, lastJson, nodeProgram, pyFile, requireBuilt, requireTools, show } from '../../src/lab/testing.js';

const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];
const CLIENT_V4 = '192.0.2.2';

before(async () => {
  await requireTools('curl', 'python3', 'tayga', 'unbound');
  requireBuilt();
});

/** What the server's /whoami saw for curl under tnat64 in this lab (the run must succeed). */
async function seenByServer(lab: Lab, env: NodeJS.ProcessEnv): Promise<string> {
  const c = await lab.run(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/whoami`), { env });
  assert.equal(c.code, 0, show(c));
  return c.stdout.trim();
}

/**
 * python: connect N times to the server's whoami port; what each connection saw, and how long it all took.
 * With a timeout python connects non-blocking (poll, then SO_ERROR); without, it blocks in connect().
 */
const whoamiLoop = (n: number, timeout = true) => pyFile('tcp-whoami-loop.py', SERVER_IPV4, String(PORTS.whoami), String(n), timeout ? '1' : '0');

describe('fallback to IPv4', () => {
  test('a host with only IPv4 and a prefix configured: connects go over IPv4', () =>
    withLab({ clientIPv6: false, clientIPv4: true }, async (lab) => {
      const env = labEnv(lab);
      assert.equal(await seenByServer(lab, env), CLIENT_V4);
      const p = await lab.run(tn(...whoamiLoop(3)), { env });
      assert.equal(p.code, 0, show(p));
      const o = lastJson<{ seen: string[]; seconds: number }>(p);
      assert.deepEqual(o.seen, [CLIENT_V4, CLIENT_V4, CLIENT_V4]);
      assert.ok(o.seconds < 3, `took ${o.seconds} s`);
    }),
  );

  test('a dual-stack host whose NAT64 is down: a blocking connect falls back to IPv4, then remembers it', () =>
    withLab({ clientIPv4: true, nat64: false }, async (lab) => {
      const env = labEnv(lab);
      const p = await lab.run(tn(...whoamiLoop(5, false)), { env, timeoutMs: 30_000 });
      assert.equal(p.code, 0, show(p));
      const o = lastJson<{ seen: string[]; seconds: number }>(p);
      assert.deepEqual(o.seen, Array(5).fill(CLIENT_V4), show(p));
      // The first attempt waits for the gateway's "unreachable" (the kernel retries the SYN once, ~1 s); the
      // next ones go straight to IPv4.
      assert.ok(o.seconds < 3, `took ${o.seconds} s`);
    }),
  );

  // The ICMPv6 "unreachable" arrives after connect() returned EINPROGRESS; the program reads it with
  // getsockopt(SO_ERROR) (curl, python, node's libuv all do), where the library connects again over IPv4.
  test(
    'a dual-stack host whose NAT64 is down: non-blocking connects (curl, python with a timeout) fall back too',
    () =>
      withLab({ clientIPv4: true, nat64: false }, async (lab) => {
        const env = labEnv(lab);
        assert.equal(await seenByServer(lab, env), CLIENT_V4);
        const p = await lab.run(tn(...whoamiLoop(3)), { env, timeoutMs: 30_000 });
        assert.deepEqual(lastJson<{ seen: string[] }>(p).seen, Array(3).fill(CLIENT_V4), show(p));
      }),
  );

  // curl fails on poll()'s POLLERR before it reads SO_ERROR (the library settles it in poll); python asyncio and
  // node (libuv) wait with epoll and decide on SO_ERROR alone. Each program is a new process: nothing remembered.
  test('a dual-stack host whose NAT64 is down: python asyncio and node (epoll, then SO_ERROR) fall back too', () =>
    withLab({ clientIPv4: true, nat64: false }, async (lab) => {
      const env = labEnv(lab);
      const a = await lab.run(tn(...pyFile('tcp-asyncio-whoami.py', SERVER_IPV4, String(PORTS.whoami))), { env, timeoutMs: 30_000 });
      assert.equal(lastJson(a), CLIENT_V4, show(a));
      const n = await lab.run(tn(...nodeProgram(`
        import net from 'node:net';
        const s = net.connect({ host: '${SERVER_IPV4}', port: ${PORTS.whoami}, family: 4, timeout: 5000 });
        s.once('data', (d) => { console.log(JSON.stringify(String(d).split(' ')[0])); s.destroy(); });
        s.on('error', (e) => console.log(JSON.stringify(e.code)));`)), { env, timeoutMs: 30_000 });
      assert.equal(lastJson(n), CLIENT_V4, show(n));
    }),
  );

  // [what, lab, whether TNAT64_PREFIX is set, who the server should see: the client's IPv4 or TAYGA's pool]
  const cases: Array<[string, LabOptions, boolean, 'ipv4' | 'nat64']> = [
    ['a host with only IPv4, prefix only discoverable: NAT64 unreachable, IPv4 it is', { clientIPv6: false, clientIPv4: true }, false, 'ipv4'],
    ['a dual-stack host with no prefix anywhere: plain IPv4, as without tnat64', { clientIPv4: true, dns64: false }, false, 'ipv4'],
    ['a dual-stack host with a working NAT64 prefers NAT64', { clientIPv4: true }, true, 'nat64'],
  ];
  for (const [what, options, withPrefix, expected] of cases) {
    test(what, () =>
      withLab(options, async (lab) => {
        const env = { TNAT64_CONF_FILE: join(lab.dir, 'absent.conf'), ...(withPrefix ? { TNAT64_PREFIX: lab.addresses.prefix } : {}) };
        const seen = await seenByServer(lab, env);
        if (expected === 'ipv4') assert.equal(seen, CLIENT_V4);
        else assert.equal(lab.poolOf(seen), 0, `server saw ${seen}`);
      }),
    );
  }
});

describe('no prefix anywhere (no DNS64, no configuration, no TNAT64_PREFIX)', () => {
  test('curl fails fast with its connect error; python gets ENETUNREACH each time; one message, not a flood', () =>
    withLab({ dns64: false }, async (lab) => {
      const env = { TNAT64_CONF_FILE: join(lab.dir, 'absent.conf') };
      const c = await lab.run(tn('curl', '-sS', `http://${SERVER_IPV4}/`), { env, timeoutMs: 20_000 });
      assert.equal(c.timedOut, false, 'curl hung');
      assert.equal(c.code, 7, show(c));
      assert.ok(c.durationMs < 3000, `curl took ${c.durationMs} ms`);
      const p = await lab.run(tn(...whoamiLoop(20)), { env, timeoutMs: 20_000 });
      assert.equal(p.code, 0, show(p));
      const o = lastJson<{ seen: string[]; seconds: number }>(p);
      assert.deepEqual(o.seen, Array(20).fill('ENETUNREACH'));
      assert.ok(o.seconds < 3, `took ${o.seconds} s`);
      const lines = p.stderr.trim().split('\n').filter(Boolean);
      assert.ok(lines.length <= 3, `stderr has ${lines.length} lines for 20 connects:\n${p.stderr}`);
    }),
  );
  test('TNAT64_DISCOVERY=0 on a network with DNS64: no prefix, the same fast failure', () =>
    withLab({}, async (lab) => {
      const env = { TNAT64_CONF_FILE: join(lab.dir, 'absent.conf'), TNAT64_DISCOVERY: '0' };
      const c = await lab.run(tn('curl', '-sS', `http://${SERVER_IPV4}/`), { env, timeoutMs: 20_000 });
      assert.equal(c.code, 7, show(c));
      assert.ok(c.durationMs < 3000, `curl took ${c.durationMs} ms`);
    }),
  );

  test('tnat64 discover says there is no DNS64', () =>
    withLab({ dns64: false }, async (lab) => {
      const d = await lab.run(tn('discover', '--json'));
      const o = JSON.parse(d.stdout) as { prefixes: unknown[] };
      assert.deepEqual(o.prefixes, [], show(d));
    }),
  );
});
