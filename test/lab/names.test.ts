/**
 * Names: unmodified IPv4-only programs under tnat64 look names up and reach them on the lab's IPv6-only
 * client. A name with A records resolves to its real IPv4 address (AI_ADDRCONFIG or not) and goes through NAT64; a
 * name with only AAAA records (the lab's IPv6-only host, passed through the DNS64 unchanged) gets a stand-in from
 * 198.19.0.0/16 that leads to the IPv6 address. Assertions are about what the programs and the servers observe.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_NAMES, PATHS, SERVER_IPV4, type Lab } from '../../src/lab/lab.js';
import { HTTP_BODY, PORTS, V6_HTTP_BODY } from '../../src/lab/services.js';
import { lastJson, nodeProgram, pyFile, requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

const tn = (...argv: string[]) => [PATHS.tnat64, ...argv];
const N = LAB_NAMES;
/** A stand-in of the default pool. */
const STANDIN = /^198\.19\.\d{1,3}\.\d{1,3}$/;

before(async () => {
  await requireTools('curl', 'wget', 'python3', 'socat', 'perl', 'getent', 'dig', 'sh', 'tayga', 'unbound');
  requireBuilt();
});

let lab: Lab;
let env: NodeJS.ProcessEnv;
useLab({ search: ['lab.example'] }, (s) => ({ lab, env } = s));
const v6 = () => lab.addresses.ipv6Host;
const clientIPv6 = () => lab.addresses.client.ipv6!;

/**
 * python: for each NAME appended, getaddrinfo(NAME, 80, FAMILY, SOCK_STREAM, 0, FLAGS) → one JSON object, NAME:
 * sorted [family, address] pairs (the DNS rotates the order of records) or the EAI_ name of the error. FLAGS: '0' or
 * a socket constant ('AI_ADDRCONFIG').
 */
const resolver = (family: string, flags: string) => pyFile('getaddrinfo-names.py', family, flags);

/** python: getaddrinfo(argv[1], AF_INET, AI_CANONNAME) → [address, canonical name], then GET /whoami from it. */
const shortName = pyFile('getaddrinfo-canonname-whoami.py');

/** python: the canonical name getaddrinfo(alias, AI_CANONNAME) gives for AF_UNSPEC and AF_INET. */
const canon = pyFile('getaddrinfo-canonname.py', N.alias);

describe('the lab: AAAA-only names reach the IPv6-only host, the DNS64 passes real AAAA through', () => {
  test('native lookups: real AAAA unchanged, A-only names synthesized, no IPv4 answer for AAAA-only names', async () => {
    const ahosts = async (name: string) => {
      const r = await lab.run(['getent', 'ahosts', name]);
      assert.equal(r.code, 0, show(r));
      return [...new Set(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]))].sort();
    };
    assert.deepEqual(await ahosts(N.v6only), [v6().address]);
    assert.deepEqual(await ahosts(N.dual), [v6().address]);
    assert.deepEqual(await ahosts(N.alias), [v6().address]);
    assert.deepEqual(await ahosts(N.multi), [v6().address, v6().extra[0]].sort());
    assert.deepEqual(await ahosts(N.v6n[1]), [v6().extra[1]]);
    assert.deepEqual(await ahosts(N.v4), [lab.synthesize(SERVER_IPV4)]);
    const a = await lab.run(['getent', 'ahostsv4', N.v6only]);
    assert.equal(a.code, 2, show(a));
  });

  test('native IPv6 programs reach each address of the IPv6-only host, which sees the client\'s IPv6 address', async () => {
    for (const [i, address] of [v6().address, ...v6().extra].entries()) {
      const name = i === 0 ? N.v6only : N.v6n[i - 1]!;
      const r = await lab.run(['curl', '-sS', '--max-time', '5', `http://${name}/whoami`, `http://${name}/host`]);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, `${clientIPv6()}\n${address}\n`);
    }
    const u = await lab.run(['socat', '-T', '3', '-', `UDP6:[${v6().address}]:${PORTS.echo}`], { input: 'datagram\n' });
    assert.equal(u.stdout, 'datagram\n', show(u));
  });
});

