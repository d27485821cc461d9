/**
 * `tnat64 doctor --json`, the real command, run in the lab's IPv6-only client: a healthy network, one without DNS64,
 * a NAT64 that does not forward, a TNAT64_PREFIX that disagrees with the network, a router advertising PREF64, an
 * IPv4-only nameserver, and --program on a static binary and a setuid copy. Assertions are on the statuses, the
 * JSON facts and the exit status.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, PATHS, SERVER_IPV4, withLab } from '../../src/lab/lab.js';
import { labEnv, requireBuilt, requireTools, show } from '../../src/lab/testing.js';

interface Report {
  schema: number;
  ok: boolean;
  blocking: string[];
  checks: { id: string; status: string; summary: string; fix: string | null; data: Record<string, unknown> }[];
}

const SERVER = `${SERVER_IPV4}:80`;

before(async () => {
  await requireTools('tayga', 'unbound', 'gcc', 'setcap');
  requireBuilt();
});

async function doctor(lab: Lab, args: string[], env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const r = await lab.run([PATHS.tnat64, 'doctor', '--json', ...args], { env: { TNAT64_CONF_FILE: join(lab.dir, 'absent.conf'), ...env }, timeoutMs: 20_000 });
  const took = Date.now() - started;
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    assert.fail(`tnat64 doctor printed no JSON: ${show(r)}`);
  }
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  const data = (id: string) => report.checks.find((c) => c.id === id)?.data ?? {};
  const fix = (id: string) => report.checks.find((c) => c.id === id)?.fix ?? null;
  // Every network step is bounded: the whole run stays within a few seconds.
  assert.ok(took < 10_000, `tnat64 doctor took ${took} ms`);
  return { code: r.code, report, status, data, fix, show: show(r) };
}

test('a healthy lab: exit 0, the DNS64 prefix found and in use, the NAT64 forwards to the server; then the gateway goes down', () =>
  withLab({}, async (lab) => {
    const d = await doctor(lab, [SERVER]);
    assert.equal(d.code, 0, d.show);
    assert.equal(d.report.schema, 1);
    assert.deepEqual(d.report.blocking, []);
    for (const id of ['ipv6-route', 'ipv4-route', 'config', 'library', 'dns64', 'prefix', 'prefixes-agree', 'nameservers', 'forward']) assert.equal(d.status[id], 'ok', `${id}: ${d.show}`);
    assert.deepEqual(d.data('prefix'), { prefix: lab.addresses.prefix, origin: 'dns64' });
    assert.deepEqual(d.data('dns64').prefixes, [lab.addresses.prefix]);
    assert.equal((d.data('dns64').resolvers as { server: string }[])[0]?.server, lab.addresses.resolvers[0]);
    assert.equal(d.data('ipv4-route').present, false);
    assert.equal(d.data('forward').synthesized, lab.synthesize(SERVER_IPV4));
    assert.equal(d.data('forward').result, 'connected');
    // The gateway goes down (its client-side link): nothing answers any more, and the doctor says so within its bounds.
    const down = await lab.runIn('gateway', ['ip', 'link', 'set', 'to-cli', 'down']);
    assert.equal(down.code, 0, show(down));
    const gone = await doctor(lab, [SERVER], { TNAT64_PREFIX: lab.addresses.prefix });
    assert.equal(gone.code, 1, gone.show);
    assert.equal(gone.status.forward, 'fail');
    assert.match(String(gone.data('forward').result), /^E(HOST|NET)UNREACH$|^ETIMEDOUT$/);
    assert.equal((gone.data('dns64').resolvers as { state: string }[])[0]?.state, 'no-answer');
    assert.equal(gone.status.dns64, 'ok', 'not needed: TNAT64_PREFIX gives the prefix');
  }));

test('without DNS64 and no configured prefix: dns64 and prefix fail, exit 1; TNAT64_PREFIX mends it', () =>
  withLab({ dns64: false }, async (lab) => {
    const d = await doctor(lab, [SERVER]);
    assert.equal(d.code, 1, d.show);
    assert.equal(d.status.dns64, 'fail');
    assert.equal(d.status.prefix, 'fail');
    assert.equal(d.status.forward, 'fail');
    assert.ok(d.fix('prefix'));
    const mended = await doctor(lab, [SERVER], { TNAT64_PREFIX: lab.addresses.prefix });
    assert.equal(mended.code, 0, mended.show);
    assert.deepEqual([mended.status.dns64, mended.status.prefix, mended.status.forward], ['ok', 'ok', 'ok']);
    assert.deepEqual(mended.data('prefix'), { prefix: lab.addresses.prefix, origin: 'env' });
  }));

test('a NAT64 that does not forward (no TAYGA): the prefix is discovered, the forwarding check fails with a fix', () =>
  withLab({ nat64: false }, async (lab) => {
    const d = await doctor(lab, [SERVER]);
    assert.equal(d.code, 1, d.show);
    assert.equal(d.status.prefix, 'ok');
    assert.equal(d.status.forward, 'fail');
    assert.deepEqual(d.report.blocking, ['forward']);
    assert.match(String(d.data('forward').result), /^E(HOST|NET)UNREACH$|^ETIMEDOUT$/);
    assert.ok(d.fix('forward'));
    // Without a TARGET nothing is contacted and nothing blocks.
    const quiet = await doctor(lab, []);
    assert.deepEqual([quiet.code, quiet.status.forward], [0, 'skip'], quiet.show);
  }));

test('TNAT64_PREFIX disagreeing with the network: prefixes-agree warns, the stale prefix is the one in use and does not forward', () =>
  withLab({}, async (lab) => {
    const stale = '2001:db8:99::/96';
    const d = await doctor(lab, [SERVER], { TNAT64_PREFIX: stale });
    assert.equal(d.code, 1, d.show);
    assert.equal(d.status['prefixes-agree'], 'warn');
    assert.deepEqual(d.data('prefixes-agree').sources, { TNAT64_PREFIX: [stale], DNS64: [lab.addresses.prefix] });
    assert.deepEqual(d.data('prefix'), { prefix: stale, origin: 'env' });
    assert.equal(d.status.forward, 'fail');
    assert.equal(d.data('forward').prefix, stale);
  }));

test('an IPv4-only nameserver on the IPv6-only client: asked through the NAT64 when the prefix is known', () =>
  withLab({ nameservers: [SERVER_IPV4] }, async (lab) => {
    const known = await doctor(lab, [SERVER], { TNAT64_PREFIX: lab.addresses.prefix });
    assert.equal(known.code, 0, known.show);
    assert.equal(known.status.nameservers, 'warn');
    assert.deepEqual(known.data('nameservers').viaNat64, [{ server: SERVER_IPV4, address: lab.synthesize(SERVER_IPV4), reachable: true, error: null }]);
    // The plain query (as the library's discovery sends it) does not reach it; the doctor says so even when it is
    // itself started under the interposer (from a tnat64 shell), whose NAT64 would carry node's IPv4 query.
    assert.equal((known.data('dns64').resolvers as { state: string }[])[0]?.state, 'no-answer');
    const r = await lab.run([PATHS.tnat64, 'sh', '-c', `${PATHS.tnat64} doctor --json`], { env: labEnv(lab), timeoutMs: 20_000 });
    const nested = JSON.parse(r.stdout) as Report;
    assert.equal(r.code, 0, show(r));
    const dns64 = nested.checks.find((c) => c.id === 'dns64')?.data.resolvers as { state: string }[];
    assert.equal(dns64[0]?.state, 'no-answer', show(r));
    // No prefix: discovery cannot reach the nameserver, and nothing else can either.
    const unknown = await doctor(lab, []);
    assert.equal(unknown.code, 1, unknown.show);
    assert.equal(unknown.status.nameservers, 'fail');
    assert.equal(unknown.status.prefix, 'fail');
    assert.equal((unknown.data('dns64').resolvers as { state: string }[])[0]?.state, 'no-answer');
  }));

test('--program: a static binary, a setuid copy and one with file capabilities cannot be reached; a plain dynamic program can', () =>
  withLab({}, async (lab) => {
    const source = join(lab.dir, 'hello.c');
    writeFileSync(source, 'int main(void) { return 0; }\n');
    const staticBin = join(lab.dir, 'hello-static');
    const cc = spawnSync('gcc', ['-static', '-o', staticBin, source], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `gcc -static: ${cc.stderr}`);
    const dynamicBin = join(lab.dir, 'hello');
    assert.equal(spawnSync('gcc', ['-o', dynamicBin, source]).status, 0);
    const setuid = join(lab.dir, 'hello-setuid');
    copyFileSync(dynamicBin, setuid);
    chmodSync(setuid, 0o4755);
    const env = { TNAT64_PREFIX: lab.addresses.prefix };
    const s = await doctor(lab, ['--program', staticBin], env);
    assert.deepEqual([s.code, s.status.program, s.data('program').problems, s.data('program').engine], [0, 'ok', [], 'seccomp'], s.show);
    const u = await doctor(lab, ['--program', setuid], env);
    assert.deepEqual([u.code, u.status.program, u.data('program').problems], [1, 'fail', ['setuid']], u.show);
    // File capabilities, set for real and read back through getcap.
    const capable = join(lab.dir, 'hello-caps');
    copyFileSync(dynamicBin, capable);
    chmodSync(capable, 0o755);
    const setcap = spawnSync('setcap', ['cap_net_raw+ep', capable], { encoding: 'utf8' });
    assert.equal(setcap.status, 0, `setcap: ${setcap.stderr}`);
    const c = await doctor(lab, ['--program', capable], env);
    assert.deepEqual([c.code, c.status.program, c.data('program').problems], [1, 'fail', ['capabilities']], c.show);
    assert.match(String(c.data('program').capabilities), /cap_net_raw/);
    const ok = await doctor(lab, ['--program', dynamicBin], env);
    assert.deepEqual([ok.code, ok.status.program, ok.data('program').problems], [0, 'ok', []], ok.show);
    // A script whose interpreter is the static binary is judged by it.
    const script = join(lab.dir, 'script');
    writeFileSync(script, `#!${staticBin}\n`);
    chmodSync(script, 0o755);
    const sc = await doctor(lab, ['--program', script], env);
    assert.deepEqual([sc.status.program, sc.data('program').interpreter, sc.data('program').problems, sc.data('program').engine], ['ok', staticBin, [], 'seccomp'], sc.show);
  }));

describe('a router advertising PREF64', () => {
  test('heard by the root doctor; in use once the cache has it; then the advertised prefix forwards', () =>
    withLab({ dns64: false, pref64: { prefix: '2001:db8:64::/96', lifetime: 1800, intervalS: 2 } }, async (lab) => {
      const cache = join(lab.dir, 'pref64');
      const env = { TNAT64_PREF64_FILE: cache };
      const heard = await doctor(lab, [SERVER], env);
      assert.equal(heard.status.pref64, 'warn', heard.show);
      assert.deepEqual((heard.data('pref64').prefixes as { prefix: string; source: string }[]).map((p) => [p.prefix, p.source]), [['2001:db8:64::/96', 'ra']]);
      assert.equal(heard.status.prefix, 'fail', 'the library reads only the cache');
      const save = await lab.run([PATHS.tnat64, 'discover', '--save-pref64'], { env, timeoutMs: 20_000 });
      assert.equal(save.code, 0, show(save));
      const used = await doctor(lab, [SERVER], env);
      assert.equal(used.code, 0, used.show);
      assert.equal(used.status.pref64, 'ok');
      assert.deepEqual(used.data('prefix'), { prefix: '2001:db8:64::/96', origin: 'pref64' });
      assert.equal(used.status.forward, 'ok');
    }));
});
