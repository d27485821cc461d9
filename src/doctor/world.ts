/**
 * What the doctor needs of the host beyond the tools' World: one DNS query to one nameserver, one TCP connect, file
 * metadata and byte ranges, file capabilities, PREF64 and the library. Each call is bounded by its caller's timeout
 * or by a small fixed one; tests inject their own.
 */

import { LibraryResult } from '../core/library.js';
import { Prefix } from '../core/rfc6052.js';
import { World } from '../core/system.js';

export interface DnsRecord {
  address: string;
  ttl: number;
}

/** A DNS answer (records, maybe none) or the node:dns error code (ENODATA, ENOTFOUND, ETIMEOUT, ECONNREFUSED, ...). */
export type DnsResult = { ok: true; records: DnsRecord[] } | { ok: false; code: string };

export type ConnectResult = { ok: true; ms: number } | { ok: false; code: string; ms: number };

export interface FileInfo {
  mode: number;
  uid: number;
  gid: number;
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

/** src/core/pref64.ts's Pref64, as the doctor reads it. */
export interface AdvertisedPrefix {
  prefix: Prefix;
  lifetime: number;
  source: string;
  interface?: string;
  router?: string;
}

export type LearnPref64 = (opts: { solicit: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv }) => Promise<{ found: AdvertisedPrefix[]; problems: string[] }>;

/** Whether the seccomp engine can start here: tnat64-seccomp --probe installs its filter in a child. */
export type SeccompProbe = { ok: true } | { ok: false; missing: boolean; reason: string };

export interface DoctorWorld {
  base: World;
  /** One query of `type` for `name` to `server` alone (a resolv.conf entry as node:dns prints it), one try. */
  query(server: string, type: 'AAAA' | 'A', name: string, timeoutMs: number): Promise<DnsResult>;
  /** A TCP connect to an IPv6 address, closed at once. */
  connect(address: string, port: number, timeoutMs: number): Promise<ConnectResult>;
  /** src/core/pref64.ts's learnPref64 (the cache; as root, a router solicitation). */
  learnPref64: LearnPref64;
  isRoot(): boolean;
  /** lstat-free: follows symlinks, as exec does. An error code (ENOENT, EACCES) instead when it cannot. */
  stat(path: string): FileInfo | { error: string };
  /** access(X_OK) for the current user. */
  executable(path: string): boolean;
  /** Up to `length` bytes at `offset` (fewer at the end of the file); throws when the file cannot be read. */
  readAt(path: string, offset: number, length: number): Uint8Array;
  /** The file's capabilities as getcap prints them, null when it has none, undefined when that cannot be told. */
  capabilities(path: string): Promise<string | null | undefined>;
  /** A command name looked up on PATH, as execvp would (undefined when not found). */
  which(name: string, path: string | undefined): string | undefined;
  library(): LibraryResult;
  /** The supervisor at `path` asked whether its filter can be installed here (bounded). */
  seccomp(path: string): Promise<SeccompProbe>;
  /** The command's own version. */
  version: string;
}
