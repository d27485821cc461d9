import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/config.js';
import { discover } from '../../../src/core/discover.js';
import {
  cachedPrefix,
  cacheEntries,
  encodePref64Option,
  formatPref64Cache,
  learnPref64,
  parsePref64Cache,
  parsePref64Option,
  parseRouterAdvertisement,
  parseTcpdumpHex,
  readPref64Cache,
  writePref64Cache,
} from '../../../src/core/pref64.js';
import { effectivePrefix } from '../../../src/core/prefix-source.js';
import { formatPrefix, parsePrefix, Prefix } from '../../../src/core/rfc6052.js';
import { create as createCheck } from '../../../src/cli/commands/check.js';
import { create as createDiscover } from '../../../src/cli/commands/discover.js';
import { create as createExplain } from '../../../src/cli/commands/explain.js';
import { fakeIo, fakeResolver, fakeWorld, readTsv } from '../helpers.js';

/** \n \t \r \\ \xNN, as testdata/pref64.tsv writes them. */
function unescape(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, c: string) =>
    c[0] === 'x' ? String.fromCharCode(parseInt(c.slice(1), 16)) : ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[c] ?? c,
  );
}

const rows = readTsv('pref64.tsv');
const prefix = (text: string): Prefix => {
  const parsed = parsePrefix(text);
  assert.ok('prefix' in parsed, text);
  return parsed.prefix;
};

test('pref64.tsv option rows: every PLC, lifetime scaling, malformed options', () => {
  const options = rows.filter((r) => r.cols[0] === 'option');
  assert.ok(options.length >= 15);
  for (const { line, cols } of options) {
    const bytes = Buffer.from((cols[1] ?? '').replace(/\s+/g, ''), 'hex');
    const parsed = parsePref64Option(bytes);
    const got = 'problem' in parsed ? `error ${parsed.problem}` : `${formatPrefix(parsed.prefix)} ${parsed.lifetime}`;
    assert.equal(got, cols[2], `pref64.tsv:${line}`);
    // What parses encodes back to the same option, save the ignored bits beyond the prefix length.
    if (!('problem' in parsed)) {
      const again = parsePref64Option(encodePref64Option(parsed.prefix, parsed.lifetime));
      assert.deepEqual(again, parsed, `pref64.tsv:${line}: round trip`);
    }
  }
  const lengths = new Set(options.map((r) => /\/(\d+) /.exec(r.cols[2] ?? '')?.[1]).filter(Boolean));
  assert.deepEqual([...lengths].sort(), ['32', '40', '48', '56', '64', '96'], 'every PLC has a row');
});

test('pref64.tsv cache rows (the library checks the same rows)', () => {
  const caches = rows.filter((r) => r.cols[0] === 'cache');
  assert.ok(caches.length >= 30);
  for (const { line, cols } of caches) {
    assert.equal(cols.length, 4, `pref64.tsv:${line}: 4 columns`);
    const parsed = parsePref64Cache(unescape(cols[2] ?? ''));
    const entry = parsed.ok ? cachedPrefix(parsed.entries, Number(cols[1])) : undefined;
    const got = !parsed.ok ? 'invalid' : entry ? `${formatPrefix(entry.prefix)} ${entry.expires}` : 'none';
    assert.equal(got, cols[3], `pref64.tsv:${line}${parsed.ok ? '' : ` (${parsed.problem})`}`);
  }
});

test('encoding: the lifetime rounds up to 8 s units and stops at 65528 s', () => {
  const p = prefix('2001:db8:65::/96');
  const lifetime = (seconds: number) => (parsePref64Option(encodePref64Option(p, seconds)) as { lifetime: number }).lifetime;
  assert.deepEqual([0, 1, 8, 9, 1800, 65528, 65529, 1e9].map(lifetime), [0, 8, 8, 16, 1800, 65528, 65528, 65528]);
});

/** A Router Advertisement: 16 bytes of header, then the options given. */
function ra(...options: Uint8Array[]): Uint8Array {
  const header = Uint8Array.from([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]);
  return Uint8Array.from(Buffer.concat([header, ...options]));
}
const sourceLinkLayer = Uint8Array.from([1, 1, 2, 0, 0, 0, 0, 1]);
const mtu = Uint8Array.from([5, 1, 0, 0, 0, 0, 0x05, 0xdc]);

