/**
 * The two halves pick the same engine for real files: what `tnat64 doctor --program` says (src/core/engine.ts, through
 * the doctor's ELF reading) is what the launcher does (build/tnat64-seccomp --engine-of, lib/core/exec/engine.c).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemDoctorWorld } from '../../../src/doctor/system.js';
import { programCheck } from '../../../src/doctor/program.js';
import { systemWorld } from '../../../src/core/system.js';
import { PATHS } from '../../../src/lab/lab.js';

const SUPERVISOR = join(PATHS.repo, 'build', 'tnat64-seccomp');

function cEngine(path: string): { engine: string; why: string } {
  const [engine, why] = execFileSync(SUPERVISOR, ['--engine-of', path], { encoding: 'utf8' }).trim().split(' ');
  return { engine: engine!, why: why! };
}

test('engine: C and TypeScript agree on dynamic, static, Go, scripts and the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tnat64-engine-'));
  try {
    const source = join(dir, 'hello.c');
    writeFileSync(source, 'int main(void) { return 0; }\n');
    const built: string[] = [];
    for (const [name, args] of [['static', ['-static']], ['dynamic', []]] as const) {
      const out = join(dir, name);
      const cc = spawnSync('gcc', [...args, '-o', out, source], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      built.push(out);
    }
    const go = execFileSync('sh', ['-c', 'readlink -f "$(command -v go)"'], { encoding: 'utf8' }).trim();
    const scripts: Record<string, string> = {
      'busybox.sh': '#!/bin/busybox sh\n',
      'env-busybox': '#!/usr/bin/env busybox sh\n',
      'dash.sh': '#!/bin/sh\n',
      'static.sh': `#!${built[0]}\n`,
      'text': 'echo hi\n',
    };
    for (const [name, text] of Object.entries(scripts)) {
      writeFileSync(join(dir, name), text);
      chmodSync(join(dir, name), 0o755);
    }
    const expected: Record<string, string> = {
      [built[0]!]: 'seccomp static',
      [built[1]!]: 'preload dynamic',
      '/bin/busybox': 'seccomp static',
      '/usr/bin/curl': 'preload dynamic',
      [go]: 'seccomp go',
      [join(dir, 'busybox.sh')]: 'seccomp static',
      [join(dir, 'env-busybox')]: 'seccomp static',
      [join(dir, 'dash.sh')]: 'preload dynamic',
      [join(dir, 'static.sh')]: 'seccomp static',
    };
    const world = await systemDoctorWorld(systemWorld());
    for (const [path, want] of Object.entries(expected)) {
      const c = cEngine(path);
      assert.equal(`${c.engine} ${c.why}`, want, `C: ${path}`);
      const ts = await programCheck(world, path, process.env.PATH);
      assert.equal(`${ts.data.engine} ${ts.data.engineWhy}`, want, `TypeScript: ${path}`);
    }
    // Not ELF, not a script: exec refuses it; both leave it to the interposer (that is, to exec's own error).
    assert.equal(cEngine(join(dir, 'text')).engine, 'preload');
    assert.equal((await programCheck(world, join(dir, 'text'), process.env.PATH)).data.engine, 'preload');
    assert.deepEqual(cEngine(join(dir, 'absent')), { engine: 'preload', why: 'missing' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
