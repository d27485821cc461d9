/**
 * `tnat64 doctor` as a command: the JSON schema (ids, order, fields) is pinned, the exit statuses follow the checks,
 * the text form has one marked line per check, usage errors exit 2. The world is injected: nothing is contacted.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '../../../src/cli/commands/doctor.js';
import { main } from '../../../src/cli/main.js';
import { fakeIo, fakeWorld } from '../helpers.js';
import { dns64Answer, doctorFake, DoctorFakeOptions } from './doctor-fakes.js';

const IDS = ['ipv6-route', 'ipv4-route', 'config', 'library', 'bindv6only', 'dns64', 'pref64', 'prefix', 'prefixes-agree', 'nameservers', 'forward', 'program'];
const HEALTHY: DoctorFakeOptions = {
  dns: { '2001:db8:1::1 AAAA': dns64Answer('2001:db8:64::') },
  connect: () => ({ ok: true, ms: 3 }),
};

async function doctor(args: string[], options: DoctorFakeOptions = HEALTHY, env: NodeJS.ProcessEnv = {}) {
  const fake = doctorFake(options);
  const io = fakeIo(env);
  const code = await create(fake.base, async () => fake).run(args, io);
  return { code, out: io.stdout, err: io.stderr, fake };
}

interface JsonCheck {
  id: string;
  status: string;
  summary: string;
  detail: string | null;
  fix: string | null;
  data: Record<string, unknown>;
}

function parse(out: string) {
  return JSON.parse(out) as { schema: number; version: string; ok: boolean; blocking: string[]; checks: JsonCheck[] };
}

test('--json: schema 1, every id once in a fixed order, each check exactly {id, status, summary, detail, fix, data}', async () => {
  for (const args of [['--json'], ['--json', '203.0.113.2:80', '--program', '/usr/bin/prog']]) {
    const { out } = await doctor(args);
    const report = parse(out);
    assert.deepEqual(Object.keys(report), ['schema', 'version', 'ok', 'blocking', 'checks']);
    assert.equal(report.schema, 1);
    assert.equal(report.version, '0.1.0');
    assert.deepEqual(report.checks.map((c) => c.id), IDS);
    for (const c of report.checks) {
      assert.deepEqual(Object.keys(c), ['id', 'status', 'summary', 'detail', 'fix', 'data'], c.id);
      assert.ok(['ok', 'warn', 'fail', 'skip'].includes(c.status), `${c.id}: ${c.status}`);
      assert.equal(typeof c.summary, 'string');
      assert.ok(c.summary.length > 0 && !c.summary.includes('\n'), `${c.id}: one line`);
      assert.ok(c.detail === null || typeof c.detail === 'string');
      assert.ok(c.fix === null || typeof c.fix === 'string');
      if (c.status === 'fail') assert.ok(c.fix, `${c.id} fails without saying what to do`);
      assert.equal(typeof c.data, 'object');
    }
    assert.deepEqual(report.blocking, report.checks.filter((c) => c.status === 'fail').map((c) => c.id));
    assert.equal(report.ok, report.blocking.length === 0);
  }
});

/** The fields docs/DOCTOR.md promises in each check's data, whatever the outcome. */
const DATA_KEYS: Record<string, string[]> = {
  'ipv6-route': ['present'],
  'ipv4-route': ['present'],
  config: ['file', 'from', 'state', 'errors'],
  library: ['path', 'version', 'expected', 'source'],
  bindv6only: ['value'],
  dns64: ['resolvers', 'ignored', 'prefixes', 'ttl', 'discovery'],
  pref64: ['prefixes', 'used', 'solicited', 'problems'],
  prefix: ['prefix', 'origin'],
  'prefixes-agree': ['sources'],
  nameservers: ['servers', 'unreachable', 'viaNat64'],
  forward: ['target', 'from', 'address', 'port', 'synthesized', 'prefix', 'result', 'ms'],
  program: ['path', 'resolved', 'kind', 'interpreter', 'elf', 'engine', 'engineWhy', 'capabilities', 'problems'],
};

test("--json: every check's data has the documented fields, in healthy and broken situations alike", async () => {
  const situations: [string[], DoctorFakeOptions][] = [
    [['--json'], HEALTHY],
    [['--json', '203.0.113.2', '--program', '/nowhere'], { dns: {}, ipv6Route: false, bindv6only: 'x', servers: ['192.0.2.53'], library: { ok: false, problem: 'missing' } }],
    [['--json', 'bad:port:x'], { ...HEALTHY, files: { '/etc/tnat64.conf': 'bogus\n' } }],
  ];
  for (const [args, options] of situations) {
    const report = parse((await doctor(args, options)).out);
    for (const c of report.checks) assert.deepEqual(Object.keys(c.data).sort(), [...(DATA_KEYS[c.id] ?? [])].sort(), `${args.join(' ')}: ${c.id}`);
  }
});

