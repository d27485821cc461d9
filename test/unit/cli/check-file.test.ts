/**
 * `tnat64 check -f FILE` on files that are not text files: a FIFO, /dev/zero, a huge sparse file. The built CLI runs
 * under a timeout; it must return promptly with exit 1 (the file is invalid), and the loader reports the library's
 * code. The size bound is the library's own (T64_CONF_MAX in lib/core/config/config.h).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CONFIG_BYTES } from '../../../src/core/config.js';
import { loadConfig, readConfigBytes } from '../../../src/core/config-file.js';
import { ROOT } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tnat64-check-file-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const fifo = join(dir, 'fifo.conf');
const sparse = join(dir, 'huge.conf');
spawnSync('mkfifo', [fifo]);
const fd = openSync(sparse, 'w');
ftruncateSync(fd, 4 * 1024 * 1024 * 1024); // 4 GiB of holes: reading it all would take seconds and 4 GiB of memory
closeSync(fd);

/** The exit status of the built CLI's `check -f file`, killed after 10 s (status null then). */
function check(file: string): { status: number | null; ms: number } {
  const start = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'bin.js'), 'check', '-f', file], {
    env: { ...process.env, TNAT64_DISCOVERY: '0', TNAT64_PREFIX: '64:ff9b::/96' },
    timeout: 10_000,
    encoding: 'utf8',
  });
  return { status: r.status, ms: Date.now() - start };
}

function codeOf(file: string): string | undefined {
  return loadConfig(readConfigBytes, {}, file).errors[0]?.code;
}

test('the size bound is the library\'s T64_CONF_MAX', () => {
  const header = readFileSync(join(ROOT, 'lib', 'core', 'config', 'config.h'), 'utf8');
  const match = /#define T64_CONF_MAX \(([0-9]+) \* ([0-9]+)\)/.exec(header);
  assert.ok(match, 'T64_CONF_MAX in lib/core/config/config.h');
  assert.equal(Number(match[1]) * Number(match[2]), MAX_CONFIG_BYTES);
});

test('check -f FIFO returns at once: exit 1, not-a-file', () => {
  const r = check(fifo);
  assert.equal(r.status, 1, `status ${r.status} after ${r.ms} ms`);
  assert.equal(codeOf(fifo), 'not-a-file');
});

test('check -f /dev/zero returns at once: exit 1, not-a-file (a device, as the library says)', () => {
  const r = check('/dev/zero');
  assert.equal(r.status, 1, `status ${r.status} after ${r.ms} ms`);
  assert.equal(codeOf('/dev/zero'), 'not-a-file');
});

test('check -f on a 4 GiB file reads at most the bound: exit 1, file-too-large', () => {
  const r = check(sparse);
  assert.equal(r.status, 1, `status ${r.status} after ${r.ms} ms`);
  assert.equal(codeOf(sparse), 'file-too-large');
  assert.equal(readConfigBytes(sparse).length, MAX_CONFIG_BYTES + 1);
});

test('/dev/null is an empty file, a bound-sized file is fine, a directory is unreadable', () => {
  assert.equal(loadConfig(readConfigBytes, {}, '/dev/null').status, 'ok');
  const exact = join(dir, 'exact.conf');
  writeFileSync(exact, '#'.repeat(MAX_CONFIG_BYTES));
  assert.equal(loadConfig(readConfigBytes, {}, exact).status, 'ok');
  assert.equal(codeOf(dir), 'unreadable');
  assert.equal(check('/dev/null').status, 0);
});
