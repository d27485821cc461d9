/** The doctor's checks, each against the situations it tells apart, through runDoctor with an injected world. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDoctor } from '../../../src/doctor/run.js';
import { Check } from '../../../src/doctor/check.js';
import { dns64Answer, doctorFake, DoctorFakeOptions } from './doctor-fakes.js';

const NS = '2001:db8:1::1';
const DNS64 = { [`${NS} AAAA`]: dns64Answer('2001:db8:64::') };

async function run(options: DoctorFakeOptions, env: NodeJS.ProcessEnv = {}, extra: { target?: string; program?: string } = {}) {
  const fake = doctorFake(options);
  const report = await runDoctor(fake, { env, ...extra, timeouts: { pref64: 50 } });
  const get = (id: string): Check => {
    const found = report.checks.find((c) => c.id === id);
    assert.ok(found, id);
    return found;
  };
  return { report, fake, get };
}

test('routes: IPv6-only is fine; neither family is a failure; IPv4 only is a warning', async () => {
  let r = await run({ dns: DNS64 });
  assert.deepEqual([r.get('ipv6-route').status, r.get('ipv4-route').status], ['ok', 'ok']);
  r = await run({ dns: DNS64, ipv6Route: false });
  assert.equal(r.get('ipv6-route').status, 'fail');
  r = await run({ dns: DNS64, ipv6Route: false, ipv4Route: true });
  assert.equal(r.get('ipv6-route').status, 'warn');
});

test('dns64: every nameserver asked separately, the TTL is the smallest, their answers compared', async () => {
  const servers = [NS, '2001:db8:1::2', '2001:db8:1::3', '2001:db8:1::4'];
  const same = { [`${NS} AAAA`]: dns64Answer('2001:db8:64::', 60), ['2001:db8:1::2 AAAA']: dns64Answer('2001:db8:64::', 30), ['2001:db8:1::3 AAAA']: dns64Answer('2001:db8:64::') };
  let r = await run({ servers, dns: same });
  assert.deepEqual(r.fake.queries.map((q) => [q.server, q.type, q.name]), servers.slice(0, 3).map((s) => [s, 'AAAA', 'ipv4only.arpa']), 'the first three, as the library');
  assert.equal(r.get('dns64').status, 'ok');
  assert.deepEqual(r.get('dns64').data.ignored, ['2001:db8:1::4']);
  assert.deepEqual((r.get('dns64').data.resolvers as { ttl: number }[]).map((x) => x.ttl), [60, 30, 300]);
  // One resolver synthesizes with another prefix: a warning, and the first one's answer is what the library uses.
  r = await run({ servers: servers.slice(0, 2), dns: { ...same, ['2001:db8:1::2 AAAA']: dns64Answer('2001:db8:99::') } });
  assert.equal(r.get('dns64').status, 'warn');
  assert.deepEqual(r.get('prefix').data, { prefix: '2001:db8:64::/96', origin: 'dns64' });
  // One is a plain resolver: also a disagreement.
  r = await run({ servers: servers.slice(0, 2), dns: { ...same, ['2001:db8:1::2 AAAA']: { ok: false, code: 'ENODATA' } } });
  assert.equal(r.get('dns64').status, 'warn');
  // The first does not answer: the library takes the second's answer, and the dead one is worth a warning.
  r = await run({ servers: servers.slice(0, 2), dns: { ['2001:db8:1::2 AAAA']: dns64Answer('2001:db8:77::') } });
  assert.equal(r.get('dns64').status, 'warn');
  assert.deepEqual(r.get('prefix').data, { prefix: '2001:db8:77::/96', origin: 'dns64' });
  // AAAA records that are not a DNS64's.
  r = await run({ dns: { [`${NS} AAAA`]: { ok: true, records: [{ address: '2001:db8::1', ttl: 5 }] } } });
  assert.equal(r.get('dns64').status, 'fail');
  assert.equal((r.get('dns64').data.resolvers as { state: string }[])[0]?.state, 'no-prefix-in-answers');
});

test('no DNS64 and no other source on an IPv6-only host blocks; with a configured prefix DNS64 is not needed', async () => {
  let r = await run({ dns: { [`${NS} AAAA`]: { ok: false, code: 'ENODATA' } } });
  assert.deepEqual([r.get('dns64').status, r.get('prefix').status, r.report.ok], ['fail', 'fail', false]);
  r = await run({ dns: { [`${NS} AAAA`]: { ok: false, code: 'ENODATA' } } }, { TNAT64_PREFIX: '64:ff9b::/96' });
  assert.deepEqual([r.get('dns64').status, r.get('prefix').status, r.report.ok], ['ok', 'ok', true]);
  assert.deepEqual(r.get('prefix').data, { prefix: '64:ff9b::/96', origin: 'env' });
  // With IPv4 at hand, no prefix is only a warning.
  r = await run({ ipv4Route: true, dns: {} });
  assert.deepEqual([r.get('dns64').status, r.get('prefix').status, r.report.ok], ['ok', 'warn', true]);
  // TNAT64_DISCOVERY=0: the DNS64 is still shown, but the library will not use it.
  r = await run({ dns: DNS64 }, { TNAT64_DISCOVERY: '0' });
  assert.deepEqual([r.get('dns64').data.discovery, r.get('prefix').status], ['disabled', 'fail']);
  // ... and the PREF64 cache too, as in the library.
  r = await run({ dns: DNS64, pref64: { found: [{ prefix: '2001:db8:bb::/96', lifetime: 600, source: 'cache' }], problems: [] } }, { TNAT64_DISCOVERY: '0' });
  assert.deepEqual(r.get('prefix').data, { prefix: null, origin: 'none' });
});

test('prefix order: TNAT64_PREFIX, the file, the PREF64 cache, DNS64; disagreement is a warning', async () => {
  const file = { '/etc/tnat64.conf': 'nat64_prefix = 2001:db8:aa::/96\n' };
  const pref64 = { found: [{ prefix: '2001:db8:bb::/96', lifetime: 600, source: 'cache' as const }], problems: [] };
  let r = await run({ dns: DNS64, files: file, pref64 }, { TNAT64_PREFIX: '2001:db8:cc::/96' });
  assert.deepEqual(r.get('prefix').data, { prefix: '2001:db8:cc::/96', origin: 'env' });
  assert.equal(r.get('prefixes-agree').status, 'warn');
  assert.deepEqual(r.get('prefixes-agree').data.sources, { TNAT64_PREFIX: ['2001:db8:cc::/96'], nat64_prefix: ['2001:db8:aa::/96'], PREF64: ['2001:db8:bb::/96'], DNS64: ['2001:db8:64::/96'] });
  r = await run({ dns: DNS64, files: file, pref64 });
  assert.deepEqual(r.get('prefix').data, { prefix: '2001:db8:aa::/96', origin: 'config' });
  r = await run({ dns: DNS64, pref64 });
  assert.deepEqual(r.get('prefix').data, { prefix: '2001:db8:bb::/96', origin: 'pref64' });
  assert.equal(r.get('pref64').status, 'ok');
  // All the same: agreement.
  r = await run({ dns: DNS64, pref64: { found: [{ prefix: '2001:db8:64::/96', lifetime: 600, source: 'cache' }], problems: [] } }, { TNAT64_PREFIX: '2001:db8:64::/96' });
  assert.equal(r.get('prefixes-agree').status, 'ok');
  // Only heard from a router now, not in the library's cache: the library will not use it.
  r = await run({ dns: DNS64, pref64: { found: [{ prefix: '2001:db8:bb::/96', lifetime: 600, source: 'ra', interface: 'eth0' }], problems: [] } });
  assert.equal(r.get('pref64').status, 'warn');
  assert.deepEqual(r.get('prefix').data, { prefix: '2001:db8:64::/96', origin: 'dns64' });
  // Two different advertised prefixes.
  r = await run({ dns: DNS64, pref64: { found: [{ prefix: '2001:db8:bb::/96', lifetime: 600, source: 'cache' }, { prefix: '2001:db8:dd::/96', lifetime: 600, source: 'ra' }], problems: [] } });
  assert.equal(r.get('pref64').status, 'warn');
  // An invalid TNAT64_PREFIX is ignored by the library: a failure that says so, the next source still counts.
  r = await run({ dns: DNS64 }, { TNAT64_PREFIX: '2001:db8::/33' });
  assert.equal(r.get('prefix').status, 'fail');
  assert.deepEqual(r.get('prefix').data, { prefix: '2001:db8:64::/96', origin: 'dns64' });
});

test('pref64: a PREF64 look that never ends is cut off; the rest of the report still comes', async () => {
  const start = Date.now();
  const r = await run({ dns: DNS64, pref64: 'never' });
  assert.ok(Date.now() - start < 3000);
  assert.equal(r.get('pref64').status, 'skip');
  assert.equal(r.get('prefix').status, 'ok');
});

test('config: an invalid file fails (the library ignores all of it); a valid one is ok', async () => {
  let r = await run({ dns: DNS64, files: { '/etc/tnat64.conf': 'nat64_prefix = nonsense\n' } });
  assert.equal(r.get('config').status, 'fail');
  assert.equal(r.get('config').data.errors, 1);
  assert.equal(r.report.ok, false);
  r = await run({ dns: DNS64, files: { '/x.conf': 'local = 10.0.0.0/8\n' } }, { TNAT64_CONF_FILE: '/x.conf' });
  assert.deepEqual([r.get('config').status, r.get('config').data.file], ['ok', '/x.conf']);
});

test('library: missing, or of another version, blocks', async () => {
  let r = await run({ dns: DNS64, library: { ok: false, problem: 'the interposer /pkg/build/libtnat64.so is missing; run `npm run build` in /pkg' } });
  assert.equal(r.get('library').status, 'fail');
  r = await run({ dns: DNS64, library: { ok: true, lib: { path: '/pkg/build/libtnat64.so', version: '0.0.9', source: 'build' } } });
  assert.deepEqual([r.get('library').status, r.get('library').data.version, r.get('library').data.expected], ['fail', '0.0.9', '0.1.0']);
  r = await run({ dns: DNS64, library: { ok: true, lib: { path: '/pkg/build/libtnat64.so', source: 'prebuilt' } } });
  assert.equal(r.get('library').status, 'fail');
});

test('bindv6only: 0 ok, 1 a warning, unreadable skipped', async () => {
  assert.equal((await run({ dns: DNS64, bindv6only: '0' })).get('bindv6only').status, 'ok');
  assert.equal((await run({ dns: DNS64, bindv6only: '1' })).get('bindv6only').status, 'warn');
  assert.equal((await run({ dns: DNS64, files: { '/proc/sys/net/ipv6/bindv6only': 'x' } })).get('bindv6only').status, 'skip');
});

test('nameservers: IPv4-only ones on an IPv6-only host are asked through the NAT64', async () => {
  const v4 = '192.0.2.53';
  const prefixed = { TNAT64_PREFIX: '2001:db8:64::/96' };
  // Reachable through the NAT64: names resolve under tnat64 only; a warning with the NAT64 address as the way out.
  let r = await run({ servers: [v4], dns: { '2001:db8:64::c000:235 A': { ok: false, code: 'ENOTFOUND' } } }, prefixed);
  assert.equal(r.get('nameservers').status, 'warn');
  assert.deepEqual(r.fake.queries.filter((q) => q.type === 'A').map((q) => q.server), ['2001:db8:64::c000:235']);
  assert.deepEqual(r.get('nameservers').data.viaNat64, [{ server: v4, address: '2001:db8:64::c000:235', reachable: true, error: 'ENOTFOUND' }]);
  assert.match(r.get('nameservers').fix ?? '', /nameserver 2001:db8:64::c000:235/);
  // Not answering through it either: names cannot be resolved at all.
  r = await run({ servers: [v4] }, prefixed);
  assert.equal(r.get('nameservers').status, 'fail');
  // No prefix: nothing to ask through, a failure.
  r = await run({ servers: [v4] });
  assert.equal(r.get('nameservers').status, 'fail');
  assert.deepEqual(r.fake.queries.filter((q) => q.type === 'A'), []);
  // A port in resolv.conf's form is kept.
  r = await run({ servers: [`${v4}:5353`], dns: { '[2001:db8:64::c000:235]:5353 A': { ok: true, records: [] } } }, prefixed);
  assert.equal(r.get('nameservers').status, 'warn');
  // Mixed with an IPv6 one: a warning; with IPv4 routing or a loopback resolver: fine.
  assert.equal((await run({ servers: [NS, v4], dns: DNS64 })).get('nameservers').status, 'warn');
  assert.equal((await run({ servers: [v4], ipv4Route: true })).get('nameservers').status, 'ok');
  // A route covering the nameserver (no default route) is enough, as for the library.
  const onLink = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
  assert.equal((await run({ servers: ['10.0.0.53'], files: { '/proc/net/route': onLink } })).get('nameservers').status, 'ok');
  assert.equal((await run({ servers: ['10.0.1.53'], files: { '/proc/net/route': onLink } })).get('nameservers').status, 'fail');
  // A local net keeps the nameserver on IPv4: tnat64 has no NAT64 address for it, nothing is asked.
  r = await run({ servers: [v4], files: { '/etc/tnat64.conf': 'local = 192.0.2.0/24\n' } }, prefixed);
  assert.equal(r.get('nameservers').status, 'fail');
  assert.deepEqual(r.get('nameservers').data.viaNat64, [{ server: v4, address: null, reachable: false, error: 'local' }]);
  assert.equal(r.fake.queries.filter((q) => q.type === 'A').length, 0);
  assert.equal((await run({ servers: ['127.0.0.53'], dns: { '127.0.0.53 AAAA': dns64Answer('2001:db8:64::') } })).get('nameservers').status, 'ok');
});

test('forward: connected, refused (still forwards), unreachable and timed out (do not), and targets not through NAT64', async () => {
  const healthy = { dns: DNS64 };
  let r = await run({ ...healthy, connect: () => ({ ok: true, ms: 2 }) }, {}, { target: '203.0.113.2:80' });
  assert.equal(r.get('forward').status, 'ok');
  assert.deepEqual(r.get('forward').data, { target: '203.0.113.2:80', from: 'argument', address: '203.0.113.2', port: 80, synthesized: '2001:db8:64::cb00:7102', prefix: '2001:db8:64::/96', result: 'connected', ms: 2 });
  r = await run({ ...healthy, connect: () => ({ ok: false, code: 'ECONNREFUSED', ms: 2 }) }, {}, { target: '203.0.113.2:9' });
  assert.equal(r.get('forward').status, 'warn');
  for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']) {
    r = await run({ ...healthy, connect: () => ({ ok: false, code, ms: 2 }) }, {}, { target: '203.0.113.2' });
    assert.deepEqual([r.get('forward').status, r.get('forward').data.result, r.report.ok], ['fail', code, false], code);
    assert.ok(r.get('forward').fix);
  }
  // A path of the file picks another prefix for its subnet: the connect uses it.
  r = await run({ ...healthy, files: { '/etc/tnat64.conf': 'path {\n subnet = 203.0.113.0/24\n nat64_prefix = 2001:db8:122::/48\n}\n' }, connect: () => ({ ok: true, ms: 1 }) }, {}, { target: '203.0.113.2:80' });
  assert.deepEqual(r.fake.connects, [{ address: '2001:db8:122:cb00:71:200::', port: 80 }]);
  // Loopback and local nets never go through NAT64: nothing contacted.
  r = await run({ ...healthy, files: { '/etc/tnat64.conf': 'local = 10.0.0.0/8\n' } }, {}, { target: '10.1.2.3:80' });
  assert.deepEqual([r.get('forward').status, r.fake.connects.length], ['skip', 0]);
  // A name: its A record, resolved through the world.
  r = await run({ ...healthy, names: { 'www.example': ['198.51.100.9'] }, connect: () => ({ ok: true, ms: 1 }) }, {}, { target: 'www.example:443' });
  assert.deepEqual(r.fake.connects, [{ address: '2001:db8:64::c633:6409', port: 443 }]);
  r = await run(healthy, {}, { target: 'nowhere.example' });
  assert.deepEqual([r.get('forward').status, r.fake.connects.length], ['fail', 0]);
  r = await run(healthy, {}, { target: '[2001:db8::1]:80' });
  assert.equal(r.get('forward').status, 'fail');
  // No prefix on an IPv6-only host: a failure without a connect.
  r = await run({}, {}, { target: '203.0.113.2' });
  assert.deepEqual([r.get('forward').status, r.fake.connects.length], ['fail', 0]);
});
