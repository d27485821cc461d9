/**
 * The seccomp engine (build/tnat64-seccomp, lib/seccomp): statically linked and Go programs, which LD_PRELOAD cannot
 * reach, on the lab's IPv6-only client through TAYGA to the IPv4-only server, with `tnat64 PROGRAM` and no flag (the
 * launcher picks the engine). Programs: Debian's busybox-static, a C client (test/lab/programs/static-client.c)
 * built with gcc -static and musl-gcc -static, a Go program (test/lab/programs/gonet.go) built with and without cgo,
 * the engine's limits (test/lab/programs/limits.c, gcc -static), all compiled here into a temporary directory. Assertions are about what the programs observe: bytes, the addresses
 * the socket calls return, exit status and signals.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/lab/exec.js';
import { PATHS, SERVER_IPV4, SERVER_NAME, withLab, type Background, type Lab } from '../../src/lab/lab.js';
import { HTTP_BODY, PORTS } from '../../src/lab/services.js';
import { labEnv, lastJson, pyFile, requireBuilt, requireTools, show, udpEchoFromGateway, useLab } from '../../src/lab/testing.js';

const SUPERVISOR = join(PATHS.repo, 'build', 'tnat64-seccomp');
const SOURCES = join(PATHS.repo, 'test', 'lab', 'programs');
const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];

/** The lab with its DNS64 resolver (IPv6) in the client's resolv.conf. */
let lab: Lab;
/** A lab whose client's resolv.conf names only the IPv4-only server's nameserver (unreachable without NAT64). */
let v4dns: Lab;
let env: NodeJS.ProcessEnv;
let v4env: NodeJS.ProcessEnv;
/** The temporary directory the programs are built in. */
let dir: string;
const bin = { gcc: '', musl: '', go: '', cgo: '', noseccomp: '', limits: '' };

async function build(): Promise<void> {
  const c = join(SOURCES, 'static-client.c');
  bin.gcc = join(dir, 'static-client-gcc');
  bin.musl = join(dir, 'static-client-musl');
  bin.noseccomp = join(dir, 'noseccomp');
  bin.limits = join(dir, 'limits');
  bin.go = join(dir, 'gonet');
  bin.cgo = join(dir, 'gonet-cgo');
  const go = (cgo: string) => ({
    ...process.env,
    CGO_ENABLED: cgo,
    GOCACHE: join(dir, 'gocache'),
    GOPATH: join(dir, 'gopath'),
    GOFLAGS: '',
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
  });
  const steps: Array<[string[], NodeJS.ProcessEnv?]> = [
    [['gcc', '-static', '-O2', '-Wall', '-pthread', '-o', bin.gcc, c]],
    [['musl-gcc', '-static', '-O2', '-Wall', '-o', bin.musl, c]],
    [['gcc', '-O2', '-Wall', '-o', bin.noseccomp, join(SOURCES, 'noseccomp.c')]],
    [['gcc', '-static', '-O2', '-Wall', '-o', bin.limits, join(SOURCES, 'limits.c')]],
    [['go', 'build', '-o', bin.go, join(SOURCES, 'gonet.go')], go('0')],
  ];
  const results = await Promise.all(steps.map(([argv, e]) => run(argv, { env: e, timeoutMs: 120_000, cwd: dir })));
  // The cgo build after the other: they share the cache.
  results.push(await run(['go', 'build', '-o', bin.cgo, join(SOURCES, 'gonet.go')], { env: go('1'), timeoutMs: 120_000, cwd: dir }));
  for (const [i, r] of results.entries()) assert.equal(r.code, 0, `building ${Object.values(bin)[i]}: ${show(r)}`);
}

before(async () => {
  await requireTools('busybox', 'gcc', 'musl-gcc', 'go', 'curl', 'python3', 'tayga', 'unbound', 'tcpdump');
  requireBuilt();
  assert.ok(existsSync(SUPERVISOR), `${SUPERVISOR} is missing: run npm run build`);
  dir = mkdtempSync(join(tmpdir(), 'tnat64-seccomp-test-'));
  await build();
});
// (node 20 runs these top-level hooks at the same time: the labs are built while the programs compile.)
useLab({}, (s) => ({ lab, env } = s));
useLab({ nameservers: [SERVER_IPV4] }, (s) => ({ lab: v4dns, env: v4env } = s));

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('without tnat64 the static programs cannot reach IPv4 (the control)', () => {
  test('busybox wget, the C client and the Go program get "network unreachable"', async () => {
    const w = await lab.run(['busybox', 'wget', '-q', '-O-', `http://${SERVER_IPV4}/`]);
    assert.notEqual(w.code, 0, show(w));
    assert.match(w.stderr, /Network is unreachable/, show(w));
    const c = await lab.run([bin.gcc, 'tcp', SERVER_IPV4, '80', 'GET / HTTP/1.0\\r\\n\\r\\n']);
    assert.deepEqual([c.code, lastJson(c).errno], [1, 'ENETUNREACH'], show(c));
    const g = await lab.run([bin.go, 'http', 'tcp4', `${SERVER_IPV4}:80`]);
    assert.equal(g.code, 1, show(g));
    assert.match(String(lastJson(g).text), /network is unreachable/, show(g));
  });
});

