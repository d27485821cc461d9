/**
 * The lab's CLAT option (`clat: true`), the alternative `npm run bench` compares tnat64 against: a plain IPv4 program
 * on the IPv6-only client reaches the IPv4-only server through the client's TAYGA (CLAT) and the gateway's (NAT64).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, SERVER_IPV4 } from '../../src/lab/lab.js';
import { HTTP_BODY } from '../../src/lab/services.js';
import { useLab } from '../../src/lab/testing.js';

describe('clat', () => {
  let lab: Lab;
  useLab({ clat: true }, (s) => ({ lab } = s));

  test('the client has 192.0.0.2 on the CLAT tun and an IPv4 default route into it; no IPv4 on eth0', async () => {
    assert.deepEqual(lab.addresses.clat, { ipv4: '192.0.0.2', ipv6: '2001:db8:464::2', tayga: '2001:db8:464::1' });
    const addr = await lab.run(['ip', '-4', '-o', 'addr', 'show']);
    assert.match(addr.stdout, /clat\s+inet 192\.0\.0\.2\/29/);
    assert.doesNotMatch(addr.stdout, /eth0\s+inet /);
    const route = await lab.run(['ip', '-4', 'route', 'show', 'default']);
    assert.match(route.stdout, /default via 192\.0\.0\.1 dev clat/);
    assert.ok(lab.clatTayga && lab.clatTayga.pid > 0);
  });

  test('a plain IPv4 program reaches the server through the CLAT and the NAT64 (the server sees a pool address)', async () => {
    const body = await lab.run(['curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/`]);
    assert.equal(body.code, 0, body.stderr);
    assert.equal(body.stdout, HTTP_BODY);
    const who = await lab.run(['curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/whoami`]);
    assert.equal(lab.poolOf(who.stdout), 0, who.stdout);
  });

  test('clat needs IPv6 and NAT64 on the client, and no native IPv4', async () => {
    await assert.rejects(Lab.create({ clat: true, clientIPv4: true }), /clat needs/);
    await assert.rejects(Lab.create({ clat: true, nat64: false }), /clat needs/);
  });
});
