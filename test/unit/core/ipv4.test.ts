import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, formatNet, isGlobal, maskLength, maskOf, netContains, parseIPv4 } from '../../../src/core/ipv4.js';

test('parseIPv4 accepts dotted quads and formatIPv4 round-trips them', () => {
  for (const text of ['0.0.0.0', '255.255.255.255', '192.0.2.33', '10.0.0.1', '1.2.3.4']) {
    const value = parseIPv4(text);
    assert.notEqual(value, undefined, text);
    assert.equal(formatIPv4(value as number), text);
  }
  assert.equal(parseIPv4('192.0.2.33'), 0xc0000221);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
});

test('parseIPv4 refuses what inet_pton refuses', () => {
  for (const text of ['', '1.2.3', '1.2.3.4.5', '256.0.0.0', '01.2.3.4', '1.2.3.04', '1..3.4', ' 1.2.3.4', '1.2.3.4 ', '0x1.2.3.4', '1.2.3.-4', '1.2.3.4/8', '1.2.3.4:80']) {
    assert.equal(parseIPv4(text), undefined, JSON.stringify(text));
  }
});

test('masks: maskOf, maskLength (contiguous only) and netContains', () => {
  assert.equal(maskOf(0), 0);
  assert.equal(maskOf(8), 0xff000000);
  assert.equal(maskOf(32), 0xffffffff);
  assert.equal(maskLength(0xffff0000), 16);
  assert.equal(maskLength(0), 0);
  assert.equal(maskLength(0xffffffff), 32);
  assert.equal(maskLength(0xff00ff00), undefined);
  assert.equal(maskLength(0x00ffffff), undefined);
  const net = { address: 0x96000000, length: 16 };
  assert.equal(netContains(net, 0x9600ffff), true);
  assert.equal(netContains(net, 0x96010000), false);
  assert.equal(netContains({ address: 0, length: 0 }, 0xffffffff), true);
  assert.equal(formatNet(net), '150.0.0.0/16');
});

test('isGlobal: the RFC 6890 ranges of DESIGN.md step 6, checked at their edges', () => {
  const nonGlobal = ['0.0.0.0', '10.255.255.255', '100.64.0.0', '100.127.255.255', '127.0.0.1', '169.254.0.1', '172.16.0.0', '172.31.255.255', '192.0.0.0', '192.0.0.255', '192.0.2.1', '192.88.99.255', '192.168.0.1', '198.18.0.0', '198.19.255.255', '198.51.100.1', '203.0.113.1', '224.0.0.1', '239.255.255.255', '240.0.0.0', '255.255.255.255'];
  const global = ['1.1.1.1', '8.8.8.8', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '169.253.255.255', '172.15.255.255', '172.32.0.0', '192.0.1.255', '192.0.3.0', '192.88.98.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '198.51.99.255', '203.0.112.255', '223.255.255.255'];
  for (const text of nonGlobal) assert.equal(isGlobal(parseIPv4(text) as number), false, text);
  for (const text of global) assert.equal(isGlobal(parseIPv4(text) as number), true, text);
});
