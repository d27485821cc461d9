/**
 * --program: the ELF reader on built images (every class, byte order and shape that matters) and on real files, and
 * the verdicts: static, Go, setuid/setgid, capabilities, not executable, scripts judged by their interpreter.
 * Also the real world's network calls, on loopback only: bounded, with the error codes the checks rely on.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import { libcOf, readElf } from '../../../src/doctor/elf.js';
import { runDoctor } from '../../../src/doctor/run.js';
import { systemDoctorWorld } from '../../../src/doctor/system.js';
import { systemWorld } from '../../../src/core/system.js';
import type { SeccompProbe } from '../../../src/doctor/world.js';
import { doctorFake, elfImage, FakeProgram, GLIBC_PROGRAM } from './doctor-fakes.js';

function reader(bytes: Uint8Array) {
  return (offset: number, length: number) => bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
}

test('ELF: interpreter, DT_NEEDED and Go sections, in both classes and byte orders', () => {
  for (const bits of [32, 64] as const) {
    for (const little of [true, false]) {
      const dyn = readElf(reader(elfImage({ bits, little, machine: 183, interp: '/lib/ld-linux-aarch64.so.1', needed: ['libm.so.6', 'libc.so.6'] })));
      assert.ok(dyn && !('error' in dyn), `${bits} ${little}`);
      assert.deepEqual([dyn.bits, dyn.endian, dyn.machine, dyn.interpreter, dyn.needed, dyn.go], [bits, little ? 'little' : 'big', 183, '/lib/ld-linux-aarch64.so.1', ['libm.so.6', 'libc.so.6'], false]);
      assert.equal(libcOf(dyn), 'glibc');
      const go = readElf(reader(elfImage({ bits, little, sections: ['.text', '.go.buildinfo'] })));
      assert.ok(go && !('error' in go));
      assert.deepEqual([go.interpreter, go.needed, go.go], [undefined, [], true]);
    }
  }
  const musl = readElf(reader(elfImage({ interp: '/lib/ld-musl-x86_64.so.1', needed: ['libc.musl-x86_64.so.1'] })));
  assert.ok(musl && !('error' in musl) && libcOf(musl) === 'musl');
  const staticPie = readElf(reader(elfImage({ dynamic: true })));
  assert.ok(staticPie && !('error' in staticPie));
  assert.deepEqual([staticPie.interpreter, staticPie.needed], [undefined, []]);
  const plain = readElf(reader(elfImage({ sections: ['.text', '.data'] })));
  assert.ok(plain && !('error' in plain) && !plain.go);
});

test('ELF: not ELF is null; truncated or corrupt files give an error, never an exception', () => {
  assert.equal(readElf(reader(Buffer.from('#!/bin/sh\n'))), null);
  assert.equal(readElf(reader(new Uint8Array(0))), null);
  const image = elfImage({ ...GLIBC_PROGRAM, sections: ['.go.buildinfo'] });
  for (let cut = 4; cut < image.length; cut += 7) {
    const result = readElf(reader(image.subarray(0, cut)));
    assert.ok(result !== null, `cut at ${cut}`);
  }
  // Random damage anywhere: the reader returns, whatever it concludes.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
  for (let i = 0; i < 3000; i++) {
    const copy = Uint8Array.from(image);
    for (let k = 0; k < 1 + (random() % 4); k++) copy[4 + (random() % (copy.length - 4))] = random() & 0xff;
    assert.doesNotThrow(() => readElf(reader(copy)));
  }
  // A read error (EIO, EACCES) is an answer too.
  const failing = () => {
    throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
  };
  assert.deepEqual(readElf(failing), { error: 'cannot read the file: EIO' });
  assert.deepEqual(readElf((offset, length) => (offset === 0 ? image.subarray(0, length) : failing())), { error: 'cannot read the file: EIO' });
  const bad = Uint8Array.from(image);
  bad[4] = 9;
  assert.deepEqual(readElf(reader(bad)), { error: 'an ELF file of unknown class or byte order' });
});

test('ELF: the real /bin/sh is dynamically linked, with an interpreter and libc', (t) => {
  const sh = '/bin/sh';
  if (!existsSync(sh)) return t.skip('no /bin/sh');
  const bytes = readFileSync(sh);
  const info = readElf(reader(bytes));
  if (info === null) return t.skip('/bin/sh is not ELF here');
  assert.ok(!('error' in info));
  assert.match(info.interpreter ?? '', /\/ld-/);
  assert.ok(info.needed.some((n) => /^libc\./.test(n)), info.needed.join(' '));
});

async function verdict(programs: Record<string, FakeProgram>, program: string, extra: { libraryElf?: Uint8Array; seccomp?: SeccompProbe } = {}) {
  const fake = doctorFake({ dns: {}, programs, ...extra });
  const report = await runDoctor(fake, { env: { PATH: '/usr/bin:/bin', TNAT64_PREFIX: '2001:db8:64::/96' }, program, timeouts: { pref64: 50 } });
  const c = report.checks.find((x) => x.id === 'program');
  assert.ok(c);
  return { status: c.status, problems: c.data.problems as string[], data: c.data, ok: report.ok, fix: c.fix, text: c.summary, probed: fake.probed };
}

test('program: a static or Go program where the seccomp engine cannot start (old kernel, container profile) or without its supervisor fails, with the reason', async () => {
  const refused = { ok: false as const, missing: false, reason: 'Function not implemented' };
  for (const bytes of [elfImage(), elfImage({ sections: ['.note.go.buildid'] })]) {
    const v = await verdict({ '/opt/prog': { bytes } }, '/opt/prog', { seccomp: refused });
    assert.deepEqual([v.status, v.problems, v.ok, v.data.engine], ['fail', ['seccomp-refused'], false, 'seccomp']);
    assert.match(v.text, /cannot start here \(Function not implemented\), so it would run without tnat64/);
    assert.match(v.fix ?? '', /Linux 5\.14 or newer/);
    assert.equal(v.probed.length, 1);
    assert.match(v.probed[0]!, /\/tnat64-seccomp$/);
  }
  const gone = await verdict({ '/opt/prog': { bytes: elfImage() } }, '/opt/prog', { seccomp: { ok: false, missing: true, reason: 'missing' } });
  assert.deepEqual([gone.status, gone.problems], ['fail', ['no-supervisor']]);
  // A dynamic program never needs the supervisor: it is not asked.
  const dynamic = await verdict({ '/usr/bin/curl': { bytes: elfImage(GLIBC_PROGRAM) } }, 'curl', { seccomp: refused });
  assert.deepEqual([dynamic.status, dynamic.problems, dynamic.probed], ['ok', [], []]);
});

test('program: a dynamic program gets the interposer, static and Go ones the seccomp engine; setuid, setgid and capabilities stop both', async () => {
  const dynamic = elfImage(GLIBC_PROGRAM);
  assert.deepEqual(await verdict({ '/usr/bin/curl': { bytes: dynamic } }, 'curl').then((v) => [v.status, v.problems, v.data.resolved, v.ok, v.data.engine, v.data.engineWhy]), ['ok', [], '/usr/bin/curl', true, 'preload', 'dynamic']);
  const supervised: [FakeProgram, string][] = [
    [{ bytes: elfImage() }, 'static'],
    [{ bytes: elfImage({ dynamic: true }) }, 'static'],
    [{ bytes: elfImage({ sections: ['.note.go.buildid'] }) }, 'go'],
    [{ bytes: elfImage({ ...GLIBC_PROGRAM, sections: ['.go.buildinfo'] }) }, 'go'],
  ];
  for (const [program, why] of supervised) {
    const v = await verdict({ '/opt/prog': program }, '/opt/prog');
    assert.deepEqual([v.status, v.problems, v.ok, v.data.engine, v.data.engineWhy], ['ok', [], true, 'seccomp', why], why);
  }
  for (const [program, problem] of [[{ bytes: elfImage(), mode: 0o4755 }, 'setuid'], [{ bytes: elfImage({ bits: 32, machine: 3 }) }, 'wrong-class'], [{ bytes: elfImage({ machine: 183 }) }, 'wrong-machine']] as const) {
    const v = await verdict({ '/opt/prog': program }, '/opt/prog');
    assert.deepEqual([v.status, v.problems, v.data.engine], ['fail', [problem], 'seccomp'], problem);
  }
  const cases: [FakeProgram, string[]][] = [
    [{ bytes: dynamic, mode: 0o4755 }, ['setuid']],
    [{ bytes: dynamic, mode: 0o2755 }, ['setgid']],
    [{ bytes: dynamic, mode: 0o6755 }, ['setuid', 'setgid']],
    [{ bytes: dynamic, caps: 'cap_net_raw=ep' }, ['capabilities']],
    [{ bytes: dynamic, executable: false, mode: 0o644 }, ['not-executable']],
    [{ bytes: elfImage({ ...GLIBC_PROGRAM, bits: 32, machine: 3 }) }, ['wrong-class']],
    [{ bytes: elfImage({ ...GLIBC_PROGRAM, machine: 183 }) }, ['wrong-machine']],
    [{ bytes: elfImage({ interp: '/lib/ld-musl-x86_64.so.1', needed: ['libc.musl-x86_64.so.1'] }) }, ['other-libc']],
    [{ bytes: new Uint8Array(0), directory: true }, ['not-regular']],
  ];
  for (const [program, problems] of cases) {
    const v = await verdict({ '/opt/prog': program }, '/opt/prog');
    assert.deepEqual([v.status, v.problems, v.ok], ['fail', problems, false], problems.join(','));
    assert.ok(v.fix, problems.join(','));
  }
  assert.deepEqual((await verdict({}, '/opt/missing')).problems, ['not-found']);
  assert.deepEqual((await verdict({}, 'missing')).problems, ['not-found']);
});

test('program: a script is judged by its interpreter, through env and PATH', async () => {
  const dynamic = elfImage(GLIBC_PROGRAM);
  const programs: Record<string, FakeProgram> = {
    '/usr/bin/python3': { bytes: dynamic },
    '/usr/bin/static-awk': { bytes: elfImage() },
    '/opt/a.py': { bytes: Buffer.from('#!/usr/bin/env python3\nprint(1)\n') },
    '/opt/b.py': { bytes: Buffer.from('#!/usr/bin/env -S python3 -u\n') },
    '/opt/c.awk': { bytes: Buffer.from('#! /usr/bin/static-awk -f\n') },
    '/opt/d.sh': { bytes: Buffer.from('#!/nowhere/sh\n') },
    '/opt/e': { bytes: Buffer.from('#!/opt/a.py\n') },
  };
  let v = await verdict(programs, '/opt/a.py');
  assert.deepEqual([v.status, v.data.kind, v.data.interpreter], ['ok', 'script', '/usr/bin/python3']);
  v = await verdict(programs, '/opt/b.py');
  assert.deepEqual([v.status, v.data.interpreter], ['ok', '/usr/bin/python3']);
  v = await verdict(programs, '/opt/c.awk');
  assert.deepEqual([v.status, v.problems, v.data.interpreter, v.data.engine], ['ok', [], '/usr/bin/static-awk', 'seccomp']);
  v = await verdict(programs, '/opt/d.sh');
  assert.deepEqual([v.status, v.problems], ['fail', ['not-found']]);
  v = await verdict(programs, '/opt/e');
  assert.deepEqual([v.status, v.data.interpreter], ['ok', '/opt/a.py']);
  // Dynamically linked without libc among its own libraries: a warning, not a verdict.
  v = await verdict({ '/opt/raw': { bytes: elfImage({ interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libfoo.so.1'] }) } }, '/opt/raw');
  assert.deepEqual([v.status, v.problems], ['warn', []]);
  // Neither ELF nor #!: a warning (a shell would run it with sh), not a failure.
  v = await verdict({ '/opt/text': { bytes: Buffer.from('echo hi\n') } }, '/opt/text');
  assert.deepEqual([v.status, v.data.kind], ['warn', 'unknown']);
});

test('the real world: a refused connect on loopback is ECONNREFUSED, a silent nameserver ETIMEOUT within the bound', async () => {
  const world = await systemDoctorWorld(systemWorld());
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  const { port } = server.address() as AddressInfo;
  const open = await world.connect('::1', port, 2000);
  assert.equal(open.ok, true);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const refused = await world.connect('::1', port, 2000);
  assert.deepEqual([refused.ok, refused.ok ? '' : refused.code], [false, 'ECONNREFUSED']);
  // A UDP socket that reads queries and never answers.
  const silent = createSocket('udp6');
  await new Promise<void>((resolve) => silent.bind(0, '::1', resolve));
  const dnsPort = silent.address().port;
  const start = Date.now();
  const result = await world.query(`[::1]:${dnsPort}`, 'AAAA', 'ipv4only.arpa', 300);
  const took = Date.now() - start;
  silent.close();
  assert.deepEqual(result, { ok: false, code: 'ETIMEOUT' });
  assert.ok(took < 1500, `${took} ms`);
});
