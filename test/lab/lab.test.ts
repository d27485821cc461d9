/**
 * The lab itself, with native programs only (no tnat64): topology, TAYGA, DNS64, services, isolation, teardown,
 * and the `tnat64 lab` command.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Lab, PATHS, SERVER_IPV4, withLab } from '../../src/lab/lab.js';
import { run } from '../../src/lab/exec.js';
import { parsePrefix, synthesize } from '../../src/lab/addr.js';
import { HTTP_BODY, PORTS } from '../../src/lab/services.js';
import { command } from '../../src/cli/commands/lab.js';
import { lastJson, pyFile, requireTools, show, useLab } from '../../src/lab/testing.js';

/** Is the process alive (a zombie, which a non-reaping init may keep around, is not)? */
const running = (pid: string | number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const namespaces = async () => (await run(['ip', 'netns', 'list'])).stdout;
/** This process's lab namespaces (other processes may be building labs at the same time). */
const ours = async () => (await namespaces()).split('\n').filter((l) => l.startsWith(`tn64-${process.pid}-`)).join('\n');
const hostLinks = async () => (await run(['ip', '-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim() ?? '').sort();

describe('addresses', () => {
  test('RFC 6052 synthesis matches testdata/rfc6052.tsv', () => {
    const rows = readFileSync(`${PATHS.repo}/testdata/rfc6052.tsv`, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    assert.ok(rows.length >= 7);
    for (const row of rows) {
      const [prefix, ipv4, expected] = row.split('\t');
      assert.equal(synthesize(parsePrefix(prefix!), ipv4!), expected, row);
    }
  });
});

describe('default lab', () => {
  let lab: Lab;
  let linksBefore: string[];
  // (Hooks of a describe run in turn: the host's links are read before the lab exists.)
  before(async () => {
    await requireTools('curl', 'dig', 'python3', 'socat', 'tayga', 'unbound', 'ip');
    linksBefore = await hostLinks();
  });
  useLab({}, (s) => ({ lab } = s));

  test('nothing was added to the host namespace', async () => {
    // (Compared by name: other processes may add their own links meanwhile.)
    const added = (await hostLinks()).filter((l) => !linksBefore.includes(l));
    assert.deepEqual(added.filter((l) => /^(eth0|to-cli|to-srv|nat64)/.test(l)), []);
  });

  test('the client is IPv6-only: no IPv4 address, no IPv4 route; the server is IPv4-only', async () => {
    const v4 = await lab.run(['ip', '-4', '-o', 'addr', 'show', 'scope', 'global']);
    assert.equal(v4.stdout.trim(), '', show(v4));
    const r4 = await lab.run(['ip', '-4', 'route', 'show']);
    assert.equal(r4.stdout.trim(), '');
    const v6 = await lab.runIn('server', ['ip', '-6', '-o', 'addr', 'show']);
    assert.equal(v6.stdout.trim(), '', show(v6));
  });

  test('the resolver is the gateway\'s DNS64: AAAA for the server and for ipv4only.arpa are synthesized', async () => {
    assert.match(await readFileSync(`/etc/netns/${lab.addresses.namespaces.client}/resolv.conf`, 'utf8'), /nameserver 2001:db8:1::1/);
    const a = await lab.run(['dig', '+short', 'A', lab.addresses.server.name]);
    assert.equal(a.stdout.trim(), SERVER_IPV4, show(a));
    const aaaa = await lab.run(['dig', '+short', 'AAAA', lab.addresses.server.name]);
    assert.equal(aaaa.stdout.trim(), lab.synthesize(SERVER_IPV4));
    const wka = await lab.run(['dig', '+short', 'AAAA', 'ipv4only.arpa']);
    assert.deepEqual(wka.stdout.trim().split('\n').sort(), [lab.synthesize('192.0.0.170'), lab.synthesize('192.0.0.171')].sort());
    // Names outside the lab are refused at once rather than timing out on unreachable root servers.
    const out = await lab.run(['dig', '+tries=1', '+time=2', 'A', 'example.com']);
    assert.match(out.stdout, /status: REFUSED/, show(out));
  });

  test('native IPv6 clients reach the IPv4-only services through TAYGA', async () => {
    const target = lab.synthesize(SERVER_IPV4);
    const body = await lab.run(['curl', '-6', '-sS', '--max-time', '5', `http://[${target}]/`]);
    assert.equal(body.stdout, HTTP_BODY, show(body));
    const alt = await lab.run(['curl', '-sS', '--max-time', '5', `http://${lab.addresses.server.name}:${PORTS.httpAlt}/whoami`]);
    assert.equal(lab.poolOf(alt.stdout), 0, show(alt));
    const echo = await lab.run(['socat', '-T', '5', '-', `TCP6:[${target}]:${PORTS.echo}`], { input: 'tcp echo\n' });
    assert.equal(echo.stdout, 'tcp echo\n', show(echo));
    const who = await lab.run(['socat', '-T', '5', '-u', `TCP6:[${target}]:${PORTS.whoami}`, '-']);
    assert.equal(lab.poolOf(who.stdout.split(' ')[0]!), 0, show(who));
  });

  test('UDP echo, UDP whoami, a closed UDP port and the authoritative DNS answer through TAYGA', async () => {
    const target = lab.synthesize(SERVER_IPV4);
    const r = await lab.run(pyFile('udp6-native.py', target, String(PORTS.echo), String(PORTS.whoami), String(PORTS.closed)));
    assert.equal(r.code, 0, show(r));
    const o = lastJson<{ echo: string; from: string; who: string; closed: string }>(r);
    assert.equal(o.closed, 'ECONNREFUSED', 'the ICMP port unreachable comes back through TAYGA');
    assert.equal(o.echo, 'udp echo');
    assert.equal(o.from, target);
    assert.equal(lab.poolOf(o.who), 0);
    const d = await lab.run(['dig', '+short', '+tries=1', '+time=2', `@${target}`, 'A', lab.addresses.server.name]);
    assert.equal(d.stdout.trim(), SERVER_IPV4, show(d));
  });

  test('a closed port answers ECONNREFUSED through TAYGA', async () => {
    const r = await lab.run(pyFile('tcp-connect-errno.py', lab.synthesize(SERVER_IPV4), String(PORTS.closed)));
    assert.equal(r.stdout.trim(), 'ECONNREFUSED', show(r));
  });

  test('background processes: spawn, wait for output, stop', async () => {
    const bg = lab.spawn(['socat', '-u', 'TCP6-LISTEN:5555,reuseaddr', '-']);
    // Retry until the listener is up (bounded).
    let c = await lab.run(['socat', '-u', '-', 'TCP6:[::1]:5555'], { input: 'to the background\n' });
    for (let i = 0; i < 100 && c.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      c = await lab.run(['socat', '-u', '-', 'TCP6:[::1]:5555'], { input: 'to the background\n' });
    }
    assert.equal(c.code, 0, show(c));
    await lab.waitFor(bg, 'to the background');
    const done = await bg.stop();
    assert.ok(done.durationMs > 0);
  });

  test('every command is bounded', async () => {
    const r = await lab.run(['sleep', '30'], { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.ok(r.durationMs < 3000);
  });
});

describe('variants', () => {
  before(async () => requireTools('curl', 'dig', 'tayga', 'unbound'));

  test('dns64: false — a plain resolver: A yes, AAAA none, ipv4only.arpa has no AAAA', () =>
    withLab({ dns64: false }, async (lab) => {
      assert.equal((await lab.run(['dig', '+short', 'A', lab.addresses.server.name])).stdout.trim(), SERVER_IPV4);
      assert.equal((await lab.run(['dig', '+short', 'AAAA', lab.addresses.server.name])).stdout.trim(), '');
      assert.equal((await lab.run(['dig', '+short', 'AAAA', 'ipv4only.arpa'])).stdout.trim(), '');
    }),
  );

  test('nat64: false — the prefix leads nowhere, and fails in bounded time', () =>
    withLab({ nat64: false }, async (lab) => {
      const r = await lab.run(['curl', '-6', '-sS', '--max-time', '5', `http://[${lab.synthesize(SERVER_IPV4)}]/`]);
      assert.equal(r.code, 7, show(r));
      assert.ok(r.durationMs < 3000, `took ${r.durationMs}`);
    }),
  );

  test('IPv4-only client: direct IPv4 to the server, no IPv6 at all', () =>
    withLab({ clientIPv6: false, clientIPv4: true }, async (lab) => {
      const r = await lab.run(['curl', '-sS', '--max-time', '5', `http://${lab.addresses.server.name}/whoami`]);
      assert.equal(r.stdout.trim(), '192.0.2.2', show(r));
      const v6 = await lab.run(['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0']);
      assert.equal(v6.stdout.trim(), '');
    }),
  );

  test('nameservers: an IPv6-only client with an IPv4-only nameserver cannot resolve through glibc', () =>
    withLab({ nameservers: [SERVER_IPV4] }, async (lab) => {
      const r = await lab.run(['getent', 'hosts', lab.addresses.server.name], { timeoutMs: 10_000 });
      assert.equal(r.code, 2, show(r)); // not found: the nameserver is unreachable
      const d = await lab.run(['dig', '+short', `@${lab.synthesize(SERVER_IPV4)}`, 'A', lab.addresses.server.name]);
      assert.equal(d.stdout.trim(), SERVER_IPV4, 'the same server answers through NAT64');
    }),
  );

  test('a /32 prefix over 2001:db8::/32 moves the client link out of it; extra prefixes get their own pools', () =>
    withLab({ prefix: '2001:db8::/32', extraPrefixes: ['2001:db8:65::/96'] }, async (lab) => {
      assert.equal(lab.addresses.client.ipv6Link, '3fff:1::/64');
      for (const [i, p] of [lab.addresses.prefix, ...lab.addresses.extraPrefixes].entries()) {
        const r = await lab.run(['curl', '-6', '-sS', '--max-time', '5', `http://[${lab.synthesize(SERVER_IPV4, p)}]/whoami`]);
        assert.equal(lab.poolOf(r.stdout), i, `${p}: ${show(r)}`);
      }
    }),
  );
});

describe('several labs at once', () => {
  test('two labs with different prefixes side by side, each with its own namespaces and TAYGA', async () => {
    const [a, b] = await Promise.all([Lab.create(), Lab.create({ prefix: '2001:db8:122::/48' })]);
    try {
      assert.notEqual(a.addresses.namespaces.client, b.addresses.namespaces.client);
      for (const lab of [a, b]) {
        const r = await lab.run(['curl', '-6', '-sS', '--max-time', '5', `http://[${lab.synthesize(SERVER_IPV4)}]/whoami`]);
        assert.equal(lab.poolOf(r.stdout), 0, show(r));
        // The other lab's prefix leads nowhere here.
        const other = lab === a ? b : a;
        const x = await lab.run(['curl', '-6', '-sS', '--max-time', '3', `http://[${other.synthesize(SERVER_IPV4)}]/`]);
        assert.notEqual(x.code, 0, show(x));
      }
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  test('processes a command leaves in the background are killed with the lab', async () => {
    const lab = await Lab.create();
    await lab.run(['sh', '-c', 'sleep 300 >/dev/null 2>&1 &']);
    const pids = (await run(['ip', 'netns', 'pids', lab.addresses.namespaces.client])).stdout.split(/\s+/).filter(Boolean);
    assert.equal(pids.length, 1, 'the sleep runs in the client');
    await lab.destroy();
    assert.ok(!running(pids[0]!), `process ${pids[0]} survived`);
  });
});

describe('teardown', () => {
  test('destroy() removes namespaces, /etc/netns files, processes and the temporary directory', async () => {
    const lab = await Lab.create();
    const ns = Object.values(lab.addresses.namespaces);
    const pids = (await run(['ip', 'netns', 'pids', lab.addresses.namespaces.gateway])).stdout.split(/\s+/).filter(Boolean);
    assert.ok(pids.length >= 2, 'TAYGA and unbound run in the gateway');
    await lab.destroy();
    const list = await namespaces();
    for (const n of ns) assert.ok(!list.includes(n), `${n} still exists`);
    assert.ok(!existsSync(`/etc/netns/${lab.addresses.namespaces.client}`));
    assert.ok(!existsSync(lab.dir));
    for (const pid of pids) assert.ok(!running(pid), `process ${pid} survived`);
  });

  test('a failing build removes what it built', async () => {
    const before = await ours();
    await assert.rejects(Lab.create({ prefix: '2001:db8::/33' }), /prefix length/);
    await assert.rejects(Lab.create({ clientIPv4: false, clientIPv6: false }), /IPv6, IPv4 or both/);
    assert.equal(await ours(), before);
  });

  test('Lab.cleanup() removes labs whose process is gone, and only those', async () => {
    const mine = await Lab.create();
    const dead = 'tn64-999999999-0-cli';
    const notALab = `tn64-other-${process.pid}`; // another tool's namespace (the benchmark's are tn64-bench-PID)
    await run(['ip', 'netns', 'add', dead]);
    await run(['ip', 'netns', 'add', notALab]);
    const removed = await Lab.cleanup();
    assert.ok(removed.includes(dead), `removed ${removed.join(' ')}`);
    assert.ok(!(await namespaces()).includes(dead));
    assert.ok((await namespaces()).includes(notALab), 'cleanup removed a namespace that is not a lab');
    await run(['ip', 'netns', 'del', notALab]);
    assert.ok((await namespaces()).includes(mine.addresses.namespaces.client));
    await mine.destroy();
  });

  test('a process killed by SIGINT/SIGTERM while a lab exists leaves nothing behind', async () => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const child = spawn('node', ['--input-type=module', '-e', `
        import { Lab } from ${JSON.stringify(`${PATHS.repo}/dist/src/lab/lab.js`)};
        const lab = await Lab.create();
        console.log(lab.addresses.namespaces.client);
        setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
      const name = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
        child.once('exit', () => reject(new Error('child exited early')));
        setTimeout(() => reject(new Error('no lab within 20 s')), 20_000).unref();
      });
      assert.ok((await namespaces()).includes(name));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(sig);
      await exited;
      assert.ok(!(await namespaces()).includes(name), `${name} left behind after ${sig}`);
    }
  });
});

describe('tnat64 lab', () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { out: (t: string) => (o.out += t), err: (t: string) => (o.err += t), env: process.env } };
  };

  test('-- CMD runs in the client host and passes its exit status through; the lab is gone afterwards', async () => {
    const before = await ours();
    const { io: x } = io();
    assert.equal(await command.run(['--', 'sh', '-c', 'ip -6 route | grep -q "default via 2001:db8:1::1" && exit 3'], x), 3);
    assert.equal(await command.run(['--ipv4-only', '--', 'sh', '-c', 'ip -6 route | grep -q default || exit 4'], x), 4);
    assert.equal(await ours(), before);
  });

  test('the user\'s TNAT64_* variables reach CMD', async () => {
    const { io: x } = io();
    x.env = { ...process.env, TNAT64_DEBUG_FILE: '/tmp/x' };
    assert.equal(await command.run(['--', 'sh', '-c', 'test "$TNAT64_DEBUG_FILE" = /tmp/x'], x), 0);
  });

  test('options are checked', async () => {
    const { io: x } = io();
    await assert.rejects(command.run(['--bogus'], x), { name: 'UsageError' });
    await assert.rejects(command.run(['--prefix'], x), { name: 'UsageError' });
    await assert.rejects(command.run(['--all'], x), { name: 'UsageError' });
  });

  test('the launcher: bin/tnat64 lab -- CMD, with tnat64 on PATH inside', async () => {
    const r = await run([PATHS.tnat64, 'lab', '--prefix', '2001:db8:122::/48', '--', 'sh', '-c', `tnat64 curl -sS --max-time 5 http://${SERVER_IPV4}/; exit 5`], { timeoutMs: 30_000 });
    assert.equal(r.code, 5, show(r));
    assert.equal(r.stdout, HTTP_BODY);
  });

  test('the demonstration: fails without tnat64, works with it, says what happened', async () => {
    const r = await run([PATHS.tnat64, 'lab'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /Network is unreachable/);
    assert.match(r.stdout, /\[2001:db8:64::cb00:7102\]:80/);
    assert.match(r.stdout, /198\.51\.100\.\d+/);
  });
});
