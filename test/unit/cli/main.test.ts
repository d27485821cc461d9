import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { main, commandsFor } from '../../../src/cli/main.js';
import { envCode } from '../../../src/cli/commands/env.js';
import { dnsError, fakeIo, fakeResolver, fakeWorld, ROOT, ROUTES_V4_NONE, ROUTES_V6_DEFAULT, TESTDATA } from '../helpers.js';

const LIB = join(ROOT, 'build', 'libtnat64.so');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, world = fakeWorld()) {
  const io = fakeIo(env);
  const code = await main(argv, io, world);
  return { code, out: io.stdout, err: io.stderr, world };
}

test('--help, -h and help list every command; exit 0', async () => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const { code, out, err } = await run(argv);
    assert.equal(code, 0);
    assert.equal(err, '');
    for (const name of ['env', 'check', 'explain', 'discover', 'lab']) assert.match(out, new RegExp(`^  ${name} +\\S`, 'm'));
    assert.match(out, /tnat64 -- PROGRAM/);
  }
});

test('--version, -V and version print the package version', async () => {
  for (const argv of [['--version'], ['-V'], ['version']]) {
    const { code, out, err } = await run(argv);
    assert.deepEqual([code, out, err], [0, `tnat64 ${version}\n`, '']);
  }
});

test('every command has --help (and help COMMAND prints the same)', async () => {
  for (const command of commandsFor(fakeWorld())) {
    const { code, out } = await run([command.name, '--help']);
    assert.equal(code, 0, command.name);
    assert.equal(out, command.usage);
    assert.match(out, /^Usage: /);
    assert.equal((await run(['help', command.name])).out, command.usage);
  }
});

test('usage errors exit 2 with a message and a pointer to --help', async () => {
  const cases: [string[], RegExp][] = [
    [[], /missing COMMAND/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--frobnicate'], /unknown option "--frobnicate"/],
    [['env', '--bogus'], /Unknown option '--bogus'/],
    [['explain'], /missing HOST\[:PORT\]/],
    [['explain', 'a', 'b'], /expected one HOST\[:PORT\], got 2/],
    [['explain', '[2001:db8::1]:80'], /IPv6/],
    [['explain', '192.0.2.1:99999'], /not a port/],
    [['check', '-t'], /argument missing/],
    [['check', 'extra'], /Unexpected argument 'extra'/],
    [['discover', '--json=yes'], /does not take an argument/],
    [['help', 'nope'], /unknown command "nope"/],
  ];
  for (const [argv, message] of cases) {
    const { code, out, err } = await run(argv);
    assert.equal(code, 2, argv.join(' '));
    assert.equal(out, '');
    assert.match(err, message, argv.join(' '));
    assert.match(err, /Try 'tnat64 .*--help'/);
  }
});

test('run and -- are the launcher\'s job: a problem (exit 1) with a hint', async () => {
  const { code, err } = await run(['run', 'true']);
  assert.equal(code, 1);
  assert.match(err, /bin\/tnat64 launcher[\s\S]*hint: /);
});

test('env prints LD_PRELOAD code; a missing library is a problem with a hint', async () => {
  const missing = await run(['env'], {}, fakeWorld({ existing: [] }));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /libtnat64\.so is missing\nhint: run `npm run build`/);
  const world = fakeWorld({ existing: [LIB] });
  assert.deepEqual([(await run(['env'], {}, world)).out], [`LD_PRELOAD='${LIB}'; export LD_PRELOAD\n`]);
  assert.equal((await run(['env'], { LD_PRELOAD: `/a.so:${LIB} /b.so` }, world)).out, `LD_PRELOAD='${LIB} /a.so /b.so'; export LD_PRELOAD\n`);
  assert.equal((await run(['env', '--off'], { LD_PRELOAD: `${LIB} /a.so` }, world)).out, `LD_PRELOAD='/a.so'; export LD_PRELOAD\n`);
  assert.equal((await run(['env', '--off'], { LD_PRELOAD: LIB }, fakeWorld())).out, 'unset LD_PRELOAD\n');
  assert.equal((await run(['env', '--off'], {}, fakeWorld())).out, 'unset LD_PRELOAD\n');
});

