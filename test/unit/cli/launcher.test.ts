/**
 * bin/tnat64, the sh launcher: run from a scratch package root (a copy of bin/tnat64, a stand-in build/libtnat64.so
 * compiled here, dist/ linked to the real one), reached through a symlink as npm installs it.
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandsFor } from '../../../src/cli/main.js';
import { packageVersion } from '../../../src/core/library.js';
import { fakeWorld, ROOT } from '../helpers.js';

let root = '';
let launcher = '';
let lib = '';
/** Another copy of libtnat64.so (an older install) and an unrelated preload, both real, loadable files. */
let old = '';
let other = '';
let noCompiler: string | false = false;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'tnat64-launcher-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'build'));
  copyFileSync(join(ROOT, 'bin', 'tnat64'), join(root, 'bin', 'tnat64'));
  chmodSync(join(root, 'bin', 'tnat64'), 0o755);
  symlinkSync(join(ROOT, 'dist'), join(root, 'dist'));
  symlinkSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  lib = join(root, 'build', 'libtnat64.so');
  mkdirSync(join(root, 'old'));
  old = join(root, 'old', 'libtnat64.so');
  other = join(root, 'old', 'libother.so');
  // It carries the version marker the launcher checks (lib/core/base/version.c).
  writeFileSync(join(root, 'stand-in.c'), `int tnat64_stand_in;\nconst char tnat64_marker[] = "tnat64-version=${packageVersion}";\n`);
  for (const output of [lib, old, other]) {
    const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', output, join(root, 'stand-in.c')]);
    if (cc.status !== 0) noCompiler = `no C compiler to build a stand-in library: ${cc.error?.message ?? cc.stderr}`;
  }
  // Reached through a symlink in another directory, as `npm link` does.
  mkdirSync(join(root, 'path'));
  launcher = join(root, 'path', 'tnat64');
  symlinkSync(join(root, 'bin', 'tnat64'), launcher);
  // A program named like a sub-command.
  writeFileSync(join(root, 'path', 'check'), '#!/bin/sh\necho "the check program: $*"\n');
  chmodSync(join(root, 'path', 'check'), 0o755);
});

after(() => rmSync(root, { recursive: true, force: true }));

function tnat64(args: string[], env: NodeJS.ProcessEnv = {}, input?: string, command = launcher) {
  const result = spawnSync(command, args, { env: { PATH: `${join(root, 'path')}:${process.env.PATH}`, ...env }, input, encoding: 'utf8' });
  return { status: result.status, signal: result.signal, out: result.stdout, err: result.stderr };
}

test('PROGRAM replaces the launcher: same pid, no process left in between', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(launcher, ['sh', '-c', 'echo $$; cat /proc/$$/comm'], { env: { PATH: process.env.PATH } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        assert.equal(code, 0);
        const [pid, comm] = out.trim().split('\n');
        assert.equal(Number(pid), child.pid);
        assert.equal(comm, 'sh');
        resolve();
      } catch (error) {
        reject(error);
      }
    });
  });
});

test('LD_PRELOAD gets the library first, once, keeping other entries', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  assert.equal(tnat64(['sh', '-c', 'printf %s "$LD_PRELOAD"']).out, lib);
  const again = tnat64(['sh', '-c', 'printf %s "$LD_PRELOAD"'], { LD_PRELOAD: `${lib}:${other} ${old}` });
  assert.equal(again.out, `${lib} ${other}`);
  assert.equal(again.err, '');
  const nested = tnat64([launcher, 'sh', '-c', 'printf %s "$LD_PRELOAD"']);
  assert.equal(nested.out, lib, 'tnat64 under tnat64 does not stack');
});

test("the program's exit status and signals pass through", (t) => {
  if (noCompiler) return t.skip(noCompiler);
  assert.equal(tnat64(['sh', '-c', 'exit 42']).status, 42);
  const killed = tnat64(['sh', '-c', 'kill -TERM $$; sleep 5']);
  assert.deepEqual([killed.status, killed.signal], [null, 'SIGTERM']);
});

test('-- and run force the run path for a program named like a command', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  for (const force of ['--', 'run']) {
    const result = tnat64([force, 'check', 'a b']);
    assert.deepEqual([result.status, result.out], [0, 'the check program: a b\n'], force);
  }
  const env = tnat64(['--', 'env']);
  assert.match(env.out, new RegExp(`^LD_PRELOAD=${lib}$`, 'm'), '`tnat64 -- env` runs env(1), not the sub-command');
});

test('a missing program exits 127 with a clear message', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  const result = tnat64(['no-such-program-tnat64', 'x']);
  assert.equal(result.status, 127);
  assert.equal(result.err, 'tnat64: no-such-program-tnat64: command not found\n');
});

test('tnat64 alone starts $SHELL (or /bin/sh) under the interposer', (t) => {
  if (noCompiler) return t.skip(noCompiler);
  assert.equal(tnat64([], { SHELL: '/bin/sh' }, 'printf %s "$LD_PRELOAD"; exit 3\n').status, 3);
  assert.equal(tnat64([], { SHELL: '/bin/sh' }, 'printf %s "$LD_PRELOAD"\n').out, lib);
  assert.equal(tnat64([], {}, 'printf %s "$LD_PRELOAD"\n').out, lib);
});

test('sub-commands and options go to node; unknown options are usage errors', () => {
  const version = tnat64(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.out, /^tnat64 \d+\.\d+\.\d+/);
  assert.equal(tnat64(['check', '--help']).status, 0);
  const bad = tnat64(['--frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.err, /unknown option "--frobnicate"/);
});

test('a missing library or build is a clear problem, exit 1', (t) => {
  const bare = mkdtempSync(join(tmpdir(), 'tnat64-bare-'));
  t.after(() => rmSync(bare, { recursive: true, force: true }));
  mkdirSync(join(bare, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'tnat64'), join(bare, 'bin', 'tnat64'));
  chmodSync(join(bare, 'bin', 'tnat64'), 0o755);
  const run = tnat64(['true'], {}, undefined, join(bare, 'bin', 'tnat64'));
  assert.equal(run.status, 1);
  assert.equal(run.err, `tnat64: the interposer ${bare}/build/libtnat64.so is missing; run \`npm run build\` in ${bare}\n`);
  const help = tnat64(['--help'], {}, undefined, join(bare, 'bin', 'tnat64'));
  assert.equal(help.status, 1);
  assert.match(help.err, /dist\/src\/cli\/bin\.js is missing; run `npm run build`/);
});

test('the launcher hands exactly the TypeScript commands to node', () => {
  const script = readFileSync(join(ROOT, 'bin', 'tnat64'), 'utf8');
  const line = script.split('\n').find((l) => /^env \|/.test(l)) ?? '';
  const words = line.replace(/\)\s*$/, '').split('|').map((w) => w.trim()).filter((w) => !w.startsWith('-'));
  assert.deepEqual(words.sort(), commandsFor(fakeWorld()).map((c) => c.name).sort());
});
