/**
 * Unmodified IPv4-only TCP programs under tnat64 on the lab's IPv6-only client, through TAYGA to the IPv4-only
 * server. Assertions are about what the programs (and the server, and the kernel) observe.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS, SERVER_IPV4, type Lab } from '../../src/lab/lab.js';
import { HTTP_BODY, PORTS } from '../../src/lab/services.js';
import { parseConnects, straced } from '../../src/lab/strace.js';
import { explain, lastJson, nodeProgram, pyFile, requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

const EXTRA = '2001:db8:65::/96';
const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];

before(async () => {
  await requireTools('curl', 'wget', 'python3', 'socat', 'strace', 'perl', 'bash', 'tayga', 'unbound');
  requireBuilt();
});
let lab: Lab;
/** tnat64 with the lab's prefix given explicitly and no configuration file. */
let env: NodeJS.ProcessEnv;
useLab({ extraPrefixes: [EXTRA] }, (s) => ({ lab, env } = s));

describe('without tnat64 the client cannot reach IPv4', () => {
  test('curl -4 fails, python connect gets ENETUNREACH', async () => {
    const c = await lab.run(['curl', '-4', '-sS', '--max-time', '3', `http://${SERVER_IPV4}/`]);
    assert.equal(c.code, 7, show(c));
    const p = await lab.run(pyFile('tcp-connect-errno.py', SERVER_IPV4, '80'));
    assert.equal(p.stdout.trim(), 'ENETUNREACH', show(p));
  });
});

