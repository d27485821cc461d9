/**
 * Which libtnat64.so a run uses, and which version it is. bin/tnat64 (sh) makes the same choice with the same rules,
 * so `tnat64 env`, `tnat64 doctor` and the launcher never disagree about the file:
 *   1. ROOT/build/libtnat64.so, a build from a source checkout (or `make -C lib` in an installed package);
 *   2. ROOT/prebuilt/linux-ARCH-LIBC/libtnat64.so, shipped in the npm package (ARCH x64|arm64, LIBC gnu|musl).
 * The library carries "tnat64-version=X" in its read-only data (lib/core/base/version.c, from package.json at build time),
 * so a library left over from another version is caught before a program runs with it.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { machine, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: dist/src/core/library.js is three levels below it (paths.ts imports this module). */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface LibraryInfo {
  path: string;
  /** From the library's marker; undefined when it has none (not a tnat64 library, or older than the marker). */
  version?: string;
  source: 'prebuilt' | 'build';
}

export type LibraryResult = { ok: true; lib: LibraryInfo } | { ok: false; problem: string };

/** What findLibrary looks at, replaceable by tests. */
export interface Host {
  /** `uname -s` lower-cased: "linux". */
  os: string;
  /** `uname -m`: "x86_64", "aarch64", … */
  machine: string;
  /** Read only when there is no build/libtnat64.so (it may run ldd). */
  readonly libc: 'gnu' | 'musl' | 'unknown';
  /** glibc's version ("2.36") when the C library is glibc and says it; read only for a prebuilt library. */
  readonly glibc?: string | undefined;
  exists(path: string): boolean;
}

/** A regular file (or a symlink to one), as the launcher's `[ -f ]`. */
export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

const MARKER = Buffer.from('tnat64-version=');
/** The characters a version may have (semver plus "~"), as the launcher's pattern. */
const VERSION_CHAR = /[A-Za-z0-9.+~-]/;

function readPackageVersion(root: string): string {
  const parsed = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof parsed.version !== 'string') throw new Error(`package.json in ${root} has no version`);
  return parsed.version;
}

/** The version of the command (package.json next to it). */
export const packageVersion: string = readPackageVersion(PACKAGE_ROOT);

/**
 * The version in `bytes`' first marker (one followed by at least one version character), or undefined: what the
 * launcher's `grep -a -o -m 1 'tnat64-version=[A-Za-z0-9.+~-]\{1,\}'` finds first.
 */
export function markerVersion(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const versionChar = (at: number) => at < buffer.length && VERSION_CHAR.test(String.fromCharCode(buffer[at]!));
  for (let at = buffer.indexOf(MARKER); at >= 0; at = buffer.indexOf(MARKER, at + 1)) {
    let end = at + MARKER.length;
    while (versionChar(end)) end++;
    if (end > at + MARKER.length) return buffer.toString('latin1', at + MARKER.length, end);
  }
  return undefined;
}

/** The version a library file says it is, or undefined (unreadable, or no marker). */
export function libraryVersion(path: string): string | undefined {
  try {
    return markerVersion(readFileSync(path));
  } catch {
    return undefined;
  }
}

/** `x86_64` → `x64`, `aarch64` → `arm64`, as Node and npm name them; anything else as uname says it. */
export function archName(unameMachine: string): string {
  if (unameMachine === 'x86_64' || unameMachine === 'amd64') return 'x64';
  if (unameMachine === 'aarch64' || unameMachine === 'arm64') return 'arm64';
  return unameMachine;
}

/** "linux-x64-gnu": the prebuilt/ directory name for a host. */
export function platformName(host: Pick<Host, 'os' | 'machine' | 'libc'>): string {
  return `${host.os}-${archName(host.machine)}-${host.libc}`;
}

/**
 * glibc or musl, decided as the launcher decides it: what `ldd --version` says (glibc's names itself GLIBC or GNU libc,
 * musl's loader prints "musl libc"); without ldd, which dynamic loader the system has.
 */
export function detectLibc(exists: (path: string) => boolean = isFile, env: NodeJS.ProcessEnv = process.env): Host['libc'] {
  return libcFromLdd(lddSays(env), exists);
}

/** What `ldd --version` prints, stdout and stderr (musl's prints its banner on stderr and exits 1); '' without ldd. */
export function lddSays(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync('ldd', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000, env });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

/** glibc's version from its ldd's first line, "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36", as the launcher reads it. */
export function glibcFromLdd(said: string): string | undefined {
  const last = said.split('\n')[0]!.split(' ').pop() ?? '';
  return /^\d+\.\d+/.test(last) && libcFromLdd(said, () => false) === 'gnu' ? last : undefined;
}

