/**
 * Every RFC 6052 prefix length end to end: TAYGA and the DNS64 use the prefix; tnat64 gets it from TNAT64_PREFIX
 * and, separately, discovers it through the DNS64; the kernel connects to the synthesized address and the server
 * sees TAYGA's pool. The vectors are the RFC 6052 §2.4 prefixes. Plus the well-known prefix, which must never carry
 * the lab's documentation-range server.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PATHS, SERVER_IPV4, withLab } from '../../src/lab/lab.js';
import { parseConnects, straced } from '../../src/lab/strace.js';
import { explain, requireBuilt, requireTools, show } from '../../src/lab/testing.js';

const PREFIXES = ['2001:db8::/32', '2001:db8:100::/40', '2001:db8:122::/48', '2001:db8:122:300::/56', '2001:db8:122:344::/64', '2001:db8:122:344::/96'];

before(async () => {
  await requireTools('curl', 'strace', 'dig', 'tayga', 'unbound');
  requireBuilt();
});

describe('every prefix length through TAYGA and DNS64', () => {
  for (const prefix of PREFIXES) {
    test(prefix, () =>
      withLab({ prefix }, async (lab) => {
        const synthesized = lab.synthesize(SERVER_IPV4);
        // The lab itself: the DNS64 synthesizes with this prefix.
        const d = await lab.run(['dig', '+short', 'AAAA', lab.addresses.server.name]);
        assert.equal(d.stdout.trim(), synthesized, show(d));
        const absent = join(lab.dir, 'absent.conf');
        const disc = await lab.run([PATHS.tnat64, 'discover', '--json']);
        assert.equal(disc.code, 0, show(disc));
        assert.deepEqual((JSON.parse(disc.stdout) as { prefixes: Array<{ prefix: string }> }).prefixes.map((p) => p.prefix), [prefix], 'tnat64 discover');
        for (const [how, env] of [
          ['TNAT64_PREFIX', { TNAT64_PREFIX: prefix, TNAT64_CONF_FILE: absent }],
          ['discovery', { TNAT64_CONF_FILE: absent }],
        ] as const) {
          const r = await lab.run(straced([PATHS.tnat64, 'curl', '-sS', '--max-time', '5', '-w', ' %{remote_ip}', `http://${SERVER_IPV4}/whoami`]), { env });
          assert.equal(r.code, 0, `${how}: ${show(r)}`);
          const [seen, remote] = r.stdout.trim().split(/\s+/);
          assert.equal(remote, SERVER_IPV4, how);
          assert.equal(lab.poolOf(seen!), 0, `${how}: server saw ${seen}`);
          const kernel = parseConnects(r.stderr).filter((c) => c.port === 80).map((c) => `${c.family} ${c.address}`);
          assert.deepEqual(kernel, [`AF_INET6 ${synthesized}`], how);
          const x = await explain(lab, `${SERVER_IPV4}:80`, env);
          assert.deepEqual([x.prefix, x.synthesized], [prefix, synthesized], `${how}: tnat64 explain`);
        }
      }),
    );
  }

  test('64:ff9b::/96 is never used for a non-global destination (TAYGA would drop it too)', () =>
    withLab({ prefix: '64:ff9b::/96' }, async (lab) => {
      const r = await lab.run(straced([PATHS.tnat64, 'curl', '-sS', '--max-time', '5', `http://${SERVER_IPV4}/`]), {
        env: { TNAT64_PREFIX: '64:ff9b::/96', TNAT64_CONF_FILE: join(lab.dir, 'absent.conf') },
      });
      assert.equal(r.code, 7, show(r)); // IPv4 it is, and this host has none
      assert.ok(r.durationMs < 3000, `took ${r.durationMs} ms`);
      const wkp = parseConnects(r.stderr).filter((c) => c.address.startsWith('64:ff9b::'));
      assert.deepEqual(wkp, [], 'the kernel saw a connect to the well-known prefix');
      const x = await explain(lab, `${SERVER_IPV4}:80`, { TNAT64_PREFIX: '64:ff9b::/96', TNAT64_CONF_FILE: join(lab.dir, 'absent.conf') });
      assert.deepEqual([x.method, x.reason], ['ipv4', 'wkp-nonglobal']);
    }),
  );
});