describe('clients', () => {
  test('curl: body, remote_ip is the IPv4 address asked for, the server sees TAYGA\'s pool', async () => {
    const r = await lab.run(tn('curl', '-sS', '--max-time', '5', '-w', '\n%{remote_ip} %{http_code}', `http://${SERVER_IPV4}/`), { env });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, `${HTTP_BODY}\n${SERVER_IPV4} 200`);
    const w = await lab.run(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/whoami`), { env });
    assert.equal(w.code, 0, show(w));
    assert.equal(lab.poolOf(w.stdout), 0, `server saw ${w.stdout.trim()}, not an address of ${lab.addresses.pools[0]}`);
  });

  test('curl -4 with a name: the A record, through NAT64', async () => {
    const r = await lab.run(tn('curl', '-4', '-sS', '--max-time', '5', '-w', '%{remote_ip}', `http://${lab.addresses.server.name}/whoami`), { env });
    assert.equal(r.code, 0, show(r));
    const [seen, remote] = r.stdout.split('\n');
    assert.equal(remote, SERVER_IPV4);
    assert.equal(lab.poolOf(seen!), 0, show(r));
  });

  test('curl: 4 MB download arrives whole', async () => {
    const n = 4_000_000;
    const r = await lab.run(tn('curl', '-sS', '--max-time', '10', '-o', '/dev/null', '-w', '%{size_download}', `http://${SERVER_IPV4}/bytes/${n}`), { env });
    assert.equal(r.code, 0, show(r));
    assert.equal(Number(r.stdout), n);
  });

  test('wget', async () => {
    const r = await lab.run(tn('wget', '-q', '-T', '5', '-t', '1', '-O', '-', `http://${SERVER_IPV4}:${PORTS.httpAlt}/`), { env });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY);
  });

  test('python3 blocking connect: getpeername is the IPv4 asked for, getsockname is AF_INET', async () => {
    const r = await lab.run(tn(...pyFile('tcp-echo-client.py', SERVER_IPV4, String(PORTS.echo))), { env });
    assert.equal(r.code, 0, show(r));
    const o = lastJson<{ peer: [string, number]; sock: unknown[]; echo: string }>(r);
    assert.deepEqual(o.peer, [SERVER_IPV4, PORTS.echo]);
    // A 2-tuple with a dotted quad: python built it from a sockaddr_in (an AF_INET6 answer gives a 4-tuple).
    assert.equal(o.sock.length, 2, `getsockname gave ${JSON.stringify(o.sock)}`);
    assert.match(String(o.sock[0]), /^\d+\.\d+\.\d+\.\d+$/);
    assert.ok(Number(o.sock[1]) > 0);
    assert.equal(o.echo, 'ping\n');
  });

  test('python3 non-blocking connect with select: EINPROGRESS, writable, SO_ERROR 0, still non-blocking', async () => {
    const r = await lab.run(tn(...pyFile('tcp-nonblocking-connect.py', SERVER_IPV4, String(PORTS.echo))), { env });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), { rc: 'EINPROGRESS', writable: 1, so_error: 0, nonblock: true, echo: 'hello', peer: [SERVER_IPV4, PORTS.echo] });
  });

  test('python3 selectors: a registration made before connect() still fires', async () => {
    const r = await lab.run(tn(...pyFile('tcp-selectors-connect.py', SERVER_IPV4, String(PORTS.whoami))), { env });
    assert.equal(r.code, 0, show(r));
    const o = lastJson<{ fired: string[]; err: number; seen: string; selector: string }>(r);
    assert.deepEqual(o.fired, ['conn'], show(r));
    assert.equal(o.err, 0);
    assert.equal(lab.poolOf(o.seen), 0, show(r));
  });

  test('python3: a closed port behind the NAT64 gives ECONNREFUSED (blocking and non-blocking)', async () => {
    const r = await lab.run(tn(...pyFile('tcp-refused.py', SERVER_IPV4, String(PORTS.closed))), { env });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), ['ECONNREFUSED', 'ECONNREFUSED']);
  });

  test('node net.connect({family: 4}): echo, remoteAddress and family as asked', async () => {
    const r = await lab.run(tn(...nodeProgram(`
      import net from 'node:net';
      const s = net.connect({ host: '${SERVER_IPV4}', port: ${PORTS.echo}, family: 4 });
      s.setTimeout(5000, () => { console.log(JSON.stringify({ error: 'timeout' })); process.exit(1); });
      s.on('error', (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(1); });
      s.on('connect', () => s.write('from node'));
      s.on('data', (d) => {
        console.log(JSON.stringify({ echo: String(d), remote: s.remoteAddress, family: s.remoteFamily, localFamily: s.address().family }));
        s.destroy();
      });`)), { env });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), { echo: 'from node', remote: SERVER_IPV4, family: 'IPv4', localFamily: 'IPv4' });
  });

  test('socat TCP4: echo, and the whoami port sees the pool', async () => {
    const e = await lab.run(tn('socat', '-T', '5', '-', `TCP4:${SERVER_IPV4}:${PORTS.echo}`), { env, input: 'through socat\n' });
    assert.equal(e.code, 0, show(e));
    assert.equal(e.stdout, 'through socat\n');
    const w = await lab.run(tn('socat', '-T', '5', '-u', `TCP4:${SERVER_IPV4}:${PORTS.whoami}`, '-'), { env });
    assert.equal(w.code, 0, show(w));
    assert.equal(lab.poolOf(w.stdout.split(' ')[0]!), 0, show(w));
  });

  test('bash /dev/tcp and perl IO::Socket::INET', async () => {
    const b = await lab.run(tn('bash', '-c', `exec 3<>/dev/tcp/${SERVER_IPV4}/${PORTS.whoami} && cat <&3`), { env, timeoutMs: 10_000 });
    assert.equal(b.code, 0, show(b));
    assert.equal(lab.poolOf(b.stdout.split(' ')[0]!), 0, show(b));
    const p = await lab.run(
      tn('perl', '-MIO::Socket::INET', '-e',
        `my $s = IO::Socket::INET->new(PeerAddr => "${SERVER_IPV4}", PeerPort => ${PORTS.echo}, Timeout => 5) or die "connect: $!\\n"; ` +
        `print $s "perl\\n"; my $l = <$s>; print $l, $s->peerhost, "\\n";`),
      { env },
    );
    assert.equal(p.code, 0, show(p));
    assert.equal(p.stdout, `perl\n${SERVER_IPV4}\n`);
  });
});

