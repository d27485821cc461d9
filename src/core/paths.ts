/**
 * Where the package's own files are: the interposer build/libtnat64.so, found relative to the package root
 * (dist/src/core/paths.js is three levels below it).
 */

import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Problem } from './errors.js';
import { findLibrary, hostOf, isFile, versionProblem } from './library.js';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function libraryPath(root: string = PACKAGE_ROOT): string {
  return join(root, 'build', 'libtnat64.so');
}

/**
 * The library the launcher would preload (library.ts: build/, else prebuilt/PLATFORM/), or a Problem saying how to get
 * one when `exists` finds none.
 */
export function requireLibrary(exists: (path: string) => boolean, root: string = PACKAGE_ROOT): string {
  const found = findLibrary(root, hostOf(exists));
  if (!found.ok) {
    const [message, hint] = found.problem.split(/; (?=build|run)/);
    throw new Problem('library-missing', message ?? found.problem, hint);
  }
  const path = found.lib.path;
  // As the launcher: a library of another version is refused (a path only a test's fake world has is not read).
  const problem = isFile(path) ? versionProblem(found.lib) : undefined;
  if (problem !== undefined) {
    const [message, hint] = problem.split(/; (?=rebuild|reinstall)/);
    throw new Problem('library-version', message ?? problem, hint);
  }
  if (/[\s:]/.test(path)) {
    throw new Problem('library-path', `the interposer path ${path} contains a space or colon, which LD_PRELOAD cannot express`, 'install tnat64 in a directory whose path has neither');
  }
  return path;
}