describe('AF_INET lookups with AI_ADDRCONFIG on the IPv6-only host', () => {
  // getaddrinfo(NAME, 80, AF_INET, 0, 0, AI_ADDRCONFIG), then connect to the first answer and GET /whoami.
  const program = pyFile('getaddrinfo-addrconfig-whoami.py');

  test('without tnat64 glibc answers no address for a name with an A record', async () => {
    const r = await lab.run([...program, N.v4]);
    assert.ok('error' in lastJson(r), show(r));
  });

  test('under tnat64: the real A record, the connect goes through NAT64', async () => {
    const r = await lab.run(tn(...program, N.v4), { env });
    const o = lastJson<{ addrs: string[]; peer: [string, number]; whoami: string }>(r);
    assert.deepEqual(o.addrs, [SERVER_IPV4], show(r));
    assert.deepEqual(o.peer, [SERVER_IPV4, 80]);
    assert.equal(lab.poolOf(o.whoami), 0, show(r));
  });

  test('under tnat64: an AAAA-only name gives a stand-in, and the IPv6-only host sees the client\'s IPv6 address', async () => {
    const r = await lab.run(tn(...program, N.v6only), { env });
    const o = lastJson<{ addrs: string[]; peer: [string, number]; whoami: string }>(r);
    assert.equal(o.addrs?.length, 1, show(r));
    assert.match(o.addrs[0]!, STANDIN);
    assert.deepEqual(o.peer, [o.addrs[0], 80]);
    assert.equal(o.whoami, clientIPv6());
  });
});

describe('curl -4 and wget -4 by name', () => {
  const curl4 = (name: string, path: string) => ['curl', '-4', '-sS', '--max-time', '5', '-w', '%{remote_ip}', `http://${name}${path}`];

  test('without tnat64 neither resolves an AAAA-only name', async () => {
    const c = await lab.run(curl4(N.v6only, '/'));
    assert.equal(c.code, 6, show(c)); // CURLE_COULDNT_RESOLVE_HOST
    const w = await lab.run(['wget', '-4', '-q', '-T', '5', '-t', '1', '-O', '-', `http://${N.v6only}/`]);
    assert.equal(w.code, 4, show(w)); // network failure (the name did not resolve)
  });

  test('curl -4: an A name through NAT64, an AAAA-only name through a stand-in', async () => {
    const a = await lab.run(tn(...curl4(N.v4, '/whoami')), { env });
    assert.equal(a.code, 0, show(a));
    const [seenA, remoteA] = a.stdout.split('\n');
    assert.equal(remoteA, SERVER_IPV4);
    assert.equal(lab.poolOf(seenA!), 0, show(a));
    const b = await lab.run(tn(...curl4(N.v6only, '/whoami')), { env });
    assert.equal(b.code, 0, show(b));
    const [seenB, remoteB] = b.stdout.split('\n');
    assert.equal(seenB, clientIPv6(), show(b));
    assert.match(remoteB!, STANDIN);
    const c = await lab.run(tn(...curl4(N.v6only, '/')), { env });
    assert.equal(c.stdout.slice(0, V6_HTTP_BODY.length), V6_HTTP_BODY, show(c));
  });

  test('wget -4: both names, the bodies and what each server saw', async () => {
    const wget = (name: string, path: string) => tn('wget', '-4', '-q', '-T', '5', '-t', '1', '-O', '-', `http://${name}${path}`);
    const a = await lab.run(wget(N.v4, '/'), { env });
    assert.equal(a.code, 0, show(a));
    assert.equal(a.stdout, HTTP_BODY);
    const b = await lab.run(wget(N.v4, '/whoami'), { env });
    assert.equal(lab.poolOf(b.stdout), 0, show(b));
    const c = await lab.run(wget(N.v6only, '/'), { env });
    assert.equal(c.code, 0, show(c));
    assert.equal(c.stdout, V6_HTTP_BODY);
    const d = await lab.run(wget(N.v6only, '/whoami'), { env });
    assert.equal(d.stdout.trim(), clientIPv6(), show(d));
  });

  test('a CNAME to an AAAA-only name: a stand-in that leads to the target\'s address, the canonical name as glibc gives it', async () => {
    const r = await lab.run(tn(...curl4(N.alias, '/host')), { env });
    assert.equal(r.code, 0, show(r));
    const [host, remote] = r.stdout.split('\n');
    assert.equal(host, v6().address);
    assert.match(remote!, STANDIN);
    const c = await lab.run(tn(...canon), { env });
    assert.deepEqual(lastJson(c), [N.v6only, N.v6only], show(c));
  });
});

