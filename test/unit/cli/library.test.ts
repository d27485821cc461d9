/**
 * Which libtnat64.so runs: bin/tnat64 (sh) and src/core/library.ts (env, doctor) must pick the same file by the same
 * rules, and both refuse a library of another version. Each case builds a scratch package root (a copy of the
 * launcher, package.json, stand-in libraries compiled here) and asks both.
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  archName,
  detectLibc,
  findLibrary,
  glibcFromLdd,
  hostOf,
  isFile,
  lddSays,
  libcFromLdd,
  libraryVersion,
  markerVersion,
  olderVersion,
  packageVersion,
  platformName,
  versionProblem,
} from '../../../src/core/library.js';
import { Problem } from '../../../src/cli/command.js';
import { requireLibrary } from '../../../src/core/paths.js';
import { ROOT } from '../helpers.js';

let scratch = '';
/** Stand-in libraries: loadable, marked with this version, another version, or nothing. */
const standIn: Record<'current' | 'old' | 'unmarked', string> = { current: '', old: '', unmarked: '' };
let noCompiler: string | false = false;
let counter = 0;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tnat64-library-'));
  const sources = {
    current: `const char m[] = "tnat64-version=${packageVersion}";\n`,
    old: 'const char m[] = "tnat64-version=0.0.1-old";\n',
    unmarked: 'int tnat64_stand_in;\n',
  };
  for (const [kind, source] of Object.entries(sources) as [keyof typeof standIn, string][]) {
    writeFileSync(join(scratch, `${kind}.c`), source);
    standIn[kind] = join(scratch, `${kind}.so`);
    const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', standIn[kind], join(scratch, `${kind}.c`)], { encoding: 'utf8' });
    if (cc.status !== 0) noCompiler = `no C compiler to build stand-in libraries: ${cc.error?.message ?? cc.stderr}`;
  }
});

after(() => rmSync(scratch, { recursive: true, force: true }));

/** A package root holding the launcher, package.json and `libs` (relative path → stand-in kind). */
function packageRoot(libs: Record<string, keyof typeof standIn>): string {
  const root = join(scratch, `root-${++counter}`);
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'bin', 'tnat64'), join(root, 'bin', 'tnat64'));
  chmodSync(join(root, 'bin', 'tnat64'), 0o755);
  copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  for (const [path, kind] of Object.entries(libs)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    copyFileSync(standIn[kind], join(root, path));
  }
  return root;
}

/** What the launcher does in `root`: the library it preloads (first LD_PRELOAD entry), or its error. */
function launcherPick(root: string, path = process.env.PATH) {
  const run = spawnSync(join(root, 'bin', 'tnat64'), ['sh', '-c', 'printf %s "$LD_PRELOAD"'], { env: { PATH: path }, encoding: 'utf8' });
  return { status: run.status, lib: run.status === 0 ? run.stdout.split(' ')[0] : undefined, err: run.stderr };
}

const host = platformName(hostOf());
/** A platform this package has no build for on this host. */
const other = host === 'linux-arm64-gnu' ? 'linux-x64-gnu' : 'linux-arm64-gnu';

test('this machine: the launcher preloads the library findLibrary finds, of this version', () => {
  const found = findLibrary();
  assert.ok(found.ok, found.ok ? '' : found.problem);
  assert.equal(found.lib.source, 'build');
  assert.equal(found.lib.version, packageVersion, 'make -C lib marks the library with package.json\'s version');
  assert.equal(versionProblem(found.lib), undefined);
  const launcher = launcherPick(ROOT);
  assert.equal(launcher.status, 0, launcher.err);
  assert.equal(launcher.lib, found.lib.path);
});

test('a build from the sources wins over the prebuilt one; else the prebuilt one for this platform', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  const cases: { libs: Record<string, keyof typeof standIn>; want: string; source: 'build' | 'prebuilt' }[] = [
    { libs: { 'build/libtnat64.so': 'current', [`prebuilt/${host}/libtnat64.so`]: 'current' }, want: 'build/libtnat64.so', source: 'build' },
    { libs: { [`prebuilt/${host}/libtnat64.so`]: 'current' }, want: `prebuilt/${host}/libtnat64.so`, source: 'prebuilt' },
    {
      libs: { [`prebuilt/${other}/libtnat64.so`]: 'current', [`prebuilt/${host}/libtnat64.so`]: 'current', 'prebuilt/linux-x64-musl/libtnat64.so': 'current' },
      want: `prebuilt/${host}/libtnat64.so`,
      source: 'prebuilt',
    },
  ];
  for (const { libs, want, source } of cases) {
    const root = packageRoot(libs);
    const found = findLibrary(root);
    assert.ok(found.ok, found.ok ? '' : found.problem);
    assert.deepEqual(found.lib, { path: join(root, want), source, version: packageVersion });
    const launcher = launcherPick(root);
    assert.deepEqual([launcher.status, launcher.lib, launcher.err], [0, join(root, want), ''], JSON.stringify(libs));
  }
});