describe('busybox (statically linked), with no flag', () => {
  test('wget: the body', async () => {
    const r = await lab.run(tn('busybox', 'wget', '-q', '-O-', `http://${SERVER_IPV4}/`), { env, timeoutMs: 15_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY);
  });

  test('nc to the TCP echo port: the bytes come back', async () => {
    const r = await lab.run(tn('busybox', 'nc', SERVER_IPV4, String(PORTS.echo)), { env, input: 'through busybox nc\n', timeoutMs: 15_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'through busybox nc\n');
  });

  test('nslookup to the IPv4-only nameserver: the A record', async () => {
    const r = await lab.run(tn('busybox', 'nslookup', SERVER_NAME, SERVER_IPV4), { env, timeoutMs: 15_000 });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, new RegExp(`^Server:\\s+${SERVER_IPV4.replace(/\./g, '\\.')}$`, 'm'), show(r));
    assert.match(r.stdout, new RegExp(`Name:\\s+${SERVER_NAME.replace(/\./g, '\\.')}\\s+Address:\\s+${SERVER_IPV4.replace(/\./g, '\\.')}\\s*$`, 'm'), show(r));
  });

  test('children of a supervised program are supervised: two wgets from busybox sh', async () => {
    const r = await lab.run(
      tn('busybox', 'sh', '-c', `busybox wget -q -O- http://${SERVER_IPV4}/ && busybox wget -q -O- http://${SERVER_IPV4}:${PORTS.httpAlt}/`),
      { env, timeoutMs: 15_000 },
    );
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY + HTTP_BODY);
  });

  test('a static program that a dynamic one starts is supervised: busybox from dash, bash and python subprocess', async () => {
    const url = `http://${SERVER_IPV4}/`;
    for (const argv of [
      ['sh', '-c', `busybox wget -q -O- ${url}`],
      ['bash', '-c', `busybox wget -q -O- ${url}; exit $?`],
      pyFile('busybox-wget-subprocess.py', url),
    ]) {
      const r = await lab.run(tn(...argv), { env, timeoutMs: 15_000 });
      assert.deepEqual([r.code, r.stdout], [0, HTTP_BODY], `${argv[0]}: ${show(r)}`);
    }
  });

  test('a dynamically linked child of a supervised program (curl from busybox sh) gets through NAT64', async () => {
    const r = await lab.run(tn('busybox', 'sh', '-c', `curl -sS --max-time 5 http://${SERVER_IPV4}/whoami`), { env, timeoutMs: 15_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(lab.poolOf(r.stdout), 0, show(r));
  });
});

interface Addr {
  family: string;
  address: string;
  port: number;
  len: number;
}
const inet = (address: string, port: number): Addr => ({ family: 'AF_INET', address, port, len: 16 });

for (const [name, which] of [['gcc -static', 'gcc'], ['musl-gcc -static', 'musl']] as const) {
  describe(`a C client built with ${name}`, () => {
    const prog = () => bin[which];

    test('tcp: blocking connect, getpeername is AF_INET 203.0.113.2:80, getsockname AF_INET, the HTTP body', async () => {
      const r = await lab.run(tn(prog(), 'tcp', SERVER_IPV4, String(PORTS.http), 'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n'), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ peer: Addr; sock: Addr; data: string }>(r);
      assert.deepEqual(o.peer, inet(SERVER_IPV4, PORTS.http));
      assert.equal(o.sock.family, 'AF_INET', show(r));
      assert.equal(o.sock.len, 16);
      assert.match(o.sock.address, /^\d+\.\d+\.\d+\.\d+$/);
      assert.ok(o.sock.port > 0);
      assert.match(o.data, /^HTTP\/1\.1 200 /, show(r));
      assert.ok(o.data.endsWith(`\r\n\r\n${HTTP_BODY}`), show(r));
    });

    test('::ffff:203.0.113.2 on its own AF_INET6 sockets (Java\'s way): through NAT64, getpeername and recvfrom in the ::ffff: form', async () => {
      const r = await lab.run(tn(prog(), 'mapped', SERVER_IPV4, String(PORTS.whoami), String(PORTS.echo), ''), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ peer: Addr; data: string; from: Addr; reply: string }>(r);
      assert.deepEqual([o.peer.family, o.peer.address, o.peer.port], ['AF_INET6', `::ffff:${SERVER_IPV4}`, PORTS.whoami], show(r));
      assert.equal(lab.poolOf(o.data.split(' ')[0]!), 0, `the server saw ${o.data.trim()}, not TAYGA's pool: ${show(r)}`);
      assert.deepEqual([o.from.family, o.from.address, o.from.port, o.reply], ['AF_INET6', `::ffff:${SERVER_IPV4}`, PORTS.echo, 'mapped'], show(r));
    });

    test('tcp: echo, with shutdown(SHUT_WR)', async () => {
      const r = await lab.run(tn(prog(), 'tcp', SERVER_IPV4, String(PORTS.echo), 'static echo\\n', 'shut'), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ peer: Addr; data: string }>(r);
      assert.deepEqual([o.peer, o.data], [inet(SERVER_IPV4, PORTS.echo), 'static echo\n']);
    });

    test('nonblocking: epoll registered before connect fires EPOLLOUT, SO_ERROR 0, still O_NONBLOCK, echo', async () => {
      const r = await lab.run(tn(prog(), 'nonblocking', SERVER_IPV4, String(PORTS.echo), 'through epoll'), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson(r);
      assert.equal(o.sock && (o.sock as Addr).family, 'AF_INET', show(r));
      delete o.sock;
      assert.deepEqual(o, {
        mode: 'nonblocking',
        connect: 'EINPROGRESS',
        events: 1,
        epollout: true,
        fd: true,
        so_error: '0',
        nonblock: true,
        peer: inet(SERVER_IPV4, PORTS.echo),
        data: 'through epoll',
      });
    });

    test('threads, fork, a socket made before fork, vfork + exec: every exchange through NAT64, peers as dialled', async () => {
      const r = await lab.run(tn(prog(), 'procs', SERVER_IPV4, String(PORTS.echo)), { env, timeoutMs: 60_000 });
      assert.equal(r.code, 0, show(r));
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(lines.find((l) => l.mode === 'procs'), { mode: 'procs', threads: 160, fork: 0, inherited: 0, vfork: 0 }, show(r));
      const child = lines.find((l) => l.mode === 'tcp');
      assert.deepEqual([child?.peer, child?.data], [inet(SERVER_IPV4, PORTS.echo), 'vforked\n'], show(r));
      const native = await lab.run([prog(), 'procs', SERVER_IPV4, String(PORTS.echo)], { timeoutMs: 60_000 });
      assert.deepEqual(lastJson(native), { mode: 'procs', threads: 0, fork: 1, inherited: 1, vfork: 1 }, `the control: ${show(native)}`);
    });

    test('sendmsg in pieces with msg_name: 300 iovecs as one datagram, 1025 EMSGSIZE as the kernel says, 100 KiB over TCP whole', async () => {
      const r = await lab.run(tn(prog(), 'gather', SERVER_IPV4, String(PORTS.echo)), { env });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), {
        mode: 'gather',
        from: inet(SERVER_IPV4, PORTS.echo),
        datagram: 300,
        same: true,
        iov1025: 'EMSGSIZE',
        stream: 102400,
        back: 102400,
        stream_same: true,
      });
    });

    test('a send that waits for room and is interrupted (EINTR) sends nothing later; a waiting recvfrom, recvmsg or recvmmsg interrupted loses no datagram', async () => {
      const r = await lab.run(tn(prog(), 'sendblock', SERVER_IPV4, String(PORTS.echo)), { env, timeoutMs: 30_000 });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), { mode: 'sendblock', last: 'EINTR', blocked: true, back: true, extra: 0 });
      for (const how of ['from', 'msg', 'mmsg']) {
        const u = await lab.run(tn(prog(), 'recvblock', SERVER_IPV4, String(PORTS.echo), how), { env, timeoutMs: 30_000 });
        assert.equal(u.code, 0, show(u));
        assert.deepEqual(lastJson(u), { mode: 'recvblock', first: 'EINTR', from: inet(SERVER_IPV4, PORTS.echo), data: 'after' }, how);
      }
    });

    test('IP_TOS by setsockopt (UDP and TCP) and by sendmsg (named and connected) and sendmmsg cmsgs: the IPv6 traffic class in a capture, read back as set', async () => {
      const pcap = join(lab.dir, `tos-${which}.pcap`);
      const cap = lab.spawnIn('gateway', ['tcpdump', '-i', 'to-cli', '-nn', '-U', '-c', '5', '-w', pcap, 'ip6 and dst port 7 and (udp or (tcp and ip6[53] & 2 != 0))'], { timeoutMs: 20_000 });
      await lab.waitFor(cap, 'listening on');
      const r = await lab.run(tn(prog(), 'tos', SERVER_IPV4, String(PORTS.echo)), { env });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), { mode: 'tos', udp: 0xb8, tcp: 0x48 }, show(r));
      const done = await cap.exited;
      assert.equal(done.code, 0, show(done));
      const read = await lab.runIn('gateway', ['tcpdump', '-nn', '-v', '-r', pcap]);
      const classes = [...read.stdout.matchAll(/class (0x[0-9a-f]+)/g)].map((m) => Number(m[1]));
      assert.deepEqual(classes, [0xb8, 0x28, 0x30, 0x50, 0x48], show(read));
    });

    test('600 threads waiting in recvfrom hold up no other call; past TNAT64_SECCOMP_THREADS the kernel waits for them', async () => {
      const r = await lab.run(tn(prog(), 'manywait', SERVER_IPV4, String(PORTS.echo), '600'), { env, timeoutMs: 60_000 });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), { mode: 'manywait', waiting: 600, echo: true });
      const few = await lab.run(tn(prog(), 'manywait', SERVER_IPV4, String(PORTS.echo), '20'), { env: { ...env, TNAT64_SECCOMP_THREADS: '8' }, timeoutMs: 60_000 });
      assert.equal(few.code, 0, show(few));
      assert.deepEqual(lastJson(few), { mode: 'manywait', waiting: 20, echo: true });
    });

    test('msgs: recvmsg, sendmmsg and recvmmsg show the sender as AF_INET 203.0.113.2:7; SCM_RIGHTS over a socketpair still passes', async () => {
      const r = await lab.run(tn(prog(), 'msgs', SERVER_IPV4, String(PORTS.echo)), { env, timeoutMs: 30_000 });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), {
        mode: 'msgs',
        from: inet(SERVER_IPV4, PORTS.echo),
        data: 'one',
        pktinfo: true,
        cut: { len: 16, family: 'AF_INET', same: true },
        timeout: 'EAGAIN',
        mmsg: { sent: 6, got: 6, same: true, back: 6, blocking: 2, blocking_same: true, empty: 'EAGAIN' },
        passed: 'piped',
      }, show(r));
    });

    test('low-water marks the program sets itself (TCP_NOTSENT_LOWAT, SO_RCVLOWAT) leave its sockets converted: echo over TCP, the UDP sender AF_INET', async () => {
      const r = await lab.run(tn(prog(), 'lowat', SERVER_IPV4, String(PORTS.echo)), { env });
      assert.equal(r.code, 0, show(r));
      // Read back: the defaults, which are in force (the mark stays; TCP_NOTSENT_LOWAT 0 is the system's "no limit").
      assert.deepEqual(lastJson(r), { mode: 'lowat', read: [0, 1], tcp: true, from: inet(SERVER_IPV4, PORTS.echo) });
    });

    test('udp: sendto the echo port, recvfrom says AF_INET 203.0.113.2:7', async () => {
      const r = await lab.run(tn(prog(), 'udp', SERVER_IPV4, String(PORTS.echo), 'a datagram'), { env });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson(r), { mode: 'udp', from: inet(SERVER_IPV4, PORTS.echo), data: 'a datagram' });
    });

    test('server on 0.0.0.0: IPv6 peers (the host\'s own address, ::1) accepted as AF_INET stand-ins, 127.0.0.1 as itself', async () => {
      const port = which === 'gcc' ? 5555 : 5556;
      const srv = lab.spawn(tn(prog(), 'server', String(port), '3'), { env, timeoutMs: 20_000 });
      try {
        await lab.waitFor(srv, '"listening"');
        const c = await lab.run(pyFile('tcp-line-clients.py', String(port), lab.addresses.client.ipv6!, '::1', '127.0.0.1'));
        assert.equal(c.code, 0, show(c));
        assert.deepEqual(lastJson(c), [`FROM ${lab.addresses.client.ipv6!.toUpperCase()}\n`, 'FROM ::1\n', 'FROM 127.0.0.1\n']);
        const r = await srv.exited;
        assert.equal(r.code, 0, show(r));
        const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, Addr | string>);
        assert.deepEqual(lines[0], { listening: inet('0.0.0.0', port) });
        const [v6, lo6, lo4] = lines.slice(1) as Array<{ accepted: Addr; peer: Addr; sock: Addr; data: string }>;
        for (const [a, from] of [[v6, lab.addresses.client.ipv6!], [lo6, '::1']] as const) {
          assert.equal(a?.data, `from ${from}\n`, show(r));
          assert.equal(a.accepted.family, 'AF_INET', show(r));
          assert.equal(a.accepted.len, 16);
          assert.match(a.accepted.address, /^198\.19\.\d+\.\d+$/, show(r));
          assert.deepEqual(a.peer, a.accepted, 'getpeername agrees with accept');
          assert.equal(a.sock.family, 'AF_INET');
        }
        assert.notEqual(v6!.accepted.address, lo6!.accepted.address, 'two IPv6 peers, two stand-ins');
        assert.equal(lo4?.data, 'from 127.0.0.1\n', show(r));
        assert.deepEqual([lo4.accepted.family, lo4.accepted.address, lo4.peer], ['AF_INET', '127.0.0.1', lo4.accepted]);
      } finally {
        await srv.stop();
      }
    });
  });
}

