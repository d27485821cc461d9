/**
 * Bash completion: bash itself, with the generated script loaded, asked what COMPREPLY holds for a command line.
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandsFor } from '../../../src/cli/main.js';
import { completionScript } from '../../../src/tools/completion.js';
import { fakeWorld, ROOT } from '../helpers.js';

let dir = '';
let script = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tnat64-completion-'));
  script = join(dir, 'tnat64.bash');
  writeFileSync(script, completionScript(commandsFor(fakeWorld())));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'home.conf'), '');
  writeFileSync(join(dir, 'conf', 'lab.conf'), '');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'tn64prog'), '#!/bin/sh\n', { mode: 0o755 });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** COMPREPLY after completing the last word of `words` (bash without rc files, no bash-completion package). */
function complete(words: string[], file = script): string[] {
  const r = spawnSync(
    'bash',
    ['--norc', '--noprofile', '-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tnat64; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', file, ...words],
    { cwd: dir, encoding: 'utf8', env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir } },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', `bash said: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

test('first word: sub-commands and programs; options after a dash', () => {
  const ch = complete(['tnat64', 'ch']);
  assert.ok(ch.includes('check') && ch.includes('chmod'), ch.join(' '));
  assert.deepEqual(complete(['tnat64', 'disc']), ['discover']);
  assert.deepEqual(complete(['tnat64', 'tn64p']), ['tn64prog']);
  assert.deepEqual(complete(['tnat64', '--v']), ['--version']);
  assert.deepEqual(complete(['tnat64', '-']).sort(), ['--', '--help', '--version', '-V', '-h'].sort());
});

test('a command\'s options, and every option its --help lists', () => {
  assert.deepEqual(complete(['tnat64', 'check', '--f']), ['--file']);
  assert.deepEqual(complete(['tnat64', 'doctor', '--p']), ['--program']);
  for (const command of commandsFor(fakeWorld())) {
    const offered = complete(['tnat64', command.name, '-']);
    const listed = [...command.usage.matchAll(/^ {2}(-\w|--[\w-]+)(?:, (--[\w-]+))?/gm)].flatMap((m) => [m[1]!, m[2]]).filter((o) => o !== undefined);
    for (const option of [...listed, '--help']) assert.ok(offered.includes(option), `tnat64 ${command.name} ${option}: offered ${offered.join(' ')}`);
    for (const option of offered) assert.ok(listed.includes(option) || option === '-h' || option === '--help', `tnat64 ${command.name} offers ${option}, which its --help does not list`);
  }
});

test('option arguments: files for -f/--file, programs for --program, nothing for values', () => {
  assert.deepEqual(complete(['tnat64', 'check', '-f', 'conf/']).sort(), ['conf/home.conf', 'conf/lab.conf']);
  assert.deepEqual(complete(['tnat64', 'explain', '--json', '--file', 'conf/h']), ['conf/home.conf']);
  assert.deepEqual(complete(['tnat64', 'doctor', '--program', 'tn64p']), ['tn64prog']);
  assert.deepEqual(complete(['tnat64', 'discover', '--timeout', '']), []);
  assert.deepEqual(complete(['tnat64', 'check', '-t', 'co']), []);
});

test('the run form: programs, then the program\'s arguments', () => {
  assert.deepEqual(complete(['tnat64', '--', 'tn64p']), ['tn64prog']);
  assert.deepEqual(complete(['tnat64', 'run', 'tn64p']), ['tn64prog']);
  // No bash-completion package loaded: the program's arguments complete as files.
  assert.deepEqual(complete(['tnat64', 'tn64prog', 'conf/l']), ['conf/lab.conf']);
  assert.deepEqual(complete(['tnat64', 'lab', '--ipv4', '--', 'tn64p']), ['tn64prog']);
  assert.deepEqual(complete(['tnat64', 'help', 'do']), ['doctor']);
});

test('npm run build wrote the script the generator makes now', () => {
  assert.equal(readFileSync(join(ROOT, 'build', 'completion', 'tnat64.bash'), 'utf8'), completionScript(commandsFor(fakeWorld())));
});
