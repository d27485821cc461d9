/**
 * `node dist/src/tools/build-docs.js DIR` (npm run build: DIR = build): DIR/man/tnat64.1, DIR/man/tnat64.conf.5 and
 * DIR/completion/tnat64.bash, from the commands' --help texts and docs/CONFIG.md.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandsFor } from '../cli/main.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { systemWorld } from '../core/system.js';
import { completionScript } from './completion.js';
import { manPages } from './man.js';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: node dist/src/tools/build-docs.js DIR\n');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string; description: string };
const commands = commandsFor(systemWorld());
const pages = manPages({ commands, config: readFileSync(join(PACKAGE_ROOT, 'docs', 'CONFIG.md'), 'utf8'), version: pkg.version, description: pkg.description });
mkdirSync(join(dir, 'man'), { recursive: true });
for (const page of pages) writeFileSync(join(dir, 'man', page.file), page.text);
mkdirSync(join(dir, 'completion'), { recursive: true });
writeFileSync(join(dir, 'completion', 'tnat64.bash'), completionScript(commands));