describe('more programs and patterns', () => {
  test('python3: 32 threads connecting at once all come through NAT64', async () => {
    const r = await lab.run(tn(...pyFile('tcp-threads-whoami.py', SERVER_IPV4, String(PORTS.whoami), '32')), { env });
    assert.equal(r.code, 0, show(r));
    const seen = lastJson<string[]>(r);
    assert.equal(seen.length, 32);
    assert.ok(seen.every((a) => lab.poolOf(a) === 0), show(r));
  });

  test('python3: after fork(), parent and child both connect through NAT64', async () => {
    const r = await lab.run(tn(...pyFile('tcp-fork-connect.py', SERVER_IPV4, String(PORTS.echo))), { env });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), [SERVER_IPV4, SERVER_IPV4, SERVER_IPV4]);
  });

  test('python3 asyncio.open_connection and urllib', async () => {
    const r = await lab.run(tn(...pyFile('tcp-asyncio-urllib.py', SERVER_IPV4, String(PORTS.echo))), { env });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(lastJson(r), { line: 'async\n', peer: SERVER_IPV4, body: HTTP_BODY });
  });

  test('python3: IPv4 socket options (IP_TOS, IP_TTL) set before connect stick; bind 0.0.0.0:0 then connect', async () => {
    const r = await lab.run(tn(...pyFile('tcp-ipv4-options.py', SERVER_IPV4, String(PORTS.whoami))), { env });
    assert.equal(r.code, 0, show(r));
    const o = lastJson<{ opts: number[]; seen: string; bseen: string; same_port: boolean }>(r);
    assert.deepEqual(o.opts, [0x10, 33]);
    assert.equal(lab.poolOf(o.seen), 0);
    assert.equal(lab.poolOf(o.bseen), 0);
    assert.equal(o.same_port, true, show(r));
  });

  test('python3: a dup()ed socket answers getpeername in IPv4 too; TCP Fast Open (sendto MSG_FASTOPEN, curl --tcp-fastopen)', async () => {
    const r = await lab.run(tn(...pyFile('tcp-dup-fastopen.py', SERVER_IPV4, String(PORTS.echo))), { env });
    assert.equal(r.code, 0, show(r));
    const o = lastJson<{ dup: [string, [string, number]]; tfo: string }>(r);
    assert.deepEqual(o.dup, ['AF_INET', [SERVER_IPV4, PORTS.echo]]);
    assert.equal(lab.poolOf(o.tfo), 0, show(r));
    const c = await lab.run(tn('curl', '-sS', '--max-time', '5', '--tcp-fastopen', `http://${SERVER_IPV4}/whoami`), { env });
    assert.equal(c.code, 0, show(c));
    assert.equal(lab.poolOf(c.stdout), 0);
  });

  test('errno sequences match a native IPv6 program to the synthesized address (refused, retry, in progress, connected)', async () => {
    // The same steps on one socket: an IPv4 program under tnat64 must see what an IPv6 program sees natively.
    const steps = (family: string, host: string) =>
      pyFile('tcp-errno-sequence.py', family, host, String(PORTS.closed), String(PORTS.whoami), String(PORTS.echo));
    const native = await lab.run(steps('AF_INET6', lab.synthesize(SERVER_IPV4)));
    const under = await lab.run(tn(...steps('AF_INET', SERVER_IPV4)), { env });
    assert.equal(native.code, 0, show(native));
    assert.equal(under.code, 0, show(under));
    assert.deepEqual(lastJson(under), lastJson(native));
    // (A second connect() right after EINPROGRESS is a race, EALREADY or 0, on a fast network: not asserted.)
    assert.deepEqual(lastJson(native), ['ECONNREFUSED', 'ECONNABORTED', 'ECONNREFUSED', 0, 'EINPROGRESS', 0, 'EISCONN']);
  });

  // DESIGN.md: bind(0.0.0.0:P) binds [::]:P dual stack, so a client that picks its source port can still use NAT64.
  test(
    'curl --local-port (bind to a fixed source port, then connect) reaches the server through NAT64',
    async () => {
      const r = await lab.run(tn('curl', '-sS', '--max-time', '5', '--local-port', '40000-40100', `http://${SERVER_IPV4}/whoami`), { env });
      assert.equal(r.code, 0, show(r));
      assert.equal(lab.poolOf(r.stdout), 0);
    },
  );

  test('debug logging at level 2 never reaches the program\'s stdout', async () => {
    const r = await lab.run(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/`), { env: { ...env, TNAT64_DEBUG: '2' } });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY);
  });

  test('net.ipv6.bindv6only=1 on the host changes nothing (the library sets IPV6_V6ONLY itself)', async () => {
    const set = (v: number) => lab.run(['sysctl', '-q', '-w', `net.ipv6.bindv6only=${v}`]);
    assert.equal((await set(1)).code, 0);
    try {
      const c = await lab.run(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/whoami`), { env });
      assert.equal(c.code, 0, show(c));
      assert.equal(lab.poolOf(c.stdout), 0);
      const srv = await lab.run(tn(...pyFile('tcp-listen-any-loopback.py')), { env });
      assert.equal(srv.code, 0, show(srv));
      assert.deepEqual(lastJson(srv), ['0.0.0.0', '127.0.0.1']);
    } finally {
      await set(0);
    }
  });

  // The fd table does not survive execve(): the new program's library probes a socket it never saw on first use
  // (DESIGN.md, "Inherited sockets"), so a connected socket handed over (inetd style, socat EXEC) still looks IPv4.
  test(
    'python3: a socket inherited across exec still looks IPv4 to the new program, the prefix configured or discovered',
    async () => {
      const r = await lab.run(tn(...pyFile('tcp-inherit-exec.py', SERVER_IPV4, String(PORTS.echo))), { env });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), ['AF_INET', [SERVER_IPV4, PORTS.echo]]);
      // With no prefix configured, the new program has discovered none when it first meets the socket: it does then.
      const d = await lab.run(tn(...pyFile('tcp-inherit-exec.py', SERVER_IPV4, String(PORTS.echo))), { env: { TNAT64_CONF_FILE: env.TNAT64_CONF_FILE } });
      assert.equal(d.code, 0, show(d));
      assert.deepEqual(lastJson(d), ['AF_INET', [SERVER_IPV4, PORTS.echo]], 'with the prefix discovered');
    },
  );

  test('node fetch() and http.get({family: 4})', async () => {
    const r = await lab.run(tn(...nodeProgram(`
      import http from 'node:http';
      const viaFetch = await (await fetch('http://${SERVER_IPV4}:${PORTS.httpAlt}/', { signal: AbortSignal.timeout(5000) })).text();
      const viaGet = await new Promise((resolve, reject) => {
        http.get({ host: '${SERVER_IPV4}', port: ${PORTS.http}, path: '/whoami', family: 4, timeout: 5000 }, (res) => {
          let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      console.log(JSON.stringify({ viaFetch, viaGet: viaGet.trim() }));`)), { env });
    assert.equal(r.code, 0, show(r));
    const o = lastJson<{ viaFetch: string; viaGet: string }>(r);
    assert.equal(o.viaFetch, HTTP_BODY);
    assert.equal(lab.poolOf(o.viaGet), 0, show(r));
  });
});