test('env / env --off round-trip through sh -c \'eval "$(…)"\', with quoting that survives odd entries', async () => {
  const root = "/opt/it's";
  const lib = `${root}/build/libtnat64.so`;
  const world = fakeWorld({ packageRoot: root, existing: [lib] });
  /** LD_PRELOAD after `eval "$(tnat64 env [--off])"` in a shell that had `preload`, or "unset". */
  const evalIn = async (args: string[], preload?: string) => {
    const env = preload === undefined ? {} : { LD_PRELOAD: preload };
    const { code, out } = await run(args, env, world);
    assert.equal(code, 0);
    // The shell starts without LD_PRELOAD (no ld.so noise about the fake entries): the code sets or unsets it whole.
    return execFileSync('sh', ['-c', 'eval "$1"; if [ -n "${LD_PRELOAD+set}" ]; then printf %s "$LD_PRELOAD"; else printf unset; fi', 'sh', out], {
      env: { PATH: process.env.PATH },
    }).toString();
  };
  const on = await evalIn(['env']);
  assert.equal(on, lib);
  assert.equal(await evalIn(['env'], on), lib, 'idempotent');
  assert.equal(await evalIn(['env', '--off'], on), 'unset');
  const odd = '/usr/lib/libfoo.so:/old/libtnat64.so $(touch /tmp/tnat64-pwned) `id` "x"';
  const mixed = await evalIn(['env'], odd);
  assert.equal(mixed, `${lib} /usr/lib/libfoo.so $(touch /tmp/tnat64-pwned) \`id\` "x"`);
  assert.equal(await evalIn(['env', '--off'], mixed), '/usr/lib/libfoo.so $(touch /tmp/tnat64-pwned) `id` "x"');
  assert.equal(await evalIn(['env', '--off']), 'unset');
  assert.equal(envCode({}, lib, true), 'unset LD_PRELOAD\n');
});

