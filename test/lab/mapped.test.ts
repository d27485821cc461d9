/**
 * Dual-stack programs that reach IPv4 through IPv4-mapped addresses (::ffff:a.b.c.d) on their own AF_INET6 sockets,
 * as Java's default network stack does for every IPv4 literal: under tnat64 on the lab's IPv6-only client they go
 * through TAYGA, fall back to IPv4 where NAT64 is down, and see their peers in the ::ffff: form they used.
 * Assertions are about what the programs (and the server) observe.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PATHS, SERVER_IPV4, withLab, type Lab } from '../../src/lab/lab.js';
import { PORTS } from '../../src/lab/services.js';
import { labEnv, lastJson, pyFile, requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];
const MAPPED = `::ffff:${SERVER_IPV4}`;
const CLIENT_V4 = '192.0.2.2';

before(async () => {
  await requireTools('python3', 'java', 'javac', 'tayga', 'unbound');
  requireBuilt();
});

/** python: an AF_INET6 TCP socket to [::ffff:SERVER]:PORT; what it got, its peer, its own family, or the errno. */
const tcp6 = (port: number, v6only = 0) => pyFile('tcp6-mapped-connect.py', MAPPED, String(port), String(v6only), String(PORTS.echo));

/** python: an AF_INET6 UDP socket: sendto/recvfrom, then connected send/recv and getpeername, to [::ffff:SERVER]. */
const udp6 = pyFile('udp6-mapped.py', MAPPED, String(PORTS.echo), String(PORTS.whoami));

describe('IPv4-mapped destinations through NAT64', () => {
  let lab: Lab;
  let env: NodeJS.ProcessEnv;
  useLab({}, (s) => ({ lab, env } = s));

  test('without tnat64 an AF_INET6 socket cannot reach ::ffff:203.0.113.2', async () => {
    const r = await lab.run(tcp6(PORTS.echo));
    assert.deepEqual(lastJson(r), { error: 'ENETUNREACH' }, show(r));
  });

  test('python AF_INET6 TCP: the echo, getpeername ::ffff:203.0.113.2, the server sees TAYGA\'s pool', async () => {
    const r = await lab.run(tn(...tcp6(PORTS.echo)), { env });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), { got: 'mapped\n', peer: [MAPPED, PORTS.echo, 0, 0], sock: 4, domain: true });
    const w = await lab.run(tn(...tcp6(PORTS.whoami)), { env });
    const o = lastJson<{ got: string }>(w);
    assert.equal(lab.poolOf(o.got.split(' ')[0]!), 0, show(w));
  });

  test('python AF_INET6 UDP: sendto/recvfrom and a connected socket, senders shown as ::ffff:203.0.113.2', async () => {
    const r = await lab.run(tn(...udp6), { env });
    assert.equal(r.code, 0, show(r));
    const o = lastJson<{ data: string; from: unknown; who: string; from2: unknown; back: string; peer: unknown }>(r);
    assert.equal(o.data, 'hello');
    assert.deepEqual(o.from, [MAPPED, PORTS.echo, 0, 0]);
    assert.equal(lab.poolOf(o.who), 0, show(r));
    assert.deepEqual(o.from2, [MAPPED, PORTS.whoami, 0, 0]);
    assert.equal(o.back, 'connected');
    assert.deepEqual(o.peer, [MAPPED, PORTS.echo, 0, 0]);
  });

  test('IPV6_V6ONLY on: the kernel\'s own refusal (ENETUNREACH), as without tnat64', async () => {
    const r = await lab.run(tn(...tcp6(PORTS.echo, 1)), { env });
    assert.deepEqual(lastJson(r), { error: 'ENETUNREACH' }, show(r));
  });

  test('java (default network stack, IPv4 literal): TCP and UDP echo, the datagram comes from 203.0.113.2', async () => {
    const classes = join(lab.dir, 'java');
    execFileSync('javac', ['-d', classes, join(PATHS.repo, 'test/lab/programs/Mapped.java')]);
    const java = ['java', '-cp', classes, 'Mapped', SERVER_IPV4, String(PORTS.echo), String(PORTS.echo)];
    const without = await lab.run(java, { timeoutMs: 30_000 });
    assert.match(lastJson<{ tcp: string }>(without).tcp, /^error: Network is unreachable/, show(without));
    const r = await lab.run(tn(...java), { env, timeoutMs: 30_000 });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), { tcp: 'from java tcp\n', udp: 'from java udp', from: `${SERVER_IPV4} ${PORTS.echo}` });
  });
});

describe('IPv4-mapped destinations, fallback', () => {
  // The same decision as for an IPv4 program: without tnat64 the kernel would use the host's IPv4.
  test('a dual-stack host with a working NAT64: a ::ffff: connect prefers NAT64, as an AF_INET one does', () =>
    withLab({ clientIPv4: true }, async (lab) => {
      const env = labEnv(lab);
      const r = await lab.run(tn(...tcp6(PORTS.whoami)), { env });
      assert.equal(r.code, 0, show(r));
      assert.equal(lab.poolOf(lastJson<{ got: string }>(r).got.split(' ')[0]!), 0, show(r));
    }),
  );

  // The gateway's "unreachable" comes after connect() returned EINPROGRESS (python connects non-blocking when it
  // has a timeout, as Java does): the late fallback, in poll and SO_ERROR.
  test('a dual-stack host whose NAT64 is down: a ::ffff: connect goes over IPv4', () =>
    withLab({ clientIPv4: true, nat64: false }, async (lab) => {
      const env = labEnv(lab);
      const r = await lab.run(tn(...tcp6(PORTS.whoami)), { env, timeoutMs: 30_000 });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ got: string; peer: unknown }>(r);
      assert.equal(o.got.split(' ')[0], CLIENT_V4, show(r));
      assert.deepEqual(o.peer, [MAPPED, PORTS.whoami, 0, 0]);
    }),
  );

  // No IPv6 route at all: the NAT64 attempt fails at once, for datagrams too.
  test('a host with only IPv4 and a prefix configured: ::ffff: connects and datagrams go over IPv4', () =>
    withLab({ clientIPv6: false, clientIPv4: true }, async (lab) => {
      const env = labEnv(lab);
      const r = await lab.run(tn(...tcp6(PORTS.whoami)), { env, timeoutMs: 30_000 });
      assert.equal(r.code, 0, show(r));
      assert.equal(lastJson<{ got: string }>(r).got.split(' ')[0], CLIENT_V4, show(r));
      const u = await lab.run(tn(...udp6), { env, timeoutMs: 30_000 });
      assert.equal(u.code, 0, show(u));
      const p = lastJson<{ who: string; from: unknown; peer: unknown }>(u);
      assert.equal(p.who, CLIENT_V4, show(u));
      assert.deepEqual(p.from, [MAPPED, PORTS.echo, 0, 0]);
      assert.deepEqual(p.peer, [MAPPED, PORTS.echo, 0, 0]);
    }),
  );
});