describe('IPv6-capable programs are left alone', () => {
  test('curl -6 to the synthesized address and curl by name (AAAA from the DNS64) work the same under tnat64', async () => {
    for (const url of [`http://[${lab.synthesize(SERVER_IPV4)}]/whoami`, `http://${lab.addresses.server.name}/whoami`]) {
      const plain = await lab.run(['curl', '-sS', '--max-time', '5', '-w', ' %{remote_ip}', url]);
      const under = await lab.run(tn('curl', '-sS', '--max-time', '5', '-w', ' %{remote_ip}', url), { env });
      assert.equal(under.code, 0, show(under));
      assert.equal(under.stdout.split(' ')[1], plain.stdout.split(' ')[1]);
      assert.equal(under.stdout.split(' ')[1], lab.synthesize(SERVER_IPV4));
      assert.equal(lab.poolOf(under.stdout.split(' ')[0]!), 0);
    }
  });
});

describe('servers under tnat64 keep their IPv4 behaviour', () => {
  // One program, server and client in the same process (and the same namespace): run it with and without tnat64,
  // the observations must be identical.
  const program = (bindTo: string) => pyFile('tcp-server-and-client.py', bindTo);
  for (const bindTo of ['127.0.0.1', '0.0.0.0']) {
    test(`bound to ${bindTo}`, async () => {
      const plain = await lab.run(program(bindTo));
      assert.equal(plain.code, 0, show(plain));
      const under = await lab.run(tn(...program(bindTo)), { env });
      assert.equal(under.code, 0, show(under));
      assert.deepEqual(lastJson(under), lastJson(plain));
      assert.deepEqual(lastJson(plain), { listen: bindTo, reply: 'ABC', client_peer: '127.0.0.1', accepted_from: '127.0.0.1', server_sock: '127.0.0.1' });
    });
  }

  // DESIGN.md, "Peers that are not IPv4": 0.0.0.0:P is bound dual stack, 127.0.0.1:P is never widened.
  test('bound to 0.0.0.0 it also accepts IPv6 clients, shown as 198.19/16 stand-ins (never ::1 as 0.0.0.1); 127.0.0.1 stays IPv4 only', async () => {
    const r = await lab.run(tn(...pyFile('tcp-listen-ipv6-clients.py')), { env });
    assert.equal(r.code, 0, show(r));
    const o = lastJson<Record<string, Array<string[] | string>>>(r);
    const [first, second] = o['0.0.0.0'] as string[][];
    assert.match(first![0]!, /^198\.19\.\d+\.\d+$/, show(r));
    assert.deepEqual(first, [first![0], first![0], 'AF_INET'], 'accept and getpeername agree, the socket is AF_INET');
    assert.deepEqual(second, first, 'the stand-in is stable');
    assert.deepEqual(o['127.0.0.1'], ['ECONNREFUSED', 'ECONNREFUSED']);
  });
});

