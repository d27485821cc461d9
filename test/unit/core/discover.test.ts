import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discover, hasIPv4RouteTo, nameserverWarning } from '../../../src/core/discover.js';
import { formatPrefix } from '../../../src/core/rfc6052.js';
import { hasDefaultRoute } from '../../../src/core/routes.js';
import { dnsError, fakeResolver, ROUTES_V4, ROUTES_V4_NONE, ROUTES_V6_DEFAULT } from '../helpers.js';

const routes = (v4: string | undefined, v6: string | undefined) => (path: string) => (path === '/proc/net/route' ? v4 : path === '/proc/net/ipv6_route' ? v6 : undefined);
const withV4 = routes(ROUTES_V4, ROUTES_V6_DEFAULT);
const v6Only = routes(ROUTES_V4_NONE, ROUTES_V6_DEFAULT);

test('a recorded DNS64 answer gives the prefix, the smallest TTL and the resolver asked', async () => {
  const resolver = fakeResolver(['2001:db8::53'], [
    { address: '64:ff9b::c000:aa', ttl: 600 },
    { address: '64:ff9b::c000:ab', ttl: 300 },
  ]);
  const result = await discover(resolver, v6Only);
  assert.deepEqual(resolver.queries, ['ipv4only.arpa']);
  assert.equal(result.status, 'found');
  assert.deepEqual(result.prefixes.map(formatPrefix), ['64:ff9b::/96']);
  assert.equal(result.ttl, 300);
  assert.deepEqual(result.resolvers, ['2001:db8::53']);
  assert.deepEqual(result.answers, ['64:ff9b::c000:aa', '64:ff9b::c000:ab']);
  assert.deepEqual(result.warnings, []);
});

test('a /40 DNS64 and several prefixes, in answer order', async () => {
  const result = await discover(
    fakeResolver(['[2001:db8::53]:5353'], [
      { address: '2001:db8:1c0:0:aa::', ttl: 60 },
      { address: '64:ff9b::c000:ab', ttl: 60 },
    ]),
    v6Only,
  );
  assert.deepEqual(result.prefixes.map(formatPrefix), ['2001:db8:100::/40', '64:ff9b::/96']);
});

for (const code of ['ENODATA', 'ENOTFOUND']) {
  test(`${code} means the network has no DNS64`, async () => {
    const result = await discover(fakeResolver(['2001:db8::53'], dnsError(code)), v6Only);
    assert.equal(result.status, 'no-dns64');
    assert.equal(result.errorCode, code);
    assert.deepEqual(result.prefixes, []);
    assert.match(result.message, /2001:db8::53 answered.*no AAAA record.*no DNS64/);
    assert.match(result.hint ?? '', /TNAT64_PREFIX/);
  });
}

for (const code of ['ETIMEOUT', 'ECONNREFUSED', 'ESERVFAIL', 'EREFUSED']) {
  test(`${code} means the resolver did not answer`, async () => {
    const result = await discover(fakeResolver(['192.0.2.53'], dnsError(code)), withV4);
    assert.equal(result.status, 'no-answer');
    assert.equal(result.errorCode, code);
    assert.match(result.message, new RegExp(`did not answer.*${code}.*192\\.0\\.2\\.53`));
    assert.match(result.hint ?? '', /resolv\.conf/);
    assert.deepEqual(result.warnings, [], 'the host has an IPv4 default route: no warning');
  });
}

test('AAAA answers without the well-known addresses are not a DNS64', async () => {
  const result = await discover(fakeResolver(['2001:db8::53'], [{ address: '2001:db8::1', ttl: 30 }]), v6Only);
  assert.equal(result.status, 'no-prefix-in-answers');
  assert.equal(result.ttl, 30);
  assert.match(result.message, /none embeds 192\.0\.0\.170 or 192\.0\.0\.171/);
});