describe('an IPv4-only program reaches the IPv6-only host by its AAAA-only name', () => {
  test('python AF_INET TCP: whoami, echo, getpeername shows the stand-in', async () => {
    const r = await lab.run(tn(...pyFile('name-tcp-whoami-echo.py', String(PORTS.whoami), String(PORTS.echo), N.v6only)), { env });
    const o = lastJson<{ family: string; peer: [string, number]; whoami: string; echo: boolean; standin: string }>(r);
    assert.equal(o.family, 'AF_INET');
    assert.match(o.standin, STANDIN);
    assert.deepEqual(o.peer, [o.standin, PORTS.whoami]);
    assert.equal(o.whoami, clientIPv6());
    assert.equal(o.echo, true, show(r));
  });

  test('python AF_INET UDP: sendto/recvfrom and a connected socket, replies come from the stand-in', async () => {
    const r = await lab.run(tn(...pyFile('name-udp-echo-whoami.py', String(PORTS.echo), String(PORTS.whoami), N.v6only)), { env });
    const o = lastJson<{ ip: string; echo: [string, [string, number]]; peer: [string, number]; whoami: string }>(r);
    assert.match(o.ip, STANDIN, show(r));
    assert.deepEqual(o.echo, ['ping', [o.ip, PORTS.echo]]);
    assert.deepEqual(o.peer, [o.ip, PORTS.whoami]);
    assert.equal(o.whoami, clientIPv6());
  });

  test('socat TCP4 and UDP4 by name', async () => {
    const t = await lab.run(tn('socat', '-T', '3', '-', `TCP4:${N.v6only}:${PORTS.echo}`), { env, input: 'over tcp\n' });
    assert.equal(t.code, 0, show(t));
    assert.equal(t.stdout, 'over tcp\n');
    const u = await lab.run(tn('socat', '-T', '3', '-', `UDP4:${N.v6only}:${PORTS.echo}`), { env, input: 'over udp\n' });
    assert.equal(u.code, 0, show(u));
    assert.equal(u.stdout, 'over udp\n');
    const w = await lab.run(tn('socat', '-T', '3', '-', `TCP4:${N.v6only}:${PORTS.whoami}`), { env });
    assert.equal(w.stdout.split(' ')[0], clientIPv6(), show(w));
    const n = await lab.run(['socat', '-T', '3', '-', `TCP4:${N.v6only}:${PORTS.echo}`], { input: 'x\n' });
    assert.notEqual(n.code, 0, `without tnat64 socat TCP4 cannot resolve it: ${show(n)}`);
  });

  test('a name with two AAAA records: two stand-ins, each leading to its own address', async () => {
    const r = await lab.run(tn(...pyFile('name-each-address-host.py', N.multi)), { env });
    const o = lastJson<Record<string, string>>(r);
    assert.equal(Object.keys(o).length, 2, show(r));
    for (const ip of Object.keys(o)) assert.match(ip, STANDIN);
    assert.deepEqual(Object.values(o).sort(), [v6().address, v6().extra[0]].sort());
  });
});