test('Router Advertisements: PREF64 among other options, several, ignored and malformed ones', () => {
  const a = encodePref64Option(prefix('2001:db8:65::/96'), 1800);
  const b = encodePref64Option(prefix('2001:db8:122::/48'), 600);
  const got = parseRouterAdvertisement(ra(sourceLinkLayer, a, mtu, b));
  assert.deepEqual(
    got.pref64.map((p) => `${formatPrefix(p.prefix)} ${p.lifetime}`),
    ['2001:db8:65::/96 1800', '2001:db8:122::/48 600'],
  );
  assert.deepEqual(got.problems, []);
  const badPlc = Uint8Array.from(a);
  badPlc[3] = (badPlc[3]! & ~7) | 6;
  const ignored = parseRouterAdvertisement(ra(badPlc, b));
  assert.deepEqual(ignored.pref64.map((p) => formatPrefix(p.prefix)), ['2001:db8:122::/48'], 'a bad PLC skips that option only');
  assert.match(ignored.problems.join(), /bad-plc/);
  const zero = parseRouterAdvertisement(ra(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]), a));
  assert.deepEqual(zero.pref64, [], 'a zero-length option ends the walk');
  assert.match(zero.problems.join(), /malformed option at byte 16/);
  const overrun = parseRouterAdvertisement(ra(a).subarray(0, 16 + 12));
  assert.deepEqual(overrun.pref64, []);
  assert.equal(overrun.problems.length, 1);
  assert.deepEqual(parseRouterAdvertisement(Uint8Array.from([133, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).problems, ['not a Router Advertisement']);
});

test('tcpdump -x output: the router and the ICMPv6 message of each advertisement', () => {
  const icmp = ra(sourceLinkLayer, encodePref64Option(prefix('2001:db8:65::/96'), 1800));
  const ipv6 = Buffer.alloc(40);
  ipv6[0] = 0x60;
  ipv6.writeUInt16BE(icmp.length, 4);
  ipv6[6] = 58;
  ipv6[7] = 255;
  Buffer.from('fe800000000000000000000000000001', 'hex').copy(ipv6, 8);
  Buffer.from('ff020000000000000000000000000001', 'hex').copy(ipv6, 24);
  const packet = Buffer.concat([ipv6, icmp]);
  const dump = (p: Buffer) => {
    const lines = [];
    for (let i = 0; i < p.length; i += 16) {
      const words = [];
      for (let j = i; j < Math.min(i + 16, p.length); j += 2) words.push(p.subarray(j, Math.min(j + 2, p.length)).toString('hex'));
      lines.push(`\t0x${i.toString(16).padStart(4, '0')}:  ${words.join(' ')}`);
    }
    return lines.join('\n');
  };
  const output = `12:00:00.000000 IP6 fe80::1 > ff02::1: ICMP6, router advertisement, length ${icmp.length}\n${dump(packet)}\n` +
    `12:00:00.100000 IP6 fe80::2 > ff02::1: ICMP6, router advertisement, length ${icmp.length}\n${dump(packet)}\n`;
  const found = parseTcpdumpHex(output);
  assert.equal(found.length, 2);
  assert.equal(found[0]?.router, 'fe80::1');
  assert.deepEqual([...found[0]!.icmp], [...icmp]);
  assert.equal(formatPrefix(parseRouterAdvertisement(found[0]!.icmp).pref64[0]!.prefix), '2001:db8:65::/96');
  const odd = Buffer.concat([packet, Buffer.from([0xaa])]);
  odd.writeUInt16BE(icmp.length, 4);
  assert.deepEqual([...parseTcpdumpHex(dump(odd))[0]!.icmp], [...icmp], 'bytes beyond the payload length are not the message');
});