interface GoConn {
  remote: string;
  remoteIP: string;
  remoteIs4: boolean;
  local: string;
  localIs4: boolean;
  body?: string;
  reply?: string;
  status?: string;
}

for (const [name, which] of [['CGO_ENABLED=0', 'go'], ['CGO_ENABLED=1', 'cgo']] as const) {
  describe(`Go, ${name}`, () => {
    const prog = () => bin[which];

    for (const network of ['tcp', 'tcp4']) {
      test(`net.Dial("${network}", "203.0.113.2:80"): HTTP body, RemoteAddr as dialled, LocalAddr IPv4`, async () => {
        const r = await lab.run(tn(prog(), 'http', network, `${SERVER_IPV4}:${PORTS.http}`), { env });
        assert.equal(r.code, 0, show(r));
        const o = lastJson<GoConn>(r);
        assert.deepEqual([o.status, o.body, o.remote, o.localIs4], ['HTTP/1.1 200 OK', HTTP_BODY, `${SERVER_IPV4}:${PORTS.http}`, true], show(r));
      });
    }

    // "udp4" makes an AF_INET socket (converted); "udp" a dual-stack AF_INET6 one that goes to ::ffff:203.0.113.2.
    for (const network of ['udp4', 'udp']) {
      test(`net.Dial("${network}") to the echo port: the reply, RemoteAddr, LocalAddr IPv4`, async () => {
        const r = await lab.run(tn(prog(), 'udp', network, `${SERVER_IPV4}:${PORTS.echo}`, 'go datagram'), { env });
        assert.equal(r.code, 0, show(r));
        const o = lastJson<GoConn>(r);
        assert.deepEqual([o.reply, o.remote, o.localIs4], ['go datagram', `${SERVER_IPV4}:${PORTS.echo}`, true], show(r));
      });

      test(`ListenUDP("${network}") WriteMsgUDP/ReadMsgUDP (sendmsg, recvmsg): the sender is 203.0.113.2:7`, async () => {
        const r = await lab.run(tn(prog(), 'udpmsg', network, `${SERVER_IPV4}:${PORTS.echo}`, 'go msg'), { env });
        assert.equal(r.code, 0, show(r));
        assert.deepEqual(lastJson(r), { reply: 'go msg', from: `${SERVER_IPV4}:${PORTS.echo}`, fromIP: SERVER_IPV4, fromIs4: true });
      });

      test(`ListenUDP("${network}") server on :0 answered by an IPv6 client with ReadMsgUDP/WriteMsgUDP/WriteToUDP`, async () => {
        const { got, standin } = await udpEchoFromGateway(lab, tn(prog(), 'udpecho', network), env);
        // udp4: the program's AF_INET socket sees an IPv4 stand-in; udp: its own IPv6 socket sees the client as it is.
        if (network === 'udp4') assert.match(standin, /^198\.19\.\d+\.\d+$/, JSON.stringify(got));
        else assert.equal(standin, lab.addresses.gateway.ipv6, JSON.stringify(got));
        assert.deepEqual(got, [`to ${standin} ping0`, 'again', `to ${standin} ping1`, 'again']);
      });

      test(`ListenPacket("${network}") WriteTo/ReadFrom: the sender is 203.0.113.2:7`, async () => {
        const r = await lab.run(tn(prog(), 'udpfrom', network, `${SERVER_IPV4}:${PORTS.echo}`, 'go unconnected'), { env });
        assert.equal(r.code, 0, show(r));
        assert.deepEqual(lastJson(r), { reply: 'go unconnected', from: `${SERVER_IPV4}:${PORTS.echo}`, fromIP: SERVER_IPV4, fromIs4: true });
      });
    }

    test('net.Dial("tcp4", "server.lab.example:80"), the lab\'s resolver: the A record, through NAT64', async () => {
      const r = await lab.run(tn(prog(), 'http', 'tcp4', `${SERVER_NAME}:${PORTS.http}`), { env });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<GoConn>(r);
      assert.deepEqual([o.body, o.remote, o.localIs4], [HTTP_BODY, `${SERVER_IPV4}:${PORTS.http}`, true], show(r));
    });

    test('Listen("tcp4", "0.0.0.0:PORT") reached by curl -6: RemoteAddr is an IPv4 stand-in; Listen("tcp") shows IPv6 as it is', async () => {
      const port = which === 'go' ? 5557 : 5558;
      const v6 = lab.addresses.client.ipv6!;
      const srv = lab.spawn(tn(prog(), 'server', 'tcp4', `0.0.0.0:${port}`, '2'), { env, timeoutMs: 20_000 });
      try {
        await lab.waitFor(srv, '"listening"');
        const bodies: string[] = [];
        for (const host of [v6, '::1']) {
          const c = await lab.run(['curl', '-6', '-sS', '--max-time', '5', `http://[${host}]:${port}/`]);
          assert.equal(c.code, 0, show(c));
          bodies.push(c.stdout.trim());
        }
        const r = await srv.exited;
        assert.equal(r.code, 0, show(r));
        const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as GoConn & { listening?: string });
        assert.equal(lines[0]!.listening, `0.0.0.0:${port}`, show(r));
        for (const [i, seen] of lines.slice(1).entries()) {
          assert.match(seen.remote, /^198\.19\.\d+\.\d+:\d+$/, show(r));
          assert.equal(seen.remoteIs4, true);
          assert.equal(seen.localIs4, true);
          assert.equal(bodies[i], seen.remote, 'curl got the address the server reported');
        }
        assert.equal(lines.length, 3, show(r));
      } finally {
        await srv.stop();
      }
      // An IPv6 listener is not the engine's business: the real address.
      const dual = lab.spawn(tn(prog(), 'server', 'tcp', `0.0.0.0:${port + 10}`, '1'), { env, timeoutMs: 20_000 });
      try {
        await lab.waitFor(dual, '"listening"');
        const c = await lab.run(['curl', '-6', '-sS', '--max-time', '5', `http://[${v6}]:${port + 10}/`]);
        assert.equal(c.code, 0, show(c));
        const r = await dual.exited;
        const seen = lastJson<GoConn>(r);
        assert.deepEqual([seen.remoteIP, seen.remoteIs4, c.stdout.trim()], [v6, false, seen.remote], show(r));
      } finally {
        await dual.stop();
      }
    });

    test('16 goroutines x 500 connects to the echo server: all 8000 succeed', async () => {
      const r = await lab.run(tn(prog(), 'many', `${SERVER_IPV4}:${PORTS.echo}`, '16', '500'), { env, timeoutMs: 60_000 });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ ok: number; failed: number; firstError?: string }>(r);
      assert.deepEqual([o.ok, o.failed, o.firstError], [8000, 0, undefined], show(r));
    });
  });
}