describe('more programs and patterns', () => {
  test('node: net.connect with family 4 and dns.lookup with family 4', async () => {
    const r = await lab.run(
      tn(
        ...nodeProgram(
          `
          import net from 'node:net';
          import dns from 'node:dns/promises';
          const name = process.argv[1];
          const looked = await dns.lookup(name, { family: 4, all: true });
          const s = net.connect({ host: name, port: ${PORTS.whoami}, family: 4 });
          let data = '';
          s.on('data', (d) => (data += d));
          s.on('connect', () => (s.peer = [s.remoteAddress, s.remoteFamily]));
          s.on('error', (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(0); });
          s.on('close', () => console.log(JSON.stringify({ looked, peer: s.peer, whoami: data.split(' ')[0] })));`,
          N.v6only,
        ),
      ),
      { env },
    );
    const o = lastJson<{ looked: { address: string; family: number }[]; peer: [string, string]; whoami: string }>(r);
    assert.equal(o.looked?.length, 1, show(r));
    assert.match(o.looked[0]!.address, STANDIN);
    assert.equal(o.looked[0]!.family, 4);
    assert.deepEqual(o.peer, [o.looked[0]!.address, 'IPv4']);
    assert.equal(o.whoami, clientIPv6());
  });

  test('threads resolving at once get one stand-in per name', async () => {
    const r = await lab.run(tn(...pyFile('getaddrinfo-threads.py', N.v6only, ...N.v6n)), { env });
    const o = lastJson<Record<string, string[]>>(r);
    const ips = Object.values(o);
    assert.equal(ips.length, 1 + N.v6n.length, show(r));
    for (const list of ips) {
      assert.equal(list.length, 1, `one stand-in per name: ${r.stdout}`);
      assert.match(list[0]!, STANDIN);
    }
    assert.equal(new Set(ips.map((l) => l[0])).size, ips.length, `distinct names, distinct stand-ins: ${r.stdout}`);
  });

  test('a stand-in answer has the shape of an A answer: socket types, protocols, ports, service names, canonical name', async () => {
    // Each call as glibc answers it for a name with one A record, and under tnat64 for an AAAA-only name.
    const program = pyFile('getaddrinfo-shapes.py');
    const a = await lab.run([...program, N.v4]);
    const b = await lab.run(tn(...program, N.v6only), { env });
    const plain = lastJson<{ shapes: unknown[][]; addresses: string[] }>(a);
    const under = lastJson<{ shapes: unknown[][]; addresses: string[] }>(b);
    assert.deepEqual(plain.addresses, [SERVER_IPV4], show(a));
    assert.equal(under.addresses.length, 1, show(b));
    assert.match(under.addresses[0]!, STANDIN);
    const canonical = (shapes: unknown[][], name: string) => JSON.stringify(shapes).split(JSON.stringify(name)).join('"NAME"');
    assert.equal(canonical(under.shapes, N.v6only), canonical(plain.shapes, N.v4), `without tnat64 (A): ${a.stdout}\nunder (stand-in): ${b.stdout}`);
  });

  test('a short name through resolv.conf\'s search list: the stand-in, the canonical name, the connection', async () => {
    const r = await lab.run(tn(...shortName, 'v6only'), { env });
    const [ip, canonical, seen] = lastJson<[string, string, string]>(r);
    assert.match(ip, STANDIN, show(r));
    assert.equal(canonical, N.v6only);
    assert.equal(seen, clientIPv6());
  });

  test('a name that does not exist fails at once, as without tnat64', async () => {
    // The lookup timed inside the program: resolv.conf's 1 s timeout, or the library's own resolver waiting, would show.
    const program = pyFile('getaddrinfo-timed.py');
    const plain = lastJson<[string, number]>(await lab.run([...program, 'missing.lab.example']));
    const r = await lab.run(tn(...program, 'missing.lab.example'), { env });
    const [error, ms] = lastJson<[string, number]>(r);
    assert.equal(plain[0], 'EAI_NONAME');
    assert.equal(error, 'EAI_NONAME', show(r));
    assert.ok(ms < 800, `${ms} ms under tnat64, ${plain[1]} ms without`);
  });
});

describe('gethostbyname2 and the _r forms (python ctypes calling libc, as a C program would)', () => {
  test('AF_INET: the stand-in (h_addrtype AF_INET, h_length 4, the name); AF_INET6: the AAAA record unchanged', async () => {
    const r = await lab.run(tn(...pyFile('gethostbyname2.py', N.v6only)), { env });
    const o = lastJson<{ v4: [string, number, number, string[]]; v6: [string, number, number, string[]]; v4_r: [number, unknown] }>(r);
    assert.ok(o.v4, show(r));
    const [name, type, length, addrs] = o.v4;
    assert.deepEqual([name, type, length, addrs.length], [N.v6only, 2, 4, 1], show(r));
    assert.match(addrs[0]!, STANDIN);
    assert.deepEqual(o.v6, [N.v6only, 10, 16, [v6().address]]);
    assert.deepEqual(o.v4_r, [0, o.v4]);
  });
});

describe('one pool for names and peers', () => {
  test('the IPv6-only host calling an IPv4 server back is shown as the stand-in its name got (accept, recvfrom)', async () => {
    const server = lab.spawn(tn(...pyFile('standin-callback-server.py', N.v6only)), { env, timeoutMs: 20_000 });
    await lab.waitFor(server, /ready \d+/);
    const port = /ready (\d+)/.exec(server.stdout())![1]!;
    // From the IPv6-only host's own address, as that host would call.
    const caller = await lab.runIn('gateway', pyFile('ipv6-callback-client.py', v6().address, clientIPv6(), port));
    assert.equal(caller.stdout.trim(), 'back', show(caller));
    const done = await server.exited;
    const o = lastJson<{ ip: string; accepted: string; from: string; data: string; name: string }>(done);
    assert.match(o.ip, STANDIN, show(done));
    assert.equal(o.accepted, o.ip, show(done));
    assert.equal(o.from, o.ip);
    assert.equal(o.data, 'hello');
    assert.equal(o.name, N.v6only);
  });
});

