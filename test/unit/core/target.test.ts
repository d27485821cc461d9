import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget, targetAddresses } from '../../../src/core/target.js';

test('parseTarget: HOST, HOST:PORT, and what is refused', () => {
  assert.deepEqual(parseTarget('192.0.2.1:80'), { text: '192.0.2.1:80', host: '192.0.2.1', port: 80 });
  assert.deepEqual(parseTarget('example.com'), { text: 'example.com', host: 'example.com' });
  assert.deepEqual(parseTarget('example.com:0'), { text: 'example.com:0', host: 'example.com', port: 0 });
  assert.match(parseTarget('[2001:db8::1]:80') as string, /IPv6/);
  assert.match(parseTarget('2001:db8::1') as string, /IPv6/);
  assert.match(parseTarget(':80') as string, /no host/);
  assert.match(parseTarget('host:65536') as string, /not a port/);
  assert.match(parseTarget('host:http') as string, /not a port/);
});

test('targetAddresses: literals directly, names through resolve4', async () => {
  const resolve4 = async (name: string) => (name === 'two.example' ? ['192.0.2.1', '198.51.100.2'] : []);
  assert.deepEqual(await targetAddresses({ text: '', host: '10.0.0.1' }, async () => assert.fail('no lookup for a literal')), [0x0a000001]);
  assert.deepEqual(await targetAddresses({ text: '', host: 'two.example' }, resolve4), [0xc0000201, 0xc6336402]);
});
