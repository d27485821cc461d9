/** `node dist/src/tools/build-man.js DIR`: writes tnat64.1 and tnat64.conf.5 into DIR (npm run build: build/man). */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandsFor } from '../cli/main.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { systemWorld } from '../core/system.js';
import { manPages } from './man.js';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: node dist/src/tools/build-man.js DIR\n');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string; description: string };
const pages = manPages({
  commands: commandsFor(systemWorld()),
  config: readFileSync(join(PACKAGE_ROOT, 'docs', 'CONFIG.md'), 'utf8'),
  version: pkg.version,
  description: pkg.description,
});
mkdirSync(dir, { recursive: true });
for (const page of pages) writeFileSync(join(dir, page.file), page.text);