describe('reverse lookups of a stand-in give the name', () => {
  test('python gethostbyaddr, getnameinfo; gethostbyname gives the same stand-in again', async () => {
    const r = await lab.run(tn(...pyFile('standin-reverse-lookups.py', N.v6only)), { env });
    const o = lastJson<{ ip: string; byaddr: string; nameinfo: [string, string]; again: string; ex: string[] }>(r);
    assert.match(o.ip, STANDIN, show(r));
    assert.equal(o.byaddr, N.v6only);
    assert.deepEqual(o.nameinfo, [N.v6only, 'http']);
    assert.equal(o.again, o.ip);
    assert.deepEqual(o.ex, [o.ip]);
  });

  test('getent hosts STANDIN in the same process tree; in another tnat64 invocation it is no one', async () => {
    const r = await lab.run(
      tn('sh', '-c', `ip=$(getent ahostsv4 ${N.v6only} | head -n1 | cut -d" " -f1); echo "$ip"; getent hosts "$ip"`),
      { env },
    );
    assert.equal(r.code, 0, show(r));
    const [ip, line] = r.stdout.trim().split('\n');
    assert.match(ip!, STANDIN);
    assert.deepEqual(line!.split(/\s+/), [ip, N.v6only]);
    const other = await lab.run(tn('getent', 'hosts', ip!), { env });
    assert.equal(other.code, 2, `a separate invocation has its own pool: ${show(other)}`);
  });
});

describe('pool exhaustion', () => {
  test('TNAT64_STANDIN_POOL=198.19.0.0/30: two stand-ins, the third name fails with EAI_FAIL, the first two still work', async () => {
    const r = await lab.run(
      tn(
        ...pyFile('standin-pool-exhaustion.py', ...N.v6n.slice(0, 3)),
      ),
      { env: { ...env, TNAT64_STANDIN_POOL: '198.19.0.0/30' } },
    );
    const o = lastJson<{ ips: Record<string, string>; again: string; hosts: Record<string, string> }>(r);
    const [n1, n2, n3] = N.v6n;
    assert.deepEqual([o.ips[n1], o.ips[n2]].sort(), ['198.19.0.1', '198.19.0.2'], show(r));
    assert.equal(o.ips[n3], 'EAI_FAIL', show(r));
    assert.equal(o.again, o.ips[n1], 'a name looked up again keeps its stand-in, full pool or not');
    assert.deepEqual(o.hosts, { [n1]: v6().extra[0], [n2]: v6().extra[1] });
  });

  test('the range is configurable: TNAT64_STANDIN_POOL, and standin_pool in the file', async () => {
    const first = (r: { stdout: string }) => r.stdout.split(/\s+/)[0]!;
    const e = await lab.run(tn('getent', 'ahostsv4', N.v6only), { env: { ...env, TNAT64_STANDIN_POOL: '198.19.77.0/24' } });
    assert.equal(e.code, 0, show(e));
    assert.match(first(e), /^198\.19\.77\.(\d+)$/);
    const conf = join(lab.dir, 'standin.conf');
    writeFileSync(conf, 'standin_pool = 192.0.2.0/24\n');
    const f = await lab.run(tn('getent', 'ahostsv4', N.v6only), { env: { ...env, TNAT64_CONF_FILE: conf } });
    assert.equal(f.code, 0, show(f));
    assert.match(first(f), /^192\.0\.2\.(\d+)$/);
  });

  // Debian's perl is threaded: it calls gethostbyname_r and reads the global h_errno into $?, which glibc's
  // gethostbyname_r sets as well as *h_errnop.
  test('gethostbyname (perl) of the third name: NO_RECOVERY', async () => {
    const r = await lab.run(
      tn(
        'perl',
        '-e',
        'for (@ARGV) { my @h = gethostbyname($_); print @h ? join(".", unpack("C4", $h[4])) : "h_errno=$?", "\\n" }',
        ...N.v6n.slice(0, 3),
      ),
      { env: { ...env, TNAT64_STANDIN_POOL: '198.19.0.0/30' } },
    );
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 3, show(r));
    assert.deepEqual(lines.slice(0, 2).sort(), ['198.19.0.1', '198.19.0.2'], show(r));
    assert.equal(lines[2], 'h_errno=3', show(r)); // NO_RECOVERY
  });
});