test('healthy network: exit 0, every check ok or skipped, the connect went to the synthesized address', async () => {
  const { code, out, fake } = await doctor(['--json', '203.0.113.2']);
  const report = parse(out);
  assert.equal(code, 0, out);
  assert.deepEqual(report.checks.filter((c) => c.status !== 'ok').map((c) => [c.id, c.status]), [['program', 'skip']]);
  assert.deepEqual(fake.connects, [{ address: '2001:db8:64::cb00:7102', port: 80 }]);
  const prefix = report.checks.find((c) => c.id === 'prefix');
  assert.deepEqual(prefix?.data, { prefix: '2001:db8:64::/96', origin: 'dns64' });
});

test('a failing check makes the exit status 1; warnings alone keep it 0', async () => {
  const failing = await doctor(['--json'], { dns: {} });
  assert.equal(failing.code, 1);
  assert.ok(parse(failing.out).blocking.includes('prefix'));
  const warned = await doctor(['--json', '203.0.113.2:81'], { ...HEALTHY, bindv6only: '1', connect: () => ({ ok: false, code: 'ECONNREFUSED', ms: 1 }) });
  const report = parse(warned.out);
  assert.deepEqual(report.checks.filter((c) => c.status === 'warn').map((c) => c.id), ['bindv6only', 'forward']);
  assert.equal(warned.code, 0);
});

test('text: one line per check, led by its mark, a fix line under each failure, a closing line', async () => {
  const { code, out } = await doctor([], { dns: {} });
  assert.equal(code, 1);
  const lines = out.split('\n');
  const checkLines = lines.filter((l) => /^(ok|warn|FAIL|skip) /.test(l));
  assert.deepEqual(checkLines.map((l) => l.split(/\s+/)[1]), IDS);
  const marks = Object.fromEntries(checkLines.map((l) => [l.split(/\s+/)[1], l.split(/\s+/)[0]]));
  assert.equal(marks.prefix, 'FAIL');
  assert.equal(marks.forward, 'skip');
  for (const [i, line] of lines.entries()) if (line.startsWith('FAIL')) assert.match(lines[i + 1] ?? '', /^\s+fix: \S/);
  assert.notEqual(lines.at(-2), '');
  // -v adds the details: strictly more lines, same check lines.
  const verbose = await doctor(['-v'], { dns: {} });
  assert.ok(verbose.out.split('\n').length > lines.length);
  assert.deepEqual(verbose.out.split('\n').filter((l) => /^(ok|warn|FAIL|skip) /.test(l)), checkLines);
});

test('usage errors exit 2 before anything is checked', async () => {
  for (const argv of [['doctor', 'a', 'b'], ['doctor', '--program'], ['doctor', '--program', ''], ['doctor', '--bogus']]) {
    const io = fakeIo();
    assert.equal(await main(argv, io, fakeWorld()), 2, argv.join(' '));
    assert.match(io.stderr, /^tnat64 doctor: /);
  }
});

test('no TARGET: nothing is connected to; TNAT64_PROBE is the default target; TARGET wins over it', async () => {
  const none = await doctor(['--json']);
  assert.deepEqual(none.fake.connects, []);
  assert.equal(parse(none.out).checks.find((c) => c.id === 'forward')?.status, 'skip');
  const probe = await doctor(['--json'], HEALTHY, { TNAT64_PROBE: '198.51.100.7:443' });
  assert.deepEqual(probe.fake.connects, [{ address: '2001:db8:64::c633:6407', port: 443 }]);
  const both = await doctor(['--json', '203.0.113.2:8080'], HEALTHY, { TNAT64_PROBE: '198.51.100.7:443' });
  assert.deepEqual(both.fake.connects, [{ address: '2001:db8:64::cb00:7102', port: 8080 }]);
});

test('PREF64 is solicited only as root', async () => {
  assert.deepEqual((await doctor(['--json'], { ...HEALTHY, root: false })).fake.solicited, [false]);
  assert.deepEqual((await doctor(['--json'], { ...HEALTHY, root: true })).fake.solicited, [true]);
});