describe('the kernel and the tools agree with the program', () => {
  test('strace: connect() reached the kernel as AF_INET6 to the synthesized address; explain names it', async () => {
    const r = await lab.run(straced(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/`)), { env });
    assert.equal(r.code, 0, show(r));
    const synthesized = lab.synthesize(SERVER_IPV4);
    const inet6 = parseConnects(r.stderr).filter((c) => c.port === 80);
    assert.ok(inet6.length > 0, `no connect to port 80 in:\n${r.stderr}`);
    assert.deepEqual(inet6.map((c) => [c.family, c.address]), [['AF_INET6', synthesized]]);
    const x = await explain(lab, `${SERVER_IPV4}:80`, env);
    assert.deepEqual([x.method, x.synthesized], ['nat64', inet6[0]!.address], 'explain and the kernel disagree');
  });
});

describe('configuration', () => {
  const conf = (name: string, text: string) => {
    const file = join(lab.dir, name);
    writeFileSync(file, text);
    return file;
  };
  const whoami = async (port: number, e: NodeJS.ProcessEnv, bare = false) => {
    const argv = ['curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}:${port}/whoami`];
    const r = await lab.run(bare ? argv : tn(...argv), { env: e });
    return { r, pool: r.code === 0 ? lab.poolOf(r.stdout) : -2 };
  };

  test('a path sends one destination (port 8080) through another prefix; the rest uses the default', async () => {
    const file = conf('path.conf', `# test\nnat64_prefix = ${lab.addresses.prefix}\npath {\n  subnet = ${SERVER_IPV4}:${PORTS.httpAlt}-${PORTS.httpAlt}/32\n  nat64_prefix = ${EXTRA}\n}\n`);
    const e = { TNAT64_CONF_FILE: file };
    const alt = await whoami(PORTS.httpAlt, e);
    assert.equal(alt.pool, 1, show(alt.r));
    // The kernel, explain and the lab agree on the address used for the path.
    const traced = await lab.run(straced(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}:${PORTS.httpAlt}/`)), { env: e });
    const kernel = parseConnects(traced.stderr).filter((c) => c.port === PORTS.httpAlt).map((c) => c.address);
    const x = await explain(lab, `${SERVER_IPV4}:${PORTS.httpAlt}`, e);
    assert.deepEqual(kernel, [lab.synthesize(SERVER_IPV4, EXTRA)], show(traced));
    assert.deepEqual([x.reason, x.synthesized], ['path', kernel[0]]);
    const main = await whoami(PORTS.http, e);
    assert.equal(main.pool, 0, show(main.r));
  });

  test('a local network goes over plain IPv4 (unreachable on this host) instead of NAT64', async () => {
    const file = conf('local.conf', `nat64_prefix = ${lab.addresses.prefix}\nlocal = 203.0.113.0/24\n`);
    const r = await lab.run(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/`), { env: { TNAT64_CONF_FILE: file } });
    assert.equal(r.code, 7, show(r));
    assert.ok(r.durationMs < 3000, `took ${r.durationMs} ms`);
  });

  test('bare LD_PRELOAD honours TNAT64_CONF_FILE (path and default)', async () => {
    const file = conf('bare.conf', `nat64_prefix = ${lab.addresses.prefix}\npath {\n  subnet = 203.0.113.0:${PORTS.httpAlt}-${PORTS.httpAlt}/24\n  nat64_prefix = ${EXTRA}\n}\n`);
    const e = { LD_PRELOAD: PATHS.library, TNAT64_CONF_FILE: file };
    const alt = await whoami(PORTS.httpAlt, e, true);
    assert.equal(alt.pool, 1, show(alt.r));
    const main = await whoami(PORTS.http, e, true);
    assert.equal(main.pool, 0, show(main.r));
  });

  test('TNAT64_PREFIX overrides the file\'s nat64_prefix', async () => {
    const file = conf('other.conf', `nat64_prefix = ${lab.addresses.prefix}\n`);
    const r = await whoami(PORTS.http, { TNAT64_CONF_FILE: file, TNAT64_PREFIX: EXTRA });
    assert.equal(r.pool, 1, show(r.r));
  });
});

describe('discovery through DNS64', () => {
  test('no TNAT64_PREFIX, no configuration: the lab\'s prefix is discovered and used', async () => {
    const e = { TNAT64_CONF_FILE: join(lab.dir, 'absent.conf') };
    const r = await lab.run(straced(tn('curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/whoami`)), { env: e });
    assert.equal(r.code, 0, show(r));
    assert.equal(lab.poolOf(r.stdout), 0, show(r));
    const kernel = parseConnects(r.stderr).filter((c) => c.port === 80).map((c) => c.address);
    assert.deepEqual(kernel, [lab.synthesize(SERVER_IPV4)]);
  });
});
