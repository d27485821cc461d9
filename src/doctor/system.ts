/** The real DoctorWorld: node:dns with one server at a time, node:net, node:fs, getcap. */

import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { findLibrary, packageVersion } from '../core/library.js';
import { learnPref64 } from '../core/pref64.js';
import { World } from '../core/system.js';
import { ConnectResult, DnsResult, DoctorWorld, FileInfo, SeccompProbe } from './world.js';

function code(error: unknown): string {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === 'string' ? value : 'EUNKNOWN';
}

async function query(server: string, type: 'AAAA' | 'A', name: string, timeoutMs: number): Promise<DnsResult> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    resolver.setServers([server]);
  } catch (error) {
    return { ok: false, code: code(error) === 'EUNKNOWN' ? 'EBADSERVER' : code(error) };
  }
  try {
    const records = type === 'AAAA' ? await resolver.resolve6(name, { ttl: true }) : await resolver.resolve4(name, { ttl: true });
    return { ok: true, records };
  } catch (error) {
    return { ok: false, code: code(error) };
  }
}

function connect(address: string, port: number, timeoutMs: number): Promise<ConnectResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: address, port, family: 6 });
    const done = (result: ConnectResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, code: 'ETIMEDOUT', ms: Date.now() - start }), timeoutMs);
    socket.once('connect', () => done({ ok: true, ms: Date.now() - start }));
    socket.once('error', (error) => done({ ok: false, code: code(error), ms: Date.now() - start }));
  });
}

function stat(path: string): FileInfo | { error: string } {
  try {
    const s = statSync(path);
    return { mode: s.mode, uid: s.uid, gid: s.gid, isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size };
  } catch (error) {
    return { error: code(error) };
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readAt(path: string, offset: number, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const got = readSync(fd, buffer, 0, length, offset);
    return buffer.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function run(file: string, args: string[]): Promise<{ status: number | null; stdout: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 2000, encoding: 'utf8' }, (error, stdout) => {
      const failure = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (failure && failure.code === 'ENOENT') return resolve({ status: null, stdout: '', missing: true });
      resolve({ status: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0, stdout, missing: false });
    });
  });
}

/**
 * Node has no xattr call, so getcap says (libcap2-bin), else python3's os.getxattr: exit 0 with the attribute, 3
 * without it (ENODATA), anything else unknown.
 */
async function capabilities(path: string): Promise<string | null | undefined> {
  const getcap = await run('getcap', [path]);
  if (!getcap.missing && getcap.status === 0) {
    const text = getcap.stdout.trim();
    if (text === '') return null;
    return text.startsWith(path) ? text.slice(path.length).trim().replace(/^=\s*/, '') : text;
  }
  const script = 'import errno,os,sys\ntry:\n os.getxattr(sys.argv[1],"security.capability")\nexcept OSError as e:\n sys.exit(3 if e.errno==errno.ENODATA else 4)\n';
  const python = await run('python3', ['-c', script, path]);
  if (python.status === 0) return 'security.capability is set';
  if (python.status === 3) return null;
  return undefined;
}

async function seccomp(path: string): Promise<SeccompProbe> {
  const probe = await run(path, ['--probe']);
  if (probe.missing) return { ok: false, missing: true, reason: `${path} is missing` };
  if (probe.status === 0) return { ok: true };
  const said = /^unavailable: (.+)$/m.exec(probe.stdout)?.[1];
  return { ok: false, missing: false, reason: said ?? `${path} --probe did not answer (exit ${probe.status ?? 'by a signal or timeout'})` };
}

function which(name: string, path: string | undefined): string | undefined {
  if (name.includes('/')) return name;
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, name);
    const info = stat(candidate);
    if ('isFile' in info && info.isFile && executable(candidate)) return candidate;
  }
  return undefined;
}

export async function systemDoctorWorld(base: World): Promise<DoctorWorld> {
  return {
    base,
    query,
    connect,
    learnPref64,
    isRoot: () => process.getuid?.() === 0,
    stat,
    executable,
    readAt,
    capabilities,
    which,
    library: () => findLibrary(base.packageRoot),
    seccomp,
    version: packageVersion,
  };
}