describe('errors as a native IPv6 program sees them', () => {
  test('the supervisor alone (python3 under build/tnat64-seccomp, no LD_PRELOAD): the same errno sequence on one socket as AF_INET6 to the synthesized address', async () => {
    // refused, then again on the same socket (after a wait with a timeout: ECONNABORTED; after a blocking one: a
    // fresh connect), then non-blocking: in progress, connected, EISCONN
    const steps = (family: string, host: string) =>
      pyFile('tcp-errno-sequence.py', family, host, String(PORTS.closed), String(PORTS.whoami), String(PORTS.echo));
    const native = await lab.run(steps('AF_INET6', lab.synthesize(SERVER_IPV4)));
    const under = await lab.run([SUPERVISOR, '--', ...steps('AF_INET', SERVER_IPV4)], { env });
    assert.equal(native.code, 0, show(native));
    assert.equal(under.code, 0, show(under));
    assert.deepEqual(lastJson(native), ['ECONNREFUSED', 'ECONNABORTED', 'ECONNREFUSED', 0, 'EINPROGRESS', 0, 'EISCONN']);
    assert.deepEqual(lastJson(under), lastJson(native));
  });
});

describe('one core, two engines: the interposer\'s lab programs answer the same under the supervisor alone', () => {
  // python3 is dynamic: LD_PRELOAD alone is one engine, build/tnat64-seccomp with no LD_PRELOAD the other. Each
  // program prints what its socket calls returned; the two runs must print the same.
  const [h, echo, whoami, closed] = [SERVER_IPV4, String(PORTS.echo), String(PORTS.whoami), String(PORTS.closed)];
  const cases: string[][] = [
    ['udp-asyncio-endpoint.py', h, echo],
    ['udp-bound-port.py', h, whoami, '41234'],
    ['udp-connected.py', h, echo, whoami, closed],
    ['udp6-mapped.py', `::ffff:${h}`, echo, whoami],
    ['udp-recvmsg-cmsgs.py', h, echo, 'ping'],
    ['udp-recverr.py', h, closed],
    ['udp6-own-hops.py', '255', h, echo],
    ['udp6-own-hops.py', '230', h, echo],
    ['tcp-asyncio-urllib.py', h, echo],
    ['tcp-asyncio-whoami.py', h, whoami],
    ['tcp-dup-fastopen.py', h, echo],
    ['tcp-fork-connect.py', h, echo],
    ['tcp-inherit-exec.py', h, echo],
    ['tcp-ipv4-options.py', h, whoami],
    ['tcp-nonblocking-connect.py', h, echo],
    ['tcp-refused.py', h, closed],
    ['tcp-selectors-connect.py', h, whoami],
    ['tcp-threads-whoami.py', h, whoami, '16'],
    ['tcp6-mapped-connect.py', `::ffff:${h}`, echo, '0', echo],
    ['tcp6-mapped-connect.py', `::ffff:${h}`, echo, '1', echo],
    ['so-domain-getsockname.py', h, echo],
    ['unspec-ipv4-get.py', h, String(PORTS.http)],
    ['tcp-server-and-client.py', '0.0.0.0'],
    ['tcp-server-and-client.py', '127.0.0.1'],
    ['tcp-listen-any-loopback.py'],
    ['tcp-listen-ipv6-clients.py'],
    ['broadcast-multicast-steps.py'],
  ];
  test('udp-echo-peer-server.py answers an IPv6 client through its stand-in (sendto and sendmsg), under each engine', async () => {
    const server = pyFile('udp-echo-peer-server.py');
    for (const [engine, argv, e] of [['preload', server, { ...env, LD_PRELOAD: PATHS.library }], ['seccomp', [SUPERVISOR, '--', ...server], env]] as const) {
      const { got, standin } = await udpEchoFromGateway(lab, [...argv], e);
      assert.match(standin, /^198\.19\.\d+\.\d+$/, `${engine}: ${JSON.stringify(got)}`);
      assert.deepEqual(got, [`to ${standin} ping0`, 'again', `to ${standin} ping1`, 'again'], engine);
    }
  });

  for (const [file, ...args] of cases) {
    test(`${file} ${args.join(' ')}`, async () => {
      const preload = await lab.run(pyFile(file!, ...args), { env: { ...env, LD_PRELOAD: PATHS.library } });
      const supervised = await lab.run([SUPERVISOR, '--', ...pyFile(file!, ...args)], { env });
      assert.equal(preload.code, 0, show(preload));
      assert.equal(supervised.code, 0, show(supervised));
      assert.notEqual(preload.stdout.trim(), '', show(preload));
      assert.equal(supervised.stdout, preload.stdout, `supervised: ${show(supervised)}\npreload: ${show(preload)}`);
    });
  }
});

