/**
 * The TypeScript tree has layers too: src/core holds the twins of the C library (lib/core) and what both halves
 * share, the diagnostics (src/doctor) build on it, the lab (src/lab) on both, and the command line (src/cli) and the
 * build tools (src/tools) on everything. An import may only point down this table.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

/** What each folder of src/ may import (besides itself and node: modules). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  doctor: ['core'],
  lab: ['core'],
  cli: ['core', 'doctor', 'lab'],
  tools: ['core', 'doctor', 'lab', 'cli'],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The relative module specifiers a file imports or re-exports, static or dynamic. */
function imports(text: string): string[] {
  const found = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.[^'"]+)['"]/g)];
  return found.map((m) => m[1]!);
}

/** Every import that points up the table, as "src/x/a.ts -> src/y/b.js". */
function upward(srcRoot: string): string[] {
  const bad: string[] = [];
  for (const file of tsFiles(srcRoot)) {
    const from = relative(srcRoot, file).split('/')[0]!;
    for (const spec of imports(readFileSync(file, 'utf8'))) {
      const to = relative(srcRoot, normalize(join(dirname(file), spec))).split('/')[0]!;
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) bad.push(`${relative(ROOT, file)} -> ${spec}`);
    }
  }
  return bad;
}

test('every folder of src/ is in the table', () => {
  const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.deepEqual(folders.filter((f) => !(f in ALLOWED)), []);
});

test('imports point down only: core imports nothing above it, doctor not the CLI', () => {
  assert.deepEqual(upward(join(ROOT, 'src')), []);
});

test('the check sees an upward import', () => {
  assert.deepEqual(imports("import { Problem } from '../cli/command.js';\nexport * from \"./x.js\";"), ['../cli/command.js', './x.js']);
});