/** Whether version `a` (MAJOR.MINOR…) is older than `b`, comparing major and minor as the launcher does. */
export function olderVersion(a: string, b: string): boolean {
  const [am, an] = a.split('.').map((part) => parseInt(part, 10));
  const [bm, bn] = b.split('.').map((part) => parseInt(part, 10));
  return am! < bm! || (am === bm && an! < bn!);
}

/** The decision of detectLibc from ldd's output (empty when there is no ldd) and the loaders present. */
export function libcFromLdd(said: string, exists: (path: string) => boolean): Host['libc'] {
  if (said.includes('musl')) return 'musl';
  if (/GLIBC|GNU libc|GNU C Library/.test(said)) return 'gnu';
  const loaders = (dir: string, pattern: RegExp) => {
    try {
      return readdirSync(dir).some((name) => pattern.test(name) && exists(join(dir, name)));
    } catch {
      return false;
    }
  };
  if (loaders('/lib64', /^ld-linux.*\.so\./) || loaders('/lib', /^ld-linux.*\.so\./)) return 'gnu';
  if (loaders('/lib', /^ld-musl-.*\.so\.1$/)) return 'musl';
  return 'unknown';
}

let said: string | undefined;

/** This machine; `exists` replaceable for tests. */
export function hostOf(exists: (path: string) => boolean = isFile): Host {
  return {
    os: platform(),
    machine: machine(),
    get libc() {
      said ??= lddSays();
      return libcFromLdd(said, isFile);
    },
    get glibc() {
      said ??= lddSays();
      return glibcFromLdd(said);
    },
    exists,
  };
}

/** The platforms a package root has prebuilt libraries for, by directory name. */
export function prebuiltPlatforms(root: string, exists: (path: string) => boolean = isFile): string[] {
  try {
    return readdirSync(join(root, 'prebuilt'))
      .filter((name) => exists(join(root, 'prebuilt', name, 'libtnat64.so')))
      .sort();
  } catch {
    return [];
  }
}

/** The library a run from `root` uses (see the top of this file), with its version; or why there is none. */
export function findLibrary(root: string = PACKAGE_ROOT, host: Host = hostOf()): LibraryResult {
  const build = join(root, 'build', 'libtnat64.so');
  if (host.exists(build)) return { ok: true, lib: withVersion({ path: build, source: 'build' }) };
  const name = platformName(host);
  const prebuilt = join(root, 'prebuilt', name, 'libtnat64.so');
  const fromSources = `build one from the sources with \`make -C lib\` in ${root} (needs a C compiler and the C library's headers)`;
  if (host.exists(prebuilt)) {
    // prebuilt/PLATFORM/glibc: the newest glibc symbol version the library links to (lib/Makefile).
    let need = '';
    try {
      need = readFileSync(join(root, 'prebuilt', name, 'glibc'), 'utf8').split('\n')[0]!.trim();
    } catch {
      // none: nothing to check
    }
    const glibc = need === '' ? undefined : host.glibc;
    if (glibc !== undefined && /^\d+\.\d+/.test(need) && olderVersion(glibc, need)) {
      return { ok: false, problem: `the prebuilt interposer ${prebuilt} needs glibc ${need} or newer, and this system has glibc ${glibc}; ${fromSources}` };
    }
    return { ok: true, lib: withVersion({ path: prebuilt, source: 'prebuilt' }) };
  }
  const available = prebuiltPlatforms(root, host.exists);
  if (available.length === 0) return { ok: false, problem: `the interposer ${build} is missing; run \`npm run build\` in ${root}` };
  return { ok: false, problem: `no interposer for this platform (${name}): the package has prebuilt libraries for ${available.join(', ')}; ${fromSources}` };
}

function withVersion(lib: LibraryInfo): LibraryInfo {
  const version = libraryVersion(lib.path);
  return version === undefined ? lib : { ...lib, version };
}

/** Why `lib` must not be used by this command, or undefined when its version is the command's. */
export function versionProblem(lib: LibraryInfo, expected: string = packageVersion): string | undefined {
  if (lib.version === expected) return undefined;
  const what = lib.version === undefined ? 'has no version marker' : `is version ${lib.version}`;
  const fix = lib.source === 'build' ? 'rebuild it with `npm run build`' : 'reinstall tnat64';
  return `the interposer ${lib.path} ${what}, but this tnat64 is version ${expected}; ${fix}`;
}
