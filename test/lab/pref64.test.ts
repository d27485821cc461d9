/**
 * PREF64 (RFC 8781) end to end: a router on the gateway advertises 2001:db8:65::/96, a prefix TAYGA serves but the
 * DNS64 does not use (it synthesizes with 2001:db8:64::/96). As root the client solicits it (`tnat64 discover
 * --solicit`), writes the cache (`--save-pref64`), and an unmodified curl under tnat64, with no TNAT64_PREFIX and no
 * configuration, reaches 203.0.113.2 through the advertised prefix: the kernel's connect, the server's view (TAYGA's
 * second pool) and `tnat64 explain` agree. Without the cache, or with an expired one, the DNS64 prefix is used.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS, SERVER_IPV4, type Lab } from '../../src/lab/lab.js';
import { parseConnects, straced } from '../../src/lab/strace.js';
import { requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

const DNS64_PREFIX = '2001:db8:64::/96';
const ADVERTISED = '2001:db8:65::/96';

interface DiscoverJson {
  prefixes: Array<{ prefix: string }>;
  pref64: {
    file: string;
    cache: string;
    saved: boolean;
    problems: string[];
    found: Array<{ prefix: string; lifetime: number; source: string; interface: string | null; router: string | null }>;
  };
  inUse: { prefix: string; origin: string } | null;
}

before(async () => {
  await requireTools('curl', 'strace', 'tayga', 'unbound', 'tcpdump', 'rdisc6', 'python3');
  requireBuilt();
});

describe('a router-advertised prefix (PREF64) before DNS64', () => {
  let lab: Lab;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  useLab({ prefix: DNS64_PREFIX, extraPrefixes: [ADVERTISED], pref64: { prefix: ADVERTISED, lifetime: 1800 } }, (shared) => {
    lab = shared.lab;
    cache = join(lab.dir, 'pref64');
    env = { TNAT64_PREF64_FILE: cache, TNAT64_CONF_FILE: join(lab.dir, 'absent.conf') };
  });

  const discover = async (...args: string[]): Promise<DiscoverJson> => {
    const r = await lab.run([PATHS.tnat64, 'discover', '--json', ...args], { env, timeoutMs: 20_000 });
    assert.equal(r.code, 0, show(r));
    return JSON.parse(r.stdout) as DiscoverJson;
  };

  /** curl under tnat64 (strace watching the kernel's connects): what the server saw, the kernel's address, curl's peer. */
  const curl = async () => {
    const r = await lab.run(straced([PATHS.tnat64, 'curl', '-sS', '--max-time', '5', '-w', ' %{remote_ip}', `http://${SERVER_IPV4}/whoami`]), { env });
    assert.equal(r.code, 0, show(r));
    const [seen, remote] = r.stdout.trim().split(/\s+/);
    const kernel = parseConnects(r.stderr).filter((c) => c.port === 80).map((c) => `${c.family} ${c.address}`);
    return { pool: lab.poolOf(seen ?? ''), remote, kernel };
  };

  const explainPrefix = async () => {
    const r = await lab.run([PATHS.tnat64, 'explain', `${SERVER_IPV4}:80`, '--json'], { env });
    assert.equal(r.code, 0, show(r));
    const j = JSON.parse(r.stdout) as { defaultPrefix: { origin: string; prefix: string }; destinations: Array<{ prefix: string; synthesized: string }> };
    return [j.defaultPrefix.origin, j.destinations[0]?.prefix, j.destinations[0]?.synthesized];
  };

  test('a solicitation hears the advertised prefix; nothing is cached yet, so DNS64 is in use', async () => {
    rmSync(cache, { force: true });
    const d = await discover('--solicit');
    const heard = d.pref64.found.filter((p) => p.source === 'ra');
    assert.deepEqual(
      heard.map((p) => [p.prefix, p.lifetime, p.interface]),
      [[ADVERTISED, 1800, 'eth0']],
      JSON.stringify(d.pref64),
    );
    assert.match(heard[0]?.router ?? '', /^fe80:/, 'the router is the gateway, by its link-local address');
    assert.deepEqual([d.pref64.cache, d.pref64.saved], ['absent', false]);
    assert.deepEqual(d.prefixes.map((p) => p.prefix), [DNS64_PREFIX]);
    assert.deepEqual(d.inUse, { prefix: DNS64_PREFIX, origin: 'discovery' });
    const c = await curl();
    assert.deepEqual(c.kernel, [`AF_INET6 ${lab.synthesize(SERVER_IPV4, DNS64_PREFIX)}`]);
    assert.equal(c.pool, 0);
  });

  test('--save-pref64 writes the cache; curl then goes through the advertised prefix, as explain says', async () => {
    const before = Math.floor(Date.now() / 1000);
    const d = await discover('--save-pref64');
    assert.deepEqual([d.pref64.cache, d.pref64.saved], ['ok', true]);
    assert.deepEqual(d.inUse, { prefix: ADVERTISED, origin: 'pref64' });
    const line = readFileSync(cache, 'utf8').split('\n').find((l) => l.startsWith('2001:'));
    const [prefix, expires, ifname, router] = (line ?? '').split(' ');
    assert.deepEqual([prefix, ifname], [ADVERTISED, 'eth0']);
    assert.match(router ?? '', /^fe80:/);
    assert.ok(Math.abs(Number(expires) - (before + 1800)) <= 10, `expires ${expires}, saved at ${before}`);

    const c = await curl();
    assert.deepEqual(c.kernel, [`AF_INET6 ${lab.synthesize(SERVER_IPV4, ADVERTISED)}`], 'the kernel connected through the advertised prefix');
    assert.equal(c.pool, 1, 'the server saw the second TAYGA, the one serving the advertised prefix');
    assert.equal(c.remote, SERVER_IPV4, 'curl sees the IPv4 address it asked for');
    assert.deepEqual(await explainPrefix(), ['pref64', ADVERTISED, lab.synthesize(SERVER_IPV4, ADVERTISED)]);
  });

  test('without tcpdump nothing can be heard: --save-pref64 fails and leaves the cache as it was', async () => {
    const tools = join(lab.dir, 'no-tcpdump');
    mkdirSync(tools, { recursive: true });
    for (const tool of ['node', 'readlink', 'dirname', 'rdisc6']) {
      const found = (await lab.run(['sh', '-c', `command -v ${tool}`])).stdout.trim();
      assert.ok(found, tool);
      symlinkSync(found, join(tools, tool));
    }
    const kept = `${ADVERTISED} ${Math.floor(Date.now() / 1000) + 600} eth0 fe80::1\n`;
    writeFileSync(cache, kept);
    const r = await lab.run(['env', `PATH=${tools}`, PATHS.tnat64, 'discover', '--save-pref64', '--timeout', '1000'], { env, timeoutMs: 20_000 });
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /no router advertisement could be listened for.*tcpdump is not installed/, show(r));
    assert.equal(readFileSync(cache, 'utf8'), kept);
  });

  test('an expired cache, or none, leaves the DNS64 prefix in use', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [what, content] of [
      ['expired', `${ADVERTISED} ${now - 1} eth0 fe80::1\n`],
      ['removed', undefined],
    ] as const) {
      if (content === undefined) rmSync(cache, { force: true });
      else writeFileSync(cache, content);
      const c = await curl();
      assert.deepEqual(c.kernel, [`AF_INET6 ${lab.synthesize(SERVER_IPV4, DNS64_PREFIX)}`], what);
      assert.equal(c.pool, 0, what);
      assert.deepEqual(await explainPrefix(), ['discovery', DNS64_PREFIX, lab.synthesize(SERVER_IPV4, DNS64_PREFIX)], what);
    }
  });
});