describe('names with A records, and dual-stack programs, are unchanged', () => {
  test('getent ahostsv4: the A record of an A-only and of an A+AAAA name', async () => {
    for (const name of [N.v4, N.dual]) {
      const r = await lab.run(tn('getent', 'ahostsv4', name), { env });
      assert.equal(r.code, 0, show(r));
      assert.deepEqual([...new Set(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]))], [SERVER_IPV4], name);
    }
  });

  type Answers = Record<string, [string, string][]>;
  const names = [N.dual, N.v6only, N.v4, N.multi, N.embedded];
  const family = (o: Answers, f: string) => Object.fromEntries(Object.entries(o).map(([n, l]) => [n, l.filter(([x]) => x === f)]));

  test('AF_UNSPEC lookups give what they give without tnat64: AAAA (real or synthesized) and A, no stand-in', async () => {
    const program = resolver('AF_UNSPEC', '0');
    const plain = await lab.run([...program, ...names]);
    const under = await lab.run(tn(...program, ...names), { env });
    assert.deepEqual(lastJson(under), lastJson(plain), `without: ${show(plain)}\nunder: ${show(under)}`);
    assert.doesNotMatch(under.stdout, /198\.19\./);
    const dual = lastJson<Answers>(under)[N.dual]!;
    assert.deepEqual([...new Set(dual.map(([, a]) => a))].sort(), [SERVER_IPV4, v6().address].sort());
  });

  test('AF_UNSPEC with AI_ADDRCONFIG: the AAAA answers unchanged, the real A records added, no stand-in', async () => {
    const program = resolver('AF_UNSPEC', 'AI_ADDRCONFIG');
    const plain = lastJson<Answers>(await lab.run([...program, ...names]));
    const r = await lab.run(tn(...program, ...names), { env });
    const under = lastJson<Answers>(r);
    assert.deepEqual(family(under, 'AF_INET6'), family(plain, 'AF_INET6'), show(r));
    // glibc drops A queries on a host without IPv4 (AI_ADDRCONFIG); tnat64 can reach IPv4, so it asks for them.
    assert.deepEqual(family(plain, 'AF_INET'), { [N.dual]: [], [N.v6only]: [], [N.v4]: [], [N.multi]: [], [N.embedded]: [] });
    const a = (ip?: string) => (ip ? [['AF_INET', ip]] : []);
    const expected = { [N.dual]: a(SERVER_IPV4), [N.v6only]: a(), [N.v4]: a(SERVER_IPV4), [N.multi]: a(), [N.embedded]: a() };
    assert.deepEqual(family(under, 'AF_INET'), expected, show(r));
  });

  test('an AAAA record inside the NAT64 prefix (no A) gives its embedded IPv4 address, never a stand-in', async () => {
    const program = resolver('AF_INET', '0');
    const plain = await lab.run([...program, N.embedded]);
    assert.equal(lastJson(plain)[N.embedded], 'EAI_NODATA', show(plain));
    const r = await lab.run(tn(...program, N.embedded), { env });
    assert.deepEqual(lastJson(r)[N.embedded], [['AF_INET', SERVER_IPV4]], show(r));
    const c = await lab.run(tn('curl', '-4', '-sS', '--max-time', '5', `http://${N.embedded}/whoami`), { env });
    assert.equal(lab.poolOf(c.stdout), 0, show(c));
  });

  test('a dual-stack program still gets the AAAA answer first', async () => {
    const r = await lab.run(
      tn(...pyFile('getaddrinfo-first-answer.py', N.dual, N.v4)),
      { env },
    );
    const synthesized = lab.synthesize(SERVER_IPV4);
    assert.deepEqual(lastJson(r), [v6().address, v6().address, synthesized, synthesized], show(r));
  });

  test('a program that asks AF_UNSPEC and uses only the IPv4 answers', async () => {
    const r = await lab.run(tn(...pyFile('unspec-ipv4-get.py', N.dual)), { env });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY);
  });

  test('curl without -4 reaches the AAAA-only name over IPv6 natively', async () => {
    const r = await lab.run(tn('curl', '-sS', '--max-time', '5', '-w', '%{remote_ip}', `http://${N.v6only}/whoami`), { env });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, `${clientIPv6()}\n${v6().address}`);
  });
});

describe('where one process resolves and another connects', () => {
  test('a script passes the stand-in along: tnat64 sh -c \'ip=$(getent ahostsv4 …); curl http://$ip/\'', async () => {
    const script = `ip=$(getent ahostsv4 ${N.v6only} | head -n1 | cut -d" " -f1); echo "$ip"; curl -sS --max-time 5 http://$ip/whoami`;
    const r = await lab.run(tn('sh', '-c', script), { env });
    assert.equal(r.code, 0, show(r));
    const [ip, seen] = r.stdout.trim().split('\n');
    assert.match(ip!, STANDIN);
    assert.equal(seen, clientIPv6());
  });

  test('python: the parent resolves, forked children connect; a child resolves, the parent connects; exec keeps it', async () => {
    const r = await lab.run(tn(...pyFile('standin-fork-exec.py', String(PORTS.whoami), N.v6only, N.v6n[0])), { env });
    const o = lastJson<{ ip: string; children: string[]; child_ip: string; parent_to_child_ip: string; exec: string }>(r);
    assert.match(o.ip, STANDIN, show(r));
    assert.deepEqual(o.children, [clientIPv6(), clientIPv6()], show(r));
    assert.match(o.child_ip, STANDIN);
    assert.notEqual(o.child_ip, o.ip);
    assert.equal(o.parent_to_child_ip, clientIPv6());
    assert.equal(o.exec, clientIPv6());
  });
});