test('the cache file: written atomically, read back, expiry, and refusals', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tnat64-pref64-'));
  try {
    const file = join(dir, 'sub', 'pref64');
    const now = 1_800_000_000;
    const found = [
      { prefix: prefix('2001:db8:65::/96'), lifetime: 1800, source: 'ra' as const, interface: 'eth0', router: 'fe80::1' },
      { prefix: prefix('2001:db8:66::/96'), lifetime: 0, source: 'ra' as const, interface: 'eth0', router: 'fe80::1' },
      { prefix: prefix('2001:db8:122::/48'), lifetime: 3600, source: 'ra' as const },
    ];
    writePref64Cache(file, cacheEntries(found, now), now);
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['pref64'], 'no temporary file left');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^2001:db8:65::\/96 1800001800 eth0 fe80::1$/m);
    assert.match(text, /^2001:db8:122::\/48 1800003600 - -$/m);
    assert.doesNotMatch(text, /2001:db8:66::/, 'a withdrawn prefix (lifetime 0) is not cached');
    assert.equal(text, formatPref64Cache(cacheEntries(found, now), now));
    const read = readPref64Cache(file);
    assert.equal(read.status, 'ok');
    const entries = read.status === 'ok' ? read.entries : [];
    assert.equal(formatPrefix(cachedPrefix(entries, now)!.prefix), '2001:db8:65::/96');
    assert.equal(formatPrefix(cachedPrefix(entries, now + 1800)!.prefix), '2001:db8:122::/48', 'the first has expired');
    assert.equal(cachedPrefix(entries, now + 3600), undefined);

    const learned = await learnPref64({ solicit: false, cacheFile: file, now: now + 2000 });
    assert.deepEqual(
      learned.found.map((p) => [formatPrefix(p.prefix), p.lifetime, p.source, p.interface, p.router]),
      [['2001:db8:122::/48', 1600, 'cache', undefined, undefined]],
    );
    assert.match(learned.problems.join(), /2001:db8:65::\/96 expired 200 s ago/);

    symlinkSync(file, join(dir, 'link'));
    assert.equal(readPref64Cache(join(dir, 'link')).status, 'invalid', 'a symlink is not followed, as in the library');
    assert.equal(readPref64Cache(dir).status, 'invalid');
    assert.equal(readPref64Cache(join(dir, 'absent')).status, 'absent');
    writeFileSync(join(dir, 'big'), `${text}${'#'.repeat(4096)}`);
    assert.equal(readPref64Cache(join(dir, 'big')).status, 'invalid');
    writeFileSync(join(dir, 'bad'), '2001:db8:65::/96 1800001800 eth0\n');
    const bad = readPref64Cache(join(dir, 'bad'));
    assert.ok(bad.status === 'invalid' && /line 1: expected PREFIX EXPIRES INTERFACE ROUTER, found 3 fields/.test(bad.problem));
    // Replacing a read-only file works: the rename does not need write access to the old file.
    chmodSync(file, 0o444);
    writePref64Cache(file, [], now);
    assert.deepEqual(parsePref64Cache(readFileSync(file, 'utf8')), { ok: true, entries: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('precedence: TNAT64_PREFIX > the file > the PREF64 cache > DNS64; TNAT64_DISCOVERY=0 turns both learned ones off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tnat64-pref64-'));
  try {
    const file = join(dir, 'pref64');
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(file, `2001:db8:65::/96 ${now + 600} eth0 fe80::1\n`);
    const config = (text: string) => {
      const r = parseConfig(text, 't.conf');
      assert.ok(r.ok);
      return r.config;
    };
    let asked = 0;
    const dns64 = () => {
      asked++;
      return discover(fakeResolver(['2001:db8::53'], [{ address: '2001:db8:64::c000:aa', ttl: 60 }]), () => undefined);
    };
    const env = { TNAT64_PREF64_FILE: file };
    const fromCache = await effectivePrefix(env, config(''), dns64);
    assert.deepEqual([fromCache.origin, formatPrefix(fromCache.prefix!)], ['pref64', '2001:db8:65::/96']);
    assert.match(fromCache.detail, /advertised by router fe80::1 on eth0 \(PREF64, RFC 8781\)/);
    assert.equal(asked, 0, 'no DNS64 query when the cache gives a prefix');
    const fromFile = await effectivePrefix(env, config('nat64_prefix = 64:ff9b::/96\n'), dns64);
    assert.equal(fromFile.origin, 'config');
    const fromEnv = await effectivePrefix({ ...env, TNAT64_PREFIX: '2001:db8:100::/40' }, config(''), dns64);
    assert.equal(fromEnv.origin, 'env');
    const off = await effectivePrefix({ ...env, TNAT64_DISCOVERY: '0' }, config(''), dns64);
    assert.equal(off.origin, 'none');
    assert.equal(asked, 0);

    writeFileSync(file, `2001:db8:65::/96 ${now - 1} eth0 fe80::1\n`);
    const expired = await effectivePrefix(env, config(''), dns64);
    assert.deepEqual([expired.origin, formatPrefix(expired.prefix!)], ['discovery', '2001:db8:64::/96']);
    writeFileSync(file, 'rubbish\n');
    const invalid = await effectivePrefix(env, config(''), dns64);
    assert.equal(invalid.origin, 'discovery');
    assert.match(invalid.pref64Problem ?? '', /is ignored: line 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('discover: the cache shown, and taken before DNS64 ("in use"), as the library', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tnat64-pref64-'));
  try {
    const file = join(dir, 'pref64');
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(file, `2001:db8:65::/96 ${now + 600} eth0 fe80::1\n`);
    const world = fakeWorld({ resolver: fakeResolver(['2001:db8::53'], [{ address: '2001:db8:64::c000:aa', ttl: 60 }]) });
    const discover = createDiscover(world);
    const run = async (args: string[], env: NodeJS.ProcessEnv) => {
      const io = fakeIo(env);
      const code = await discover.run(args, io);
      return { code, out: io.stdout };
    };
    const json = JSON.parse((await run(['--json'], { TNAT64_PREF64_FILE: file })).out);
    assert.deepEqual(json.inUse, { prefix: '2001:db8:65::/96', origin: 'pref64' });
    assert.deepEqual(json.prefixes, [{ prefix: '2001:db8:64::/96', length: 96 }], 'DNS64 is still shown');
    assert.deepEqual(
      json.pref64.found.map((p: { prefix: string; source: string; interface: string; router: string }) => [p.prefix, p.source, p.interface, p.router]),
      [['2001:db8:65::/96', 'cache', 'eth0', 'fe80::1']],
    );
    assert.deepEqual([json.pref64.file, json.pref64.cache, json.pref64.saved], [file, 'ok', false]);
    const text = await run([], { TNAT64_PREF64_FILE: file });
    assert.equal(text.code, 0);
    assert.match(text.out, /^PREF64: 2001:db8:65::\/96 from router fe80::1 on eth0, cached in .*, \d+ s left$/m);
    assert.match(text.out, /^in use: 2001:db8:65::\/96 \(PREF64 cache, before DNS64\)/m);

    const off = JSON.parse((await run(['--json'], { TNAT64_PREF64_FILE: file, TNAT64_DISCOVERY: '0' })).out);
    assert.equal(off.inUse, null, 'TNAT64_DISCOVERY=0: the library takes neither');
    writeFileSync(file, `2001:db8:65::/96 ${now - 1} eth0 fe80::1\n`);
    const expired = JSON.parse((await run(['--json'], { TNAT64_PREF64_FILE: file })).out);
    assert.deepEqual(expired.inUse, { prefix: '2001:db8:64::/96', origin: 'discovery' });
    assert.deepEqual(expired.pref64.found, []);
    await assert.rejects(run(['--timeout', '5'], {}), /--timeout 5/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check and explain: the cached PREF64 prefix decides, and a broken cache is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tnat64-pref64-'));
  try {
    const file = join(dir, 'pref64');
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(file, `2001:db8:65::/96 ${now + 600} eth0 fe80::1\n`);
    const world = fakeWorld({ resolver: fakeResolver(['2001:db8::53'], [{ address: '2001:db8:64::c000:aa', ttl: 60 }]) });
    const env = { TNAT64_PREF64_FILE: file, TNAT64_CONF_FILE: join(dir, 'absent.conf') };
    const io = fakeIo(env);
    assert.equal(await createCheck(world).run(['-t', '203.0.113.2:80'], io), 0);
    assert.match(io.stdout, /2001:db8:65::cb00:7102/, 'the target goes through the advertised prefix');
    assert.doesNotMatch(io.stdout, /2001:db8:64::/);
    assert.match(io.stdout, /^PREF64: 2001:db8:65::\/96 advertised by router fe80::1 on eth0/m);
    assert.equal(world.resolverCalls, 0, 'no DNS64 query');
    const json = fakeIo(env);
    assert.equal(await createExplain(world).run(['203.0.113.2:80', '--json'], json), 0);
    const x = JSON.parse(json.stdout);
    assert.deepEqual([x.defaultPrefix.origin, x.defaultPrefix.prefix, x.destinations[0].synthesized], ['pref64', '2001:db8:65::/96', '2001:db8:65::cb00:7102']);
    assert.deepEqual(x.defaultPrefix.pref64, { prefix: '2001:db8:65::/96', expires: now + 600, interface: 'eth0', router: 'fe80::1', file });

    writeFileSync(file, `2001:db8:65::/96 ${now + 600} eth0 fe80::1\r\n`);
    const broken = fakeIo(env);
    assert.equal(await createExplain(world).run(['203.0.113.2:80'], broken), 0);
    assert.match(broken.stdout, /default prefix: 2001:db8:64::\/96 discovered through DNS64/);
    assert.match(broken.stdout, /warning: the PREF64 cache .* is ignored: line 1: a character other than printable ASCII/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