describe('no prefix anywhere (no DNS64, no configuration): the supervised programs fail fast, with one message', () => {
  test('the C client gets ENETUNREACH, busybox wget fails, 20 connects under the supervisor alone all ENETUNREACH and say so once', () =>
    withLab({ dns64: false }, async (none) => {
      const nenv = { TNAT64_CONF_FILE: join(none.dir, 'absent.conf') };
      const c = await none.run(tn(bin.gcc, 'tcp', SERVER_IPV4, String(PORTS.http), 'x'), { env: nenv, timeoutMs: 20_000 });
      assert.deepEqual([c.timedOut, c.code, lastJson(c).errno], [false, 1, 'ENETUNREACH'], show(c));
      const w = await none.run(tn('busybox', 'wget', '-q', '-O-', `http://${SERVER_IPV4}/`), { env: nenv, timeoutMs: 20_000 });
      assert.equal(w.timedOut, false, show(w));
      assert.notEqual(w.code, 0, show(w));
      const p = await none.run([SUPERVISOR, '--', ...pyFile('tcp-whoami-loop.py', SERVER_IPV4, String(PORTS.whoami), '20', '1')],
        { env: nenv, timeoutMs: 20_000 });
      assert.equal(p.code, 0, show(p));
      assert.deepEqual(lastJson<{ seen: string[] }>(p).seen, Array(20).fill('ENETUNREACH'), show(p));
      const lines = p.stderr.trim().split('\n').filter(Boolean);
      assert.ok(lines.length <= 3, `stderr has ${lines.length} lines for 20 connects:\n${p.stderr}`);
    }),
  );
});

