/** Shared by the unit tests: the repository root, the vector files, and fakes for the CLI's world. */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Io } from '../../src/cli/command.js';
import { Resolver } from '../../src/core/discover.js';
import { World } from '../../src/core/system.js';

/** dist/test/unit/helpers.js → the repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const TESTDATA = join(ROOT, 'testdata');

/** Rows of a tab-separated vector file, without comments and blank lines, with their line numbers. */
export function readTsv(name: string): { line: number; cols: string[] }[] {
  return readFileSync(join(TESTDATA, name), 'utf8')
    .split('\n')
    .map((text, index) => ({ line: index + 1, text }))
    .filter(({ text }) => text.trim() !== '' && !text.startsWith('#'))
    .map(({ line, text }) => ({ line, cols: text.split('\t') }));
}

export interface FakeIo extends Io {
  stdout: string;
  stderr: string;
}

export function fakeIo(env: NodeJS.ProcessEnv = {}): FakeIo {
  const io: FakeIo = {
    stdout: '',
    stderr: '',
    env,
    out: (text) => void (io.stdout += text),
    err: (text) => void (io.stderr += text),
  };
  return io;
}

/** A DNS error as node:dns produces it. */
export function dnsError(code: string): Error {
  return Object.assign(new Error(`queryAaaa ${code} ipv4only.arpa`), { code });
}

/** A resolver replaying a recorded answer (or error) and counting its queries. */
export function fakeResolver(servers: string[], answer: { address: string; ttl: number }[] | Error): Resolver & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    getServers: () => servers,
    resolve6: async (name) => {
      queries.push(name);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

/** Recorded route tables: with or without an IPv4 default route, with an IPv6 one. */
export const ROUTES_V4 =
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
  'eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
  'eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
export const ROUTES_V4_NONE = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';
export const ROUTES_V6_DEFAULT =
  '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n' +
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n' +
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n';

export interface FakeWorldOptions {
  files?: Record<string, string>;
  resolver?: Resolver;
  names?: Record<string, string[]>;
  packageRoot?: string;
  existing?: string[];
}

/** A World made of in-memory files (plus the real testdata/ and package.json), a fake resolver and a fake name table. */
export function fakeWorld(options: FakeWorldOptions = {}): World & { resolverCalls: number } {
  const files = options.files ?? {};
  const world = {
    resolverCalls: 0,
    readBytes: (path: string) => {
      if (path === join(options.packageRoot ?? ROOT, 'package.json')) return readFileSync(join(ROOT, 'package.json'));
      const text = files[path];
      if (text === undefined && path.startsWith(TESTDATA)) return readFileSync(path);
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return Buffer.from(text);
    },
    readText: (path: string) => files[path],
    exists: (path: string) => (options.existing ?? []).includes(path),
    resolver: () => {
      world.resolverCalls++;
      return options.resolver ?? fakeResolver(['192.0.2.53'], dnsError('ENODATA'));
    },
    nameservers: () => (options.resolver ?? fakeResolver(['192.0.2.53'], dnsError('ENODATA'))).getServers(),
    resolve4: async (name: string) => {
      const found = options.names?.[name];
      if (!found) throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return found;
    },
    packageRoot: options.packageRoot ?? ROOT,
  };
  return world;
}
