import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Problem } from '../../../src/cli/command.js';
import { libraryPath, PACKAGE_ROOT, requireLibrary } from '../../../src/core/paths.js';
import { ROOT } from '../helpers.js';

test('the package root is found from the compiled module', () => {
  assert.equal(PACKAGE_ROOT, ROOT);
  assert.ok(existsSync(join(PACKAGE_ROOT, 'package.json')));
  assert.equal(libraryPath('/opt/tnat64'), '/opt/tnat64/build/libtnat64.so');
});

test('requireLibrary: the path when it exists, else a problem telling to build', () => {
  assert.equal(requireLibrary(() => true, '/opt/tnat64'), '/opt/tnat64/build/libtnat64.so');
  assert.throws(
    () => requireLibrary(() => false, '/opt/tnat64'),
    (error: unknown) => error instanceof Problem && error.code === 'library-missing' && /npm run build/.test(error.hint ?? '') && error.message.includes('/opt/tnat64/build/libtnat64.so'),
  );
  assert.throws(() => requireLibrary(() => true, '/opt/my tnat64'), (error: unknown) => error instanceof Problem && error.code === 'library-path');
  assert.throws(() => requireLibrary(() => true, '/opt/a:b'), (error: unknown) => error instanceof Problem && error.code === 'library-path');
});