describe('on a dual-stack host (the client has 192.0.2.2 too)', () => {
  let dlab: Lab;
  let denv: NodeJS.ProcessEnv;
  useLab({ clientIPv4: true }, (s) => ({ lab: dlab, env: denv } = s));

  test('AF_UNSPEC lookups, with and without AI_ADDRCONFIG, are exactly what glibc gives', async () => {
    for (const flags of ['0', 'AI_ADDRCONFIG']) {
      const program = resolver('AF_UNSPEC', flags);
      const names = [N.v4, N.dual, N.v6only, N.multi];
      const plain = await dlab.run([...program, ...names]);
      const under = await dlab.run(tn(...program, ...names), { env: denv });
      assert.deepEqual(lastJson(under), lastJson(plain), `flags ${flags}\nwithout: ${show(plain)}\nunder: ${show(under)}`);
      assert.doesNotMatch(under.stdout, /198\.19\./);
    }
  });

  test('AF_INET: A records as they are; an AAAA-only name still gets a stand-in that leads to it', async () => {
    const program = resolver('AF_INET', 'AI_ADDRCONFIG');
    const plain = lastJson<Record<string, unknown>>(await dlab.run([...program, N.v4, N.dual, N.v6only]));
    const r = await dlab.run(tn(...program, N.v4, N.dual, N.v6only), { env: denv });
    const under = lastJson<Record<string, [string, string][]>>(r);
    assert.deepEqual(under[N.v4], plain[N.v4], show(r));
    assert.deepEqual(under[N.dual], plain[N.dual]);
    assert.equal(plain[N.v6only], 'EAI_NODATA');
    assert.match(under[N.v6only]?.[0]?.[1] ?? '', STANDIN, show(r));
    const c = await dlab.run(tn('curl', '-4', '-sS', '--max-time', '5', `http://${N.v6only}/whoami`), { env: denv });
    assert.equal(c.stdout.trim(), dlab.addresses.client.ipv6, show(c));
  });
});