test('no library for this platform: both name the platform and what the package has, exit 1', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  const root = packageRoot({ [`prebuilt/${other}/libtnat64.so`]: 'current', 'prebuilt/linux-riscv64-gnu/libtnat64.so': 'current' });
  // A directory without a library is not a platform the package has.
  mkdirSync(join(root, 'prebuilt', 'linux-empty-gnu'));
  const found = findLibrary(root);
  assert.equal(found.ok, false);
  const problem = found.ok ? '' : found.problem;
  assert.ok(problem.includes(`(${host})`), problem);
  assert.ok(problem.includes([other, 'linux-riscv64-gnu'].sort().join(', ')), problem);
  assert.ok(!problem.includes('linux-empty-gnu'), problem);
  const launcher = launcherPick(root);
  assert.deepEqual([launcher.status, launcher.err], [1, `tnat64: ${problem}\n`]);

  const empty = packageRoot({});
  const none = findLibrary(empty);
  assert.deepEqual(none, { ok: false, problem: `the interposer ${empty}/build/libtnat64.so is missing; run \`npm run build\` in ${empty}` });
  assert.deepEqual([launcherPick(empty).status, launcherPick(empty).err], [1, `tnat64: ${none.ok ? '' : none.problem}\n`]);
});

test('a library of another version, or without a marker, is refused with the same words', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  for (const [path, kind, version] of [
    ['build/libtnat64.so', 'old', '0.0.1-old'],
    ['build/libtnat64.so', 'unmarked', undefined],
    [`prebuilt/${host}/libtnat64.so`, 'old', '0.0.1-old'],
  ] as const) {
    const root = packageRoot({ [path]: kind });
    const found = findLibrary(root);
    assert.ok(found.ok);
    assert.equal(found.lib.version, version);
    const problem = versionProblem(found.lib);
    assert.ok(problem?.includes(`this tnat64 is version ${packageVersion}`), problem);
    assert.match(problem ?? '', found.lib.source === 'build' ? /npm run build/ : /reinstall tnat64/);
    const launcher = launcherPick(root);
    assert.deepEqual([launcher.status, launcher.err], [1, `tnat64: ${problem}\n`], `${path} ${kind}`);
  }
});

test('tnat64 env refuses a library of another version too (requireLibrary)', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  const old = packageRoot({ 'build/libtnat64.so': 'old' });
  assert.throws(
    () => requireLibrary(isFile, old),
    (error: unknown) =>
      error instanceof Problem &&
      error.code === 'library-version' &&
      error.message === `the interposer ${old}/build/libtnat64.so is version 0.0.1-old, but this tnat64 is version ${packageVersion}` &&
      error.hint === 'rebuild it with `npm run build`',
  );
  const current = packageRoot({ [`prebuilt/${host}/libtnat64.so`]: 'current' });
  assert.equal(requireLibrary(isFile, current), join(current, 'prebuilt', host, 'libtnat64.so'));
});

test('musl or glibc: the launcher and detectLibc read ldd the same way', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  assert.equal(detectLibc(), 'gnu', 'this machine runs glibc');
  // musl's ldd: the loader's banner on stderr, exit status 1.
  const fake = join(scratch, 'fake-ldd');
  mkdirSync(fake, { recursive: true });
  writeFileSync(join(fake, 'ldd'), '#!/bin/sh\necho "musl libc (x86_64)" >&2\necho "Version 1.2.4" >&2\nexit 1\n');
  chmodSync(join(fake, 'ldd'), 0o755);
  const path = `${fake}:${process.env.PATH}`;
  assert.equal(detectLibc(undefined, { PATH: path }), 'musl');
  const musl = `linux-${archName(hostOf().machine)}-musl`;
  const root = packageRoot({ [`prebuilt/${host}/libtnat64.so`]: 'current', [`prebuilt/${musl}/libtnat64.so`]: 'current' });
  assert.equal(launcherPick(root, path).lib, join(root, 'prebuilt', musl, 'libtnat64.so'));
  assert.equal(launcherPick(root).lib, join(root, 'prebuilt', host, 'libtnat64.so'));
});