// A dual-stack client whose NAT64 is down: the gateway answers "unreachable". A blocking connect learns it in the
// supervisor (which waits for it) and falls back at once; a non-blocking one (epoll, Go's poller) learns it later from
// getsockopt(SO_ERROR), where the supervisor connects again over IPv4, as the interposer does. The whoami services
// say which address the server saw: the client's IPv4 192.0.2.2.
describe('a dual-stack host whose NAT64 is down: the static programs fall back to IPv4', () => {
  const CLIENT_V4 = '192.0.2.2';
  test('busybox wget, the C clients blocking and through epoll (a closed port: ECONNREFUSED from SO_ERROR), Go net.Dial and 4 goroutines x 10, a ::ffff: connect: the server sees 192.0.2.2', () =>
    withLab({ clientIPv4: true, nat64: false }, async (down) => {
      const denv = labEnv(down);
      const w = await down.run(tn('busybox', 'wget', '-q', '-O-', `http://${SERVER_IPV4}/whoami`), { env: denv, timeoutMs: 20_000 });
      assert.deepEqual([w.code, w.stdout.trim()], [0, CLIENT_V4], show(w));
      for (const mode of ['tcp', 'nonblocking']) {
        const c = await down.run(tn(bin.musl, mode, SERVER_IPV4, String(PORTS.whoami), 'x'), { env: denv, timeoutMs: 20_000 });
        assert.equal(c.code, 0, show(c));
        const o = lastJson<{ data: string; so_error?: string }>(c);
        assert.equal(o.data.split(' ')[0], CLIENT_V4, show(c));
        if (mode === 'nonblocking') assert.equal(o.so_error, '0', show(c));
      }
      // A closed port: the SO_ERROR that starts the IPv4 connect waits for it and says it was refused, as natively.
      const refused = await down.run(tn(bin.musl, 'nonblocking', SERVER_IPV4, String(PORTS.closed), 'x'), { env: denv, timeoutMs: 20_000 });
      assert.equal(refused.code, 0, show(refused));
      assert.deepEqual([lastJson(refused).connect, lastJson(refused).so_error], ['EINPROGRESS', 'ECONNREFUSED'], show(refused));
      const g = await down.run(tn(bin.go, 'http', 'tcp4', `${SERVER_IPV4}:${PORTS.http}`), { env: denv, timeoutMs: 20_000 });
      assert.equal(g.code, 0, show(g));
      assert.deepEqual([lastJson(g).body, lastJson(g).local], [HTTP_BODY, CLIENT_V4], show(g));
      const m = await down.run(tn(bin.go, 'many', `${SERVER_IPV4}:${PORTS.echo}`, '4', '10'), { env: denv, timeoutMs: 30_000 });
      const o = lastJson<{ ok: number; failed: number; firstError?: string }>(m);
      assert.deepEqual([m.code, o.ok, o.failed, o.firstError], [0, 40, 0, undefined], show(m));
      // ::ffff:203.0.113.2 on the program's own AF_INET6 socket, non-blocking (a timeout): the late fallback too
      const j = await down.run([SUPERVISOR, '--', ...pyFile('tcp6-mapped-connect.py', `::ffff:${SERVER_IPV4}`, String(PORTS.whoami), '0', String(PORTS.echo))],
        { env: denv, timeoutMs: 20_000 });
      assert.equal(j.code, 0, show(j));
      const jo = lastJson<{ got: string; peer: [string, number] }>(j);
      assert.deepEqual([jo.got.split(' ')[0], jo.peer[0]], [CLIENT_V4, `::ffff:${SERVER_IPV4}`], show(j));
    }),
  );

  test('the fallback is remembered: of 5 blocking connects in one process, only the first tries NAT64 (a capture)', () =>
    withLab({ clientIPv4: true, nat64: false }, async (down) => {
      const pcap = join(down.dir, 'syn.pcap');
      const filter = `ip6 and dst net ${down.addresses.prefix} and tcp and ip6[53] & 2 != 0`;
      const cap = down.spawnIn('gateway', ['tcpdump', '-i', 'to-cli', '-nn', '-U', '-w', pcap, filter], { timeoutMs: 30_000 });
      await down.waitFor(cap, 'listening on');
      const r = await down.run([SUPERVISOR, '--', ...pyFile('tcp-whoami-loop.py', SERVER_IPV4, String(PORTS.whoami), '5', '0')],
        { env: labEnv(down), timeoutMs: 30_000 });
      await cap.stop();
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(lastJson<{ seen: string[] }>(r).seen, Array(5).fill(CLIENT_V4), show(r));
      const read = await down.runIn('gateway', ['tcpdump', '-nn', '-r', pcap]);
      // one attempt (the kernel may send its SYN twice): one source port
      const ports = new Set([...read.stdout.matchAll(/\.(\d+) > \S+: Flags \[S\]/g)].map((x) => x[1]));
      assert.equal(ports.size, 1, show(read));
    }),
  );
});

describe('the programs\' own resolvers (Go\'s, the C libraries\') with only an IPv4 nameserver in resolv.conf', () => {
  test('the lab\'s client names only 203.0.113.2; without tnat64 the lookup fails', async () => {
    const conf = await v4dns.run(['cat', '/etc/resolv.conf']);
    assert.deepEqual(conf.stdout.match(/^nameserver .*/gm), [`nameserver ${SERVER_IPV4}`], show(conf));
    const r = await v4dns.run([bin.go, 'http', 'tcp4', `${SERVER_NAME}:${PORTS.http}`], { timeoutMs: 15_000 });
    assert.equal(r.code, 1, show(r));
    assert.equal(lastJson(r).error, 'dial', show(r));
  });

  for (const [name, which] of [['gcc -static (glibc)', 'gcc'], ['musl-gcc -static', 'musl']] as const) {
    test(`the C library's own resolver, ${name}: getaddrinfo through NAT64, then the connect`, async () => {
      const native = await v4dns.run([bin[which], 'resolve', SERVER_NAME, String(PORTS.http)], { timeoutMs: 20_000 });
      assert.equal(native.code, 1, `without tnat64 the lookup fails: ${show(native)}`);
      const r = await v4dns.run(tn(bin[which], 'resolve', SERVER_NAME, String(PORTS.http)), { env: v4env, timeoutMs: 20_000 });
      assert.equal(r.code, 0, show(r));
      const o = lastJson<{ address: string; peer: Addr }>(r);
      assert.deepEqual([o.address, o.peer], [SERVER_IPV4, inet(SERVER_IPV4, PORTS.http)], show(r));
    });
  }

  for (const [name, which] of [['CGO_ENABLED=0', 'go'], ['CGO_ENABLED=1', 'cgo']] as const) {
    for (const network of ['tcp', 'tcp4']) {
      test(`${name}: net.Dial("${network}", "server.lab.example:80") resolves through NAT64 and connects`, async () => {
        const r = await v4dns.run(tn(bin[which], 'http', network, `${SERVER_NAME}:${PORTS.http}`), { env: v4env, timeoutMs: 15_000 });
        assert.equal(r.code, 0, show(r));
        const o = lastJson<GoConn>(r);
        assert.deepEqual([o.body, o.remote, o.localIs4], [HTTP_BODY, `${SERVER_IPV4}:${PORTS.http}`, true], show(r));
      });
    }
  }
});