describe('lookups with an IPv4-only nameserver (resolv.conf: nameserver 203.0.113.2)', () => {
  let nlab: Lab;
  /** TNAT64_PREFIX given: discovery cannot work here, it would ask the same unreachable nameserver. */
  let nenv: NodeJS.ProcessEnv;
  useLab({ nameservers: [SERVER_IPV4], search: ['lab.example'] }, (s) => ({ lab: nlab, env: nenv } = s));
  const me = () => nlab.addresses.client.ipv6!;

  test('the server\'s DNS answers the client\'s NAT64 source (TAYGA\'s pool) without recursion; glibc alone cannot reach it', async () => {
    const dig = (name: string, type: string) =>
      nlab.run(tn('dig', '+norec', '+short', '+time=2', '+tries=1', `@${SERVER_IPV4}`, name, type), { env: nenv });
    const a = await dig(N.v4, 'A');
    assert.equal(a.stdout.trim(), SERVER_IPV4, show(a));
    const aaaa = await dig(N.alias, 'AAAA');
    assert.deepEqual(aaaa.stdout.trim().split('\n'), [`${N.v6only}.`, nlab.addresses.ipv6Host.address], show(aaaa));
    const plain = await nlab.run(['getent', 'ahostsv4', N.v4]);
    assert.equal(plain.code, 2, `without tnat64: ${show(plain)}`);
  });

  test('getent ahostsv4 and python getaddrinfo (AF_INET, AI_ADDRCONFIG): the A record, a stand-in for an AAAA-only name', async () => {
    const g = await nlab.run(tn('getent', 'ahostsv4', N.v4), { env: nenv });
    assert.equal(g.code, 0, show(g));
    assert.equal(g.stdout.split(/\s+/)[0], SERVER_IPV4);
    const g6 = await nlab.run(tn('getent', 'ahostsv4', N.v6only), { env: nenv });
    assert.equal(g6.code, 0, show(g6));
    assert.match(g6.stdout.split(/\s+/)[0]!, STANDIN);
    const p = await nlab.run(tn(...resolver('AF_INET', 'AI_ADDRCONFIG'), N.v4, N.v6only, N.alias), { env: nenv });
    const o = lastJson<Record<string, [string, string][]>>(p);
    assert.deepEqual(o[N.v4], [['AF_INET', SERVER_IPV4]], show(p));
    assert.equal(o[N.v6only]?.length, 1, show(p));
    assert.match(o[N.v6only]![0]![1], STANDIN);
    assert.deepEqual(o[N.alias], o[N.v6only], `the CNAME leads to the same stand-in: ${show(p)}`);
  });

  test('curl -4, wget -4, curl (dual-stack) and socat UDP4 by name', async () => {
    const c = await nlab.run(tn('curl', '-4', '-sS', '--max-time', '5', `http://${N.v4}/whoami`, `http://${N.v6only}/whoami`), { env: nenv });
    assert.equal(c.code, 0, show(c));
    const [viaNat64, direct] = c.stdout.trim().split('\n');
    assert.equal(nlab.poolOf(viaNat64!), 0, show(c));
    assert.equal(direct, me());
    const d = await nlab.run(tn('curl', '-sS', '--max-time', '5', '-w', '%{remote_ip}', `http://${N.v6only}/whoami`), { env: nenv });
    assert.equal(d.stdout, `${me()}\n${nlab.addresses.ipv6Host.address}`, `dual-stack curl: ${show(d)}`);
    const w = await nlab.run(tn('wget', '-4', '-q', '-T', '5', '-t', '1', '-O', '-', `http://${N.v4}/`, `http://${N.v6only}/`), { env: nenv });
    assert.equal(w.stdout, HTTP_BODY + V6_HTTP_BODY, show(w));
    const u = await nlab.run(tn('socat', '-T', '3', '-', `UDP4:${N.v6only}:${PORTS.whoami}`), { env: nenv, input: '?' });
    assert.equal(u.stdout.split(' ')[0], me(), `socat UDP4 by name: ${show(u)}`);
  });

  test('gethostbyname (perl, python), and the way back from a stand-in the own resolver made', async () => {
    const h = await nlab.run(
      tn('perl', '-MSocket', '-e', 'for (@ARGV) { my @h = gethostbyname($_); print @h ? inet_ntoa($h[4]) : "h_errno=$?", "\n" }', N.v4, N.v6only),
      { env: nenv },
    );
    const [h4, h6] = h.stdout.trim().split('\n');
    assert.equal(h4, SERVER_IPV4, show(h));
    assert.match(h6!, STANDIN, show(h));
    const back = await nlab.run(
      tn(...pyFile('gethostbyname-whoami.py', String(PORTS.whoami), N.alias)),
      { env: nenv },
    );
    const [ip, name, seen] = back.stdout.trim().split(' ');
    assert.match(ip!, STANDIN, show(back));
    assert.ok(name === N.alias || name === N.v6only, show(back));
    assert.equal(seen, me());
  });

  test('a short name through the search list, a name that does not exist', async () => {
    const r = await nlab.run(tn(...shortName, 'v6only'), { env: nenv });
    const [ip, canonical, seen] = lastJson<[string, string, string]>(r);
    assert.match(ip, STANDIN, show(r));
    assert.equal(canonical, N.v6only);
    assert.equal(seen, me());
    const v4 = await nlab.run(tn('curl', '-4', '-sS', '--max-time', '5', 'http://v4/whoami'), { env: nenv });
    assert.equal(nlab.poolOf(v4.stdout), 0, show(v4));
    const missing = await nlab.run(tn(...resolver('AF_INET', '0'), 'missing.lab.example', 'missing'), { env: nenv });
    assert.deepEqual(lastJson(missing), { 'missing.lab.example': 'EAI_NONAME', missing: 'EAI_NONAME' }, show(missing));
    assert.ok(missing.durationMs < 5000, `${missing.durationMs} ms`);
  });

  // glibc's ai_canonname is the owner of the address records, the end of the CNAME chain.
  test('the canonical name of a CNAME is its target, as glibc gives it', async () => {
    const c = await nlab.run(tn(...canon), { env: nenv });
    assert.deepEqual(lastJson(c), [N.v6only, N.v6only], show(c));
  });

  test('with no prefix known (none given, none discoverable) the lookup still fails, within the bound', async () => {
    const env = { TNAT64_CONF_FILE: nenv.TNAT64_CONF_FILE };
    const g = await nlab.run(tn('getent', 'ahostsv4', N.v4), { env, timeoutMs: 20_000 });
    assert.equal(g.code, 2, show(g));
  });
});
