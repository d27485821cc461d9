/**
 * docs/DESIGN.md is the map of the tree: its "Map" block must list every directory that holds source, and every path
 * the document names anywhere must exist, so the map cannot drift from the files.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

const design = readFileSync(join(ROOT, 'docs', 'DESIGN.md'), 'utf8');

/** The fenced block under "## Map": one entry per line, `PATH  what it holds`, directories ending in `/`. */
function mapEntries(): string[] {
  const section = design.split(/^## /m).find((s) => s.startsWith('Map'));
  assert.ok(section, 'docs/DESIGN.md has no "## Map" section');
  const block = /```\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the Map section has no fenced block');
  return block[1]!
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith(' '))
    .map((line) => line.split(/\s+/)[0]!);
}

/** Directories of the repository that hold what people change (generated and data-only trees left out). */
function sourceDirectories(dir = ''): string[] {
  const skip = new Set(['.git', 'node_modules', 'dist', 'build', 'prebuilt', 'corpus', 'results', 'valid', 'invalid']);
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir)).sort()) {
    const rel = dir === '' ? name : `${dir}/${name}`;
    if (skip.has(name) || !statSync(join(ROOT, rel)).isDirectory()) continue;
    out.push(`${rel}/`, ...sourceDirectories(rel));
  }
  return out;
}

test('every entry of the map exists', () => {
  const missing = mapEntries().filter((p) => !existsSync(join(ROOT, p)));
  assert.deepEqual(missing, [], 'docs/DESIGN.md Map lists paths that do not exist');
});

test('the map lists every source directory', () => {
  const listed = new Set(mapEntries());
  const absent = sourceDirectories().filter((d) => !listed.has(d));
  assert.deepEqual(absent, [], 'directories missing from the Map of docs/DESIGN.md');
});

test('every path the design names exists', () => {
  const named = [...design.matchAll(/`((?:lib|src|test|testdata|bench|fuzz|deploy|scripts|bin|docs)\/[A-Za-z0-9_./-]+)`/g)]
    .map((m) => m[1]!)
    .filter((p) => !p.includes('*'));
  const missing = [...new Set(named)].filter((p) => !existsSync(join(ROOT, p)));
  assert.deepEqual(missing, [], 'docs/DESIGN.md names paths that do not exist');
});