test('check: a valid file prints every net and path and the prefix source; exit 0', async () => {
  const file = join(TESTDATA, 'config', 'valid', 'original.conf');
  const { code, out } = await run(['check', '-f', file], { TNAT64_PREFIX: '2001:db8:122::/48' });
  assert.equal(code, 0);
  assert.match(out, new RegExp(`configuration file: ${file} \\(given with -f\\)`));
  assert.match(out, /status: valid: 1 default prefix, 2 local net\(s\), 1 path\(s\)/);
  for (const line of ['nat64_prefix 64:ff9b::/96', 'local 192.168.0.0/24', 'local 10.0.0.0/8', 'path 2001:db8:aaaa::/96 150.0.0.0/16 80-1024']) assert.ok(out.includes(`  ${line}\n`), line);
  assert.match(out, /default prefix: 2001:db8:122::\/48 from TNAT64_PREFIX \(overriding the file's 64:ff9b::\/96\)/);
});

test('check: an invalid file lists every error with file:line and exits 1', async () => {
  const file = join(TESTDATA, 'config', 'invalid', 'first-error-wins.conf');
  const { code, out } = await run(['check'], { TNAT64_CONF_FILE: file });
  assert.equal(code, 1);
  assert.match(out, /from TNAT64_CONF_FILE/);
  assert.match(out, /INVALID \(3 errors\); the library ignores the whole file/);
  assert.ok(out.includes(`${file}:3: "local = 10.0.0.1/8": 10.0.0.1 has host bits set for /8; expected 10.0.0.0/8`));
  assert.ok(out.includes(`${file}:4: "nat64_prefix = 2001:db8::/33": prefix length 33 is not one of 32, 40, 48, 56, 64, 96`));
  assert.ok(out.includes(`${file}:5: "bogus = 1": "bogus" is not a keyword`));
});

test('check: the stand-in range the library uses, and a warning for an invalid TNAT64_STANDIN_POOL', async () => {
  const file = join(TESTDATA, 'config', 'valid', 'standin-pool.conf');
  assert.match((await run(['check'])).out, /^stand-in range: 198\.19\.0\.0\/16 \(the default\), 65534 stand-ins per process tree$/m);
  assert.match((await run(['check', '-f', file])).out, /^stand-in range: 198\.18\.0\.0\/24 \(standin_pool in the file\), 254 stand-ins/m);
  assert.match((await run(['check', '-f', file], { TNAT64_STANDIN_POOL: '10.64.0.4/30' })).out, /^stand-in range: 10\.64\.0\.4\/30 \(from TNAT64_STANDIN_POOL\), 2 stand-ins/m);
  const bad = await run(['check', '-f', file], { TNAT64_STANDIN_POOL: '10.64.0.4/31' });
  assert.equal(bad.code, 0);
  assert.match(bad.out, /^warning: TNAT64_STANDIN_POOL=10\.64\.0\.4\/31 is not a stand-in range \(bad-standin-pool\).*the library ignores it\nstand-in range: 198\.18\.0\.0\/24 \(standin_pool in the file\)/m);
});

test('check: no file is fine; -f with a missing file is a problem', async () => {
  const absent = await run(['check']);
  assert.equal(absent.code, 0);
  assert.match(absent.out, /\/etc\/tnat64\.conf \(the default; TNAT64_CONF_FILE is not set\)\nstatus: no such file/);
  const missing = await run(['check', '-f', '/nonexistent.conf']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /\/nonexistent\.conf does not exist/);
});

test('check -t: path, prefix, synthesized address and method for each target; names resolved', async () => {
  const file = join(TESTDATA, 'config', 'valid', 'decisions.conf');
  const world = fakeWorld({ names: { 'svc.example': ['150.0.0.1', '10.1.1.1'] } });
  const { code, out } = await run(['check', '-f', file, '-t', '150.0.0.1:80', '-t', 'svc.example:1025', '-t', '198.51.100.1:443'], {}, world);
  assert.equal(code, 0);
  assert.match(out, /target 150\.0\.0\.1:80\n150\.0\.0\.1:80: nat64 \(path\)\n  prefix 2001:db8:aaaa::\/96, connect to \[2001:db8:aaaa::9600:1\]:80/);
  assert.match(out, /target svc\.example:1025\n150\.0\.0\.1:1025: nat64 \(path\)\n  prefix 2001:db8:122::\/48/);
  assert.match(out, /10\.1\.1\.1:1025: ipv4 \(local\)/);
  assert.match(out, /198\.51\.100\.1:443: ipv4 \(wkp-nonglobal\)/);
  assert.equal(world.resolverCalls, 0, 'the file has a prefix: no discovery');
  const unresolved = await run(['check', '-t', 'nowhere.example', '-t', '192.0.2.1:80', '-f', file], {}, world);
  assert.equal(unresolved.code, 1);
  assert.match(unresolved.out, /target nowhere\.example: cannot resolve nowhere\.example to IPv4 addresses \(ENOTFOUND\)/);
  assert.match(unresolved.out, /target 192\.0\.2\.1:80\n192\.0\.2\.1:80: nat64 \(path\)/, 'the other targets are still shown');
});

test('explain: the decision, where the default prefix came from, and run-time behaviour', async () => {
  const world = fakeWorld({ resolver: fakeResolver(['2001:db8::53'], [{ address: '64:ff9b::c000:aa', ttl: 120 }]) });
  const { code, out } = await run(['explain', '8.8.8.8:53'], {}, world);
  assert.equal(code, 0);
  assert.match(out, /configuration: none \(\/etc\/tnat64\.conf does not exist\)/);
  assert.match(out, /default prefix: 64:ff9b::\/96 discovered through DNS64/);
  assert.match(out, /8\.8\.8\.8:53: nat64 \(default\)\n  prefix 64:ff9b::\/96, connect to \[64:ff9b::808:808\]:53/);
  assert.match(out, /at run time NAT64 is tried first.*same connect is made over IPv4.*remembered for this address for 300 s/);
  assert.equal(world.resolverCalls, 1);
});

test('explain: no discovery when the decision does not need the default prefix', async () => {
  const world = fakeWorld({ resolver: fakeResolver(['2001:db8::53'], dnsError('ETIMEOUT')) });
  const file = join(TESTDATA, 'config', 'valid', 'lengths.conf');
  for (const dest of ['127.0.0.1:22', '1.2.3.4:80', '224.0.0.1']) {
    const { code, out } = await run(['explain', dest, '-f', file], {}, world);
    assert.equal(code, 0);
    assert.match(out, /default prefix: not needed for this destination \(not looked up\)/);
  }
  assert.equal(world.resolverCalls, 0);
  const needed = await run(['explain', '9.9.9.9:80', '-f', file], {}, world);
  assert.equal(world.resolverCalls, 1);
  assert.match(needed.out, /default prefix: no prefix: .*did not answer.*ETIMEOUT/);
  assert.match(needed.out, /9\.9\.9\.9:80: ipv4 \(no-prefix\)/);
  const ipv4Only = fakeWorld({
    resolver: fakeResolver(['192.0.2.53'], dnsError('ETIMEOUT')),
    files: { '/proc/net/route': ROUTES_V4_NONE, '/proc/net/ipv6_route': ROUTES_V6_DEFAULT },
  });
  const warned = await run(['explain', '9.9.9.9:80'], {}, ipv4Only);
  assert.match(warned.out, /warning: every nameserver \(192\.0\.2\.53\) is an IPv4 address/);
  const checked = await run(['check', '-t', '9.9.9.9:80'], {}, ipv4Only);
  assert.match(checked.out, /default prefix: no prefix from TNAT64_PREFIX or the configuration file; the library discovers/);
  assert.match(checked.out, /discovery: no prefix: .*ETIMEOUT[^\n]*\nwarning: every nameserver/);
});

test('check warns about IPv4-only nameservers on a host without IPv4, without asking them anything', async () => {
  const ipv4Only = fakeWorld({
    resolver: fakeResolver(['192.0.2.53'], dnsError('ETIMEOUT')),
    files: { '/proc/net/route': ROUTES_V4_NONE, '/proc/net/ipv6_route': ROUTES_V6_DEFAULT },
  });
  const { code, out } = await run(['check'], {}, ipv4Only);
  assert.equal(code, 0);
  assert.match(out, /warning: every nameserver \(192\.0\.2\.53\) is an IPv4 address.*inside libc/);
  assert.equal(ipv4Only.resolverCalls, 0);
  const dual = fakeWorld({ resolver: fakeResolver(['192.0.2.53'], dnsError('ETIMEOUT')) });
  assert.doesNotMatch((await run(['check'], {}, dual)).out, /warning/);
});

test('explain: a name that does not resolve is a problem (exit 1)', async () => {
  const { code, out, err } = await run(['explain', 'nowhere.example:80']);
  assert.deepEqual([code, out], [1, '']);
  assert.equal(err, 'tnat64 explain: cannot resolve nowhere.example to IPv4 addresses (ENOTFOUND); give an IPv4 address instead, or check the name\n');
});

test('explain --json has the documented shape', async () => {
  const file = join(TESTDATA, 'config', 'valid', 'decisions.conf');
  const world = fakeWorld({ names: { 'two.example': ['150.0.0.1', '150.0.5.5'] } });
  const { code, out } = await run(['explain', '--json', 'two.example:80', '-f', file], { TNAT64_PREFIX: 'bogus' }, world);
  assert.equal(code, 0);
  const json = JSON.parse(out);
  assert.deepEqual(Object.keys(json), ['target', 'host', 'port', 'config', 'defaultPrefix', 'destinations']);
  assert.deepEqual(json.config, { file, from: 'option', status: 'ok', errors: [] });
  assert.equal(json.defaultPrefix.prefix, '2001:db8:100::/40');
  assert.equal(json.defaultPrefix.origin, 'config');
  assert.match(json.defaultPrefix.envProblem, /TNAT64_PREFIX="bogus" is ignored/);
  assert.equal(json.defaultPrefix.discovery, null);
  assert.deepEqual(json.destinations.map((d: Record<string, unknown>) => [d.address, d.port, d.method, d.reason, d.prefix, d.synthesized]), [
    ['150.0.0.1', 80, 'nat64', 'path', '2001:db8:aaaa::/96', '2001:db8:aaaa::9600:1'],
    ['150.0.5.5', 80, 'ipv4', 'local', null, null],
  ]);
});

test('explain with an invalid file: explains what the library does (ignore it) and exits 1', async () => {
  const file = join(TESTDATA, 'config', 'invalid', 'one-error-invalidates.conf');
  const { code, out } = await run(['explain', '10.1.2.3:80', '--json'], { TNAT64_CONF_FILE: file, TNAT64_PREFIX: '2001:db8::/32' });
  assert.equal(code, 1);
  const json = JSON.parse(out);
  assert.equal(json.config.status, 'invalid');
  assert.deepEqual(json.config.errors.map((e: { line: number; code: string }) => [e.line, e.code]), [[8, 'bad-mask']]);
  assert.equal(json.destinations[0].reason, 'default', 'the file\'s local 10.0.0.0/8 is not applied');
});

test('discover: text and --json; exit 1 when there is no prefix', async () => {
  const found = fakeWorld({ resolver: fakeResolver(['2001:db8::53'], [{ address: '2001:db8:122:344:c0:0:aa00:0', ttl: 900 }, { address: '2001:db8:122:344:c0:0:ab00:0', ttl: 900 }]) });
  const text = await run(['discover'], {}, found);
  assert.equal(text.code, 0);
  assert.equal(text.out, 'resolver asked: 2001:db8::53\nprefix: 2001:db8:122:344::/64 (length 64)\nttl: 900 s\nanswers: 2001:db8:122:344:c0:0:aa00:0, 2001:db8:122:344:c0:0:ab00:0\n');
  const json = JSON.parse((await run(['discover', '--json'], {}, found)).out);
  assert.deepEqual(json, {
    status: 'found',
    prefixes: [{ prefix: '2001:db8:122:344::/64', length: 64 }],
    ttl: 900,
    resolvers: ['2001:db8::53'],
    answers: ['2001:db8:122:344:c0:0:aa00:0', '2001:db8:122:344:c0:0:ab00:0'],
    error: null,
    message: json.message,
    hint: null,
    warnings: [],
    pref64: { file: '/run/tnat64/pref64', cache: 'absent', found: [], problems: [], saved: false },
    inUse: { prefix: '2001:db8:122:344::/64', origin: 'discovery' },
  });
  const nodata = await run(['discover'], {}, fakeWorld({ resolver: fakeResolver(['2001:db8::53'], dnsError('ENODATA')) }));
  assert.equal(nodata.code, 1);
  assert.match(nodata.out, /no prefix: .*no DNS64.*\nhint: .*TNAT64_PREFIX/);
  const timeout = JSON.parse((await run(['discover', '--json'], {}, fakeWorld({ resolver: fakeResolver(['192.0.2.53'], dnsError('ETIMEOUT')) }))).out);
  assert.deepEqual([timeout.status, timeout.error, timeout.prefixes, timeout.ttl], ['no-answer', 'ETIMEOUT', [], null]);
});

test('a bug is not swallowed: unexpected errors propagate with their stack', async () => {
  const world = fakeWorld();
  world.resolver = () => {
    throw new TypeError('boom');
  };
  await assert.rejects(run(['discover'], {}, world), /boom/);
});