test('a prebuilt glibc library on an older glibc: both refuse it, naming both versions', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  const fake = join(scratch, 'old-glibc');
  mkdirSync(fake, { recursive: true });
  writeFileSync(join(fake, 'ldd'), '#!/bin/sh\necho "ldd (Ubuntu GLIBC 2.31-0ubuntu9.16) 2.31"\necho "Copyright (C) 2020 Free Software Foundation, Inc."\n');
  chmodSync(join(fake, 'ldd'), 0o755);
  const path = `${fake}:${process.env.PATH}`;
  const gnu = `linux-${archName(hostOf().machine)}-gnu`;
  const root = packageRoot({ [`prebuilt/${gnu}/libtnat64.so`]: 'current' });
  const host = (glibc: string | undefined) => ({ os: 'linux', machine: hostOf().machine, libc: 'gnu' as const, glibc, exists: isFile });
  for (const [need, ok] of [['2.34', false], ['2.31', true], ['2.17', true], ['', true]] as const) {
    writeFileSync(join(root, 'prebuilt', gnu, 'glibc'), need === '' ? '' : `${need}\n`);
    const found = findLibrary(root, host(glibcFromLdd(lddSays({ PATH: path }))));
    const launcher = launcherPick(root, path);
    if (ok) {
      assert.ok(found.ok, need);
      assert.deepEqual([launcher.status, launcher.lib], [0, found.lib.path], launcher.err);
    } else {
      assert.equal(found.ok, false);
      const problem = found.ok ? '' : found.problem;
      assert.ok(problem.includes(`needs glibc ${need} or newer, and this system has glibc 2.31`), problem);
      assert.deepEqual([launcher.status, launcher.err], [1, `tnat64: ${problem}\n`]);
    }
  }
  // This machine's own glibc is new enough for what make -C lib prebuilt links to.
  writeFileSync(join(root, 'prebuilt', gnu, 'glibc'), '2.34\n');
  assert.ok(findLibrary(root).ok);
  assert.equal(launcherPick(root).status, 0);
});

test('glibc versions: ldd\'s first line, compared by major and minor', () => {
  assert.equal(glibcFromLdd('ldd (Debian GLIBC 2.36-9+deb12u14) 2.36\nCopyright'), '2.36');
  assert.equal(glibcFromLdd('ldd (GNU libc) 2.39\n'), '2.39');
  assert.equal(glibcFromLdd('musl libc (x86_64)\nVersion 1.2.4\n'), undefined);
  assert.equal(glibcFromLdd(''), undefined);
  assert.equal(olderVersion('2.31', '2.34'), true);
  assert.equal(olderVersion('2.34', '2.34'), false);
  assert.equal(olderVersion('2.4', '2.34'), true, 'minor versions are numbers, not strings');
  assert.equal(olderVersion('3.0', '2.34'), false);
  assert.equal(olderVersion('1.99', '2.0'), true);
});

test('findLibrary on other hosts: arch and libc name the prebuilt directory', () => {
  const root = '/opt/tnat64';
  const has = (paths: string[]) => (path: string) => paths.includes(path);
  const on = (machine: string, libc: 'gnu' | 'musl' | 'unknown', exists: (path: string) => boolean) => findLibrary(root, { os: 'linux', machine, libc, exists });
  const arm = `${root}/prebuilt/linux-arm64-gnu/libtnat64.so`;
  const musl = `${root}/prebuilt/linux-x64-musl/libtnat64.so`;
  assert.deepEqual(on('aarch64', 'gnu', has([arm, musl])), { ok: true, lib: { path: arm, source: 'prebuilt' } });
  assert.deepEqual(on('x86_64', 'musl', has([arm, musl])), { ok: true, lib: { path: musl, source: 'prebuilt' } });
  assert.equal(platformName({ os: 'linux', machine: 'riscv64', libc: 'gnu' }), 'linux-riscv64-gnu');
  assert.equal(archName('amd64'), 'x64');
  assert.equal(archName('arm64'), 'arm64');
});

test('the version marker: the first one with a version, as grep -o finds it', () => {
  const bytes = (text: string) => Buffer.from(text, 'latin1');
  assert.equal(markerVersion(bytes('\0\x7fELF\0tnat64-version=1.2.3\0more')), '1.2.3');
  assert.equal(markerVersion(bytes('tnat64-version=\0tnat64-version=2.0.0-rc.1+b7~x\0')), '2.0.0-rc.1+b7~x');
  assert.equal(markerVersion(bytes('tnat64-version=1.0.0\ntnat64-version=9.9.9')), '1.0.0');
  assert.equal(markerVersion(bytes('tnat64-version=')), undefined);
  assert.equal(markerVersion(bytes('no marker here')), undefined);
  assert.equal(libraryVersion(join(scratch, 'does-not-exist.so')), undefined);
  assert.equal(packageVersion, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
});

test('libcFromLdd: glibc and musl banners, and the loaders when there is no ldd', () => {
  const none = () => false;
  assert.equal(libcFromLdd('ldd (Debian GLIBC 2.36-9+deb12u14) 2.36\n', none), 'gnu');
  assert.equal(libcFromLdd('ldd (GNU libc) 2.39\n', none), 'gnu');
  assert.equal(libcFromLdd('musl libc (aarch64)\nVersion 1.2.5\n', none), 'musl');
});