/** Read a /proc file, '' if the process is gone. */
function proc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
function exe(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}
/** The pids whose parent is pid (from /proc/N/stat: no CONFIG_PROC_CHILDREN needed). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => Number(/^\d+ \(.*\) \S+ (\d+)/s.exec(proc(`/proc/${e}/stat`))?.[1]) === pid)
    .map(Number);
}
/** Gone: no /proc entry, or a zombie nobody reaped yet. */
const gone = (pid: number) => {
  const stat = proc(`/proc/${pid}/stat`);
  return stat === '' || /^\d+ \(.*\) [ZX]/.test(stat);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `tnat64 busybox sleep 30` in the background: the supervisor's pid (what `ip netns exec` and the launcher exec'd
 * into) and the program's (its child, once it is busybox).
 */
async function sleeper(): Promise<{ bg: Background; supervisor: number; program: number }> {
  const bg = lab.spawn(tn('busybox', 'sleep', '30'), { env, timeoutMs: 40_000 });
  const deadline = Date.now() + 5000;
  for (;;) {
    if (exe(bg.pid).endsWith('/tnat64-seccomp')) {
      const children = childrenOf(bg.pid);
      const program = children.find((c) => exe(c).endsWith('/busybox') && proc(`/proc/${c}/cmdline`).includes('sleep'));
      if (program) return { bg, supervisor: bg.pid, program };
    }
    if (Date.now() > deadline) {
      await bg.stop();
      assert.fail(`no supervised busybox sleep under pid ${bg.pid} (exe ${exe(bg.pid)}): ${bg.stderr()}`);
    }
    await sleep(20);
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!gone(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

describe('exit status and signals', () => {
  test('the program\'s exit status: busybox sh -c "exit 7" exits 7', async () => {
    const r = await lab.run(tn('busybox', 'sh', '-c', 'exit 7'), { env });
    assert.deepEqual([r.code, r.signal], [7, null], show(r));
  });

  test('a program that dies of SIGTERM (kill -TERM $$ from inside): tnat64 dies of SIGTERM', async () => {
    const r = await lab.run(tn('busybox', 'sh', '-c', 'kill -TERM $$; sleep 5'), { env });
    assert.deepEqual([r.code, r.signal], [null, 'SIGTERM'], show(r));
    assert.ok(r.durationMs < 4000, `took ${r.durationMs} ms`);
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    test(`${sig} sent to tnat64 (the supervisor) reaches the program: busybox sleep 30 ends at once, tnat64 dies of ${sig}`, async () => {
      const { bg, supervisor, program } = await sleeper();
      const sent = Date.now();
      process.kill(supervisor, sig);
      const r = await Promise.race([bg.exited, sleep(3000).then(() => null)]);
      const took = Date.now() - sent;
      if (!r) await bg.stop();
      assert.ok(r, `tnat64 still running 3 s after ${sig}`);
      assert.deepEqual([r.code, r.signal], [null, sig], show(r));
      assert.ok(took < 2000, `took ${took} ms`);
      assert.ok(await goneWithin(program, 1000), `the program (pid ${program}) is still there`);
    });
  }

  test('SIGKILL of tnat64 leaves no program behind (its pid gone within a second)', async () => {
    const { bg, supervisor, program } = await sleeper();
    process.kill(supervisor, 'SIGKILL');
    const r = await bg.exited;
    assert.equal(r.signal, 'SIGKILL', show(r));
    const ok = await goneWithin(program, 1000);
    if (!ok) process.kill(program, 'SIGKILL');
    assert.ok(ok, `the program (pid ${program}, ${exe(program)}) outlived its supervisor`);
  });

  test('SIGKILL of the program: tnat64 dies of SIGKILL', async () => {
    const { bg, program } = await sleeper();
    process.kill(program, 'SIGKILL');
    const r = await Promise.race([bg.exited, sleep(3000).then(() => null)]);
    if (!r) await bg.stop();
    assert.ok(r, 'tnat64 still running 3 s after its program was killed');
    assert.deepEqual([r.code, r.signal], [null, 'SIGKILL'], show(r));
  });
});

describe('the engine is chosen per program', () => {
  const engineOf = async (program: string) => {
    const r = await lab.run([SUPERVISOR, '--engine-of', program]);
    assert.equal(r.code, 0, show(r));
    return r.stdout.trim();
  };
  const script = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    chmodSync(file, 0o755);
    return file;
  };

  test('--engine-of: curl preload (dynamic), busybox seccomp (static), the Go programs seccomp (go), the C clients seccomp', async () => {
    assert.match(await engineOf('curl'), /^preload dynamic \S*\/curl$/);
    assert.match(await engineOf('busybox'), /^seccomp static \S*\/busybox$/);
    assert.equal(await engineOf('/bin/busybox'), 'seccomp static /bin/busybox');
    assert.equal(await engineOf(bin.go), `seccomp go ${bin.go}`);
    assert.equal(await engineOf(bin.cgo), `seccomp go ${bin.cgo}`);
    assert.equal(await engineOf(bin.gcc), `seccomp static ${bin.gcc}`);
    assert.equal(await engineOf(bin.musl), `seccomp static ${bin.musl}`);
  });

  test('#! scripts are judged by their interpreter: #!/bin/busybox sh seccomp, #!/bin/sh (dash) preload; and run so', async () => {
    const bb = script('busybox-script', `#!/bin/busybox sh\nbusybox wget -q -O- http://${SERVER_IPV4}/\n`);
    const sh = script('sh-script', '#!/bin/sh\necho dash\n');
    assert.match(await engineOf(bb), /^seccomp static \S*busybox$/);
    assert.match(await engineOf(sh), /^preload dynamic /);
    const r = await lab.run(tn(bb), { env, timeoutMs: 15_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY);
    const d = await lab.run(tn(sh), { env });
    assert.deepEqual([d.code, d.stdout], [0, 'dash\n'], show(d));
  });

  test('forced: --engine preload (and TNAT64_ENGINE=preload) cannot reach busybox wget, auto and seccomp can', async () => {
    const wget = ['busybox', 'wget', '-q', '-O-', `http://${SERVER_IPV4}/`];
    for (const [argv, e] of [
      [tn('--engine', 'preload', ...wget), env],
      [tn('--engine=preload', ...wget), env],
      [tn(...wget), { ...env, TNAT64_ENGINE: 'preload' }],
    ] as const) {
      const r = await lab.run(argv, { env: e, timeoutMs: 15_000 });
      assert.notEqual(r.code, 0, `${argv.join(' ')}: ${show(r)}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /Network is unreachable/, show(r));
    }
    for (const [argv, e] of [
      [tn('--engine', 'auto', ...wget), env],
      [tn('--engine', 'seccomp', ...wget), env],
      [tn(...wget), { ...env, TNAT64_ENGINE: 'seccomp' }],
    ] as const) {
      const r = await lab.run(argv, { env: e, timeoutMs: 15_000 });
      assert.equal(r.code, 0, `${argv.join(' ')}: ${show(r)}`);
      assert.equal(r.stdout, HTTP_BODY);
    }
  });

  test('forced: --engine seccomp for a dynamic program (curl -4) works too', async () => {
    const r = await lab.run(tn('--engine', 'seccomp', 'curl', '-4', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/`), { env, timeoutMs: 15_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY);
  });
});

describe('where seccomp is refused (seccomp() fails with ENOSYS)', () => {
  test('the program runs unchanged, with its own exit status, and tnat64 says so once', async () => {
    const r = await lab.run([bin.noseccomp, ...tn('busybox', 'sh', '-c', 'echo ran; exit 3')], { env });
    assert.deepEqual([r.code, r.signal, r.stdout], [3, null, 'ran\n'], show(r));
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.filter((l) => l.startsWith('tnat64:')).length, 1, show(r));
    assert.equal(lines.filter((l) => /seccomp/i.test(l)).length, 1, show(r));
  });

  test('doctor --program says so beforehand: a static program fails the check there (with the reason), passes here', async () => {
    const program = (argv: string[]) => lab.run(argv, { env }).then((r) => {
      const c = (JSON.parse(r.stdout) as { checks: { id: string; status: string; summary: string; data: { problems: string[] } }[] }).checks.find((x) => x.id === 'program');
      assert.ok(c, show(r));
      return [c.status, c.data.problems, c.summary];
    });
    const refused = await program([bin.noseccomp, ...tn('doctor', '--json', '--program', bin.gcc)]);
    assert.deepEqual(refused.slice(0, 2), ['fail', ['seccomp-refused']]);
    assert.match(String(refused[2]), /cannot start here \(Function not implemented\)/);
    const here = await program(tn('doctor', '--json', '--program', bin.gcc));
    assert.deepEqual(here.slice(0, 2), ['ok', []], String(here[2]));
  });
});

describe('an interactive shell on a terminal: Ctrl-C and Ctrl-Z reach a supervised program as they reach it natively', () => {
  test('the shell sees the same $? (130, then 148 while stopped), the program stopped and resumed by fg', async () => {
    const observe = async (launcher: string) => {
      const r = await lab.run(pyFile('shell-job-control.py', launcher), { env, timeoutMs: 40_000 });
      assert.equal(r.code, 0, show(r));
      return lastJson(r);
    };
    const expected = {
      ctrl_c_status: 130, ctrl_c_program_gone: true,
      ctrl_z_status: 148, stopped_state: 'T', printed_while_stopped: false, resumed_after_fg: true, fg_status: 0,
    };
    // `env` runs busybox as it is: the reference the supervised run must equal.
    assert.deepEqual(await observe('env'), expected);
    assert.deepEqual(await observe(PATHS.tnat64), expected);
  });
});

describe('the seccomp engine\'s limits: what a static program sees there', () => {
  const limits = async (supervised: boolean, ...args: string[]) => {
    const argv = supervised ? tn(bin.limits, ...args) : [bin.limits, ...args];
    const r = await lab.run(argv, { env, timeoutMs: 15_000 });
    assert.equal(r.code, 0, show(r));
    return lastJson(r);
  };

  test('a seccomp filter with a listener of its own: EBUSY (one listener per process tree); without tnat64 it is made', async () => {
    assert.deepEqual(await limits(true, 'listener'), { listener: 'EBUSY' });
    assert.deepEqual(await limits(false, 'listener'), { listener: 'ok' });
  });

  test('a plain seccomp filter of its own is stacked: the connect still goes through NAT64', async () => {
    // Without tnat64 the IPv6-only client has no IPv4 route.
    assert.deepEqual(await limits(true, 'filter', SERVER_IPV4, '80'), { filter: 'ok', connect: 'ok' });
    assert.deepEqual(await limits(false, 'filter', SERVER_IPV4, '80'), { filter: 'ok', connect: 'ENETUNREACH' });
  });

  test('io_uring\'s IORING_OP_CONNECT passes the filter: the converted socket\'s completion is -EINVAL, as under the interposer', async () => {
    const r = await limits(true, 'uring', SERVER_IPV4, '80');
    assert.deepEqual(r, { uring: -22 });
    assert.deepEqual(await limits(false, 'uring', SERVER_IPV4, '80'), { uring: -101 });
  });

  test('32-bit system calls (int 0x80) pass unanswered: ENETUNREACH, as without tnat64', { skip: process.arch !== 'x64' }, async (t) => {
    const native = await limits(false, 'i386', SERVER_IPV4, '80');
    if (native.i386 === 'ENOSYS') return t.skip('this kernel has no 32-bit system call entry (IA32_EMULATION)');
    assert.deepEqual(native, { i386: 'ENETUNREACH' });
    assert.deepEqual(await limits(true, 'i386', SERVER_IPV4, '80'), { i386: 'ENETUNREACH' });
  });

  test('a setuid-root program run by nobody keeps nobody\'s uid (no_new_privs); without tnat64 it is root', async (t) => {
    const suid = join(dir, 'limits-suid');
    writeFileSync(suid, readFileSync(bin.limits));
    chmodSync(suid, 0o4755);
    chmodSync(dir, 0o755);
    const asNobody = (...argv: string[]) => lab.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...argv],
      { env, timeoutMs: 15_000 });
    const plain = await asNobody(suid, 'euid');
    assert.equal(plain.code, 0, show(plain));
    if (lastJson(plain).euid !== 0) return t.skip(`${dir} is on a nosuid mount: no setuid program runs as root there`);
    assert.deepEqual(lastJson(plain), { ruid: 65534, euid: 0 });
    const supervised = await asNobody(...tn(suid, 'euid'));
    assert.equal(supervised.code, 0, show(supervised));
    assert.deepEqual(lastJson(supervised), { ruid: 65534, euid: 65534 });
  });
});
