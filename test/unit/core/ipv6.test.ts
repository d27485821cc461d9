import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv6, maskIPv6, parseIPv6 } from '../../../src/core/ipv6.js';

const canonical = (text: string) => {
  const bytes = parseIPv6(text);
  assert.notEqual(bytes, undefined, `${text} should parse`);
  return formatIPv6(bytes as Uint8Array);
};

test('formatIPv6 follows RFC 5952 with hex fields only', () => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero field is not compressed
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // tie: the leftmost run
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'], // never a dotted tail
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['::192.0.2.1', '::c000:201'],
    ['2001:db8:122:344:c0:2:2100:0', '2001:db8:122:344:c0:2:2100:0'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ];
  for (const [input, expected] of cases) assert.equal(canonical(input), expected, input);
});

test('parseIPv6 refuses malformed text', () => {
  for (const text of ['', ':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::', '::1%eth0', '1.2.3.4', '1.2.3.4::', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4', ':1::', '1::2:', ' ::1', '[::1]', '1:2:3:4:5:6:7:8::']) {
    assert.equal(parseIPv6(text), undefined, JSON.stringify(text));
  }
});

test('maskIPv6 clears every bit from the length on', () => {
  const all = parseIPv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff') as Uint8Array;
  assert.equal(formatIPv6(maskIPv6(all, 0)), '::');
  assert.equal(formatIPv6(maskIPv6(all, 40)), 'ffff:ffff:ff00::');
  assert.equal(formatIPv6(maskIPv6(all, 127)), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe');
  assert.equal(formatIPv6(maskIPv6(all, 128)), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
});
