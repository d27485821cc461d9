/**
 * A quick run of the differential fuzz (fuzz/diff.mjs, `npm run fuzz` runs it longer): a few hundred mutated
 * configuration files, each parsed by the C half (build/test/vectors --dump) and this one; the canonical dumps must
 * be the same, byte for byte.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

test('the C and the TypeScript parser dump 600 mutated files the same', () => {
  const dumper = join(ROOT, 'build', 'test', 'vectors');
  if (!existsSync(dumper)) {
    const made = spawnSync('make', ['-s', '-C', join(ROOT, 'lib'), dumper], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
  }
  const out = mkdtempSync(join(tmpdir(), 'tnat64-diff-out-'));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'fuzz', 'diff.mjs')], {
      env: { ...process.env, RUNS: '600', SEED: '12345', FUZZ_OUT: out, DUMPER: dumper },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
