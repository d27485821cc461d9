import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, parseIPv4 } from '../../../src/core/ipv4.js';
import { formatIPv6, parseIPv6 } from '../../../src/core/ipv6.js';
import { extract, formatPrefix, isWellKnownPrefix, parsePrefix, Prefix, PREFIX_LENGTHS, synthesize } from '../../../src/core/rfc6052.js';
import { readTsv } from '../helpers.js';

function prefix(text: string): Prefix {
  const parsed = parsePrefix(text);
  assert.ok('prefix' in parsed, `${text}: ${JSON.stringify(parsed)}`);
  return parsed.prefix;
}

const rows = readTsv('rfc6052.tsv');

test('rfc6052.tsv has the §2.4 table and every length', () => {
  assert.ok(rows.length >= 7);
  const lengths = new Set(rows.map(({ cols }) => prefix(cols[0] ?? '').length));
  assert.deepEqual([...lengths].sort((a, b) => a - b), [...PREFIX_LENGTHS]);
});

for (const { line, cols } of rows) {
  const [prefixText = '', ipv4 = '', synthesized = ''] = cols;
  test(`rfc6052.tsv:${line}: ${prefixText} + ${ipv4} = ${synthesized}`, () => {
    const p = prefix(prefixText);
    const v4 = parseIPv4(ipv4);
    assert.notEqual(v4, undefined);
    assert.equal(formatIPv6(synthesize(p, v4 as number)), synthesized);
    const address = parseIPv6(synthesized);
    assert.notEqual(address, undefined);
    assert.equal(formatIPv4(extract(p.length, address as Uint8Array)), ipv4);
  });
}

test('synthesize zeroes the u-octet and suffix whatever the input bits', () => {
  const p = prefix('2001:db8:122:344::/64');
  assert.equal(formatIPv6(synthesize(p, 0xffffffff)), '2001:db8:122:344:ff:ffff:ff00:0');
});

test('parsePrefix: default length, all forms, and each problem code', () => {
  assert.equal(formatPrefix(prefix('64:ff9b::')), '64:ff9b::/96');
  assert.equal(formatPrefix(prefix('64:FF9B::0.0.0.0/96')), '64:ff9b::/96');
  assert.equal(isWellKnownPrefix(prefix('64:ff9b::')), true);
  assert.equal(isWellKnownPrefix(prefix('64:ff9b::/64')), false);
  assert.equal(isWellKnownPrefix(prefix('64:ff9b:1::/96')), false);
  const problem = (text: string) => {
    const parsed = parsePrefix(text);
    assert.ok('problem' in parsed, text);
    return parsed.problem;
  };
  assert.equal(problem('64:ff9g::').code, 'bad-prefix');
  assert.equal(problem('10.0.0.0').code, 'bad-prefix');
  assert.equal(problem('2001:db8::/33').code, 'bad-prefix-length');
  assert.equal(problem('2001:db8::/33').message, 'prefix length 33 is not one of 32, 40, 48, 56, 64, 96');
  assert.equal(problem('2001:db8::/128').code, 'bad-prefix-length');
  assert.equal(problem('2001:db8::/-32').code, 'bad-prefix-length');
  assert.equal(problem('2001:db8:1::/32').code, 'prefix-host-bits');
  assert.equal(problem('2001:db8:1::/32').message, '2001:db8:1:: has bits set beyond the first 32; expected 2001:db8::/32, or 2001:db8:1::/48 if that is the prefix');
  assert.equal(problem('2001:db8::1/96').message, '2001:db8::1 has bits set beyond the first 96; expected 2001:db8::/96');
  assert.equal(problem('2001:db8:0:0:100::/64').message, '2001:db8:0:0:100:: has bits set beyond the first 64; expected 2001:db8::/64', 'no /96 alternative: its u-octet would be set');
  assert.equal(problem('2001:db8::1/96').code, 'prefix-host-bits');
  assert.equal(problem('2001:db8:0:0:100::/96').code, 'prefix-u-octet');
  assert.equal(problem('2001:db8:0:0:100::/64').code, 'prefix-host-bits');
});