test('IPv4-only nameservers on a host without an IPv4 default route are warned about', async () => {
  const result = await discover(fakeResolver(['192.0.2.53', '198.51.100.53'], dnsError('ETIMEOUT')), v6Only);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0] ?? '', /every nameserver \(192\.0\.2\.53, 198\.51\.100\.53\) is an IPv4 address.*no IPv4 route to them \(it has an IPv6 default route\).*IPv6 nameserver/);
  assert.equal(nameserverWarning(['192.0.2.53:5353'], v6Only)?.includes('192.0.2.53'), true);
  assert.equal(nameserverWarning(['192.0.2.53', '2001:db8::53'], v6Only), undefined, 'one IPv6 nameserver is enough');
  assert.equal(nameserverWarning(['127.0.0.53'], v6Only), undefined, 'a local stub resolver is reachable');
  assert.equal(nameserverWarning(['192.0.2.53'], withV4), undefined);
  assert.equal(nameserverWarning(['192.0.2.53'], routes(undefined, undefined)), undefined, 'unknown routes: no guess');
  assert.equal(nameserverWarning([], v6Only), undefined);
});

test('a nameserver counts as reachable when any usable route of /proc/net/route covers it, as the library asks the kernel', () => {
  // ROUTES_V4 without its default route: 10.0.0.0/24 on eth0 (recorded on a little-endian host).
  const subnetOnly = routes(ROUTES_V4.split('\n').filter((line) => !line.startsWith('eth0\t00000000')).join('\n'), ROUTES_V6_DEFAULT);
  assert.equal(nameserverWarning(['10.0.0.53'], subnetOnly), undefined, 'on a connected subnet');
  assert.notEqual(nameserverWarning(['192.0.2.53'], subnetOnly), undefined, 'outside it');
  assert.equal(nameserverWarning(['192.0.2.53', '10.0.0.53'], subnetOnly), undefined, 'one reachable nameserver is enough');
  const reject = routes(`${ROUTES_V4_NONE}eth0\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n`, ROUTES_V6_DEFAULT);
  assert.notEqual(nameserverWarning(['192.0.2.53'], reject), undefined, 'an unreachable (reject) default route is no route');
  assert.equal(nameserverWarning(['0.0.0.0'], v6Only), undefined, '0.0.0.0 is this host');
  assert.equal(hasIPv4RouteTo(0x0a000035, subnetOnly, true), true);
  assert.equal(hasIPv4RouteTo(0x0a000135, subnetOnly, true), false);
  const bigEndian = routes(`${ROUTES_V4_NONE}eth0\t0A000000\t00000000\t0001\t0\t0\t0\tFFFFFF00\t0\t0\t0\n`, undefined);
  assert.equal(hasIPv4RouteTo(0x0a000035, bigEndian, false), true);
  assert.equal(hasIPv4RouteTo(0x0b000035, bigEndian, false), false);
});

test('the warning names the NAT64 address the library asks each nameserver at, when it has one', () => {
  const via = (address: number) => (address === 0xc0000235 ? '2001:db8:64::c000:235' : undefined);
  const some = nameserverWarning(['192.0.2.53', '198.51.100.53'], v6Only, via) ?? '';
  assert.match(some, /192\.0\.2\.53 at 2001:db8:64::c000:235/);
  assert.doesNotMatch(some, /198\.51\.100\.53 at/);
  const none = nameserverWarning(['198.51.100.53'], v6Only, via);
  assert.notEqual(none, undefined, 'still a warning without a NAT64 address');
  assert.doesNotMatch(none ?? '', / at [0-9a-f:]+:/);
});

test('default routes are read from /proc/net/route and /proc/net/ipv6_route', () => {
  assert.equal(hasDefaultRoute('ipv4', withV4), true);
  assert.equal(hasDefaultRoute('ipv4', v6Only), false);
  assert.equal(hasDefaultRoute('ipv6', v6Only), true);
  const loOnly = ROUTES_V6_DEFAULT.split('\n').filter((line) => !line.includes('eth0')).join('\n');
  assert.equal(hasDefaultRoute('ipv6', routes(ROUTES_V4, loOnly)), false, 'the unreachable ::/0 on lo is not a default route');
  assert.equal(hasDefaultRoute('ipv4', routes(undefined, undefined)), undefined);
});
