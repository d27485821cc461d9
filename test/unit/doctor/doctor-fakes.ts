/** Fakes for the doctor's tests: a DoctorWorld of in-memory files, DNS answers, connects and programs; ELF images. */

import { LibraryResult } from '../../../src/core/library.js';
import { parsePrefix, Prefix } from '../../../src/core/rfc6052.js';
import { ConnectResult, DnsResult, DoctorWorld, FileInfo, SeccompProbe } from '../../../src/doctor/world.js';
import { fakeResolver, fakeWorld, ROUTES_V4, ROUTES_V4_NONE, ROUTES_V6_DEFAULT } from '../helpers.js';

export const LIB = '/pkg/build/libtnat64.so';
export const VERSION = '0.1.0';

export interface ElfSpec {
  bits?: 32 | 64;
  little?: boolean;
  machine?: number;
  interp?: string;
  needed?: string[];
  /** A PT_DYNAMIC segment even without DT_NEEDED (a static PIE). */
  dynamic?: boolean;
  sections?: string[];
}

/** A minimal ELF image: header, program headers (PT_LOAD of the whole file, PT_INTERP, PT_DYNAMIC), optional sections. */
export function elfImage(spec: ElfSpec = {}): Uint8Array {
  const bits = spec.bits ?? 64;
  const little = spec.little ?? true;
  const w = bits === 64 ? 8 : 4;
  const ehsize = bits === 64 ? 64 : 52;
  const phentsize = bits === 64 ? 56 : 32;
  const shentsize = bits === 64 ? 64 : 40;
  const needed = spec.needed ?? [];
  const hasDynamic = needed.length > 0 || spec.dynamic === true;
  const phnum = 1 + (spec.interp !== undefined ? 1 : 0) + (hasDynamic ? 1 : 0);
  const buf = Buffer.alloc(8192);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16 = (at: number, v: number) => view.setUint16(at, v, little);
  const u32 = (at: number, v: number) => view.setUint32(at, v, little);
  const word = (at: number, v: number) => (w === 8 ? view.setBigUint64(at, BigInt(v), little) : view.setUint32(at, v, little));
  const VADDR = 0x400000;
  let cursor = ehsize + phnum * phentsize;
  const put = (bytes: Uint8Array) => {
    const at = cursor;
    buf.set(bytes, at);
    cursor += bytes.length;
    cursor = (cursor + 7) & ~7;
    return at;
  };
  const interpAt = spec.interp !== undefined ? put(Buffer.from(`${spec.interp}\0`)) : 0;
  let strtabAt = 0;
  const nameOffsets: number[] = [];
  if (hasDynamic) {
    let text = '\0';
    for (const name of needed) {
      nameOffsets.push(text.length);
      text += `${name}\0`;
    }
    strtabAt = put(Buffer.from(text));
  }
  let dynAt = 0;
  let dynSize = 0;
  if (hasDynamic) {
    const entries: [number, number][] = [...nameOffsets.map((o): [number, number] => [1, o]), [5, VADDR + strtabAt], [0, 0]];
    dynSize = entries.length * 2 * w;
    dynAt = cursor;
    entries.forEach(([tag, value], i) => {
      word(dynAt + i * 2 * w, tag);
      word(dynAt + i * 2 * w + w, value);
    });
    cursor += dynSize;
  }
  let shoff = 0;
  let shnum = 0;
  let shstrndx = 0;
  if (spec.sections && spec.sections.length > 0) {
    const names = ['', ...spec.sections, '.shstrtab'];
    let text = '';
    const offsets = names.map((n) => {
      const o = text.length;
      text += `${n}\0`;
      return o;
    });
    const strAt = put(Buffer.from(text));
    shoff = cursor;
    shnum = names.length;
    shstrndx = names.length - 1;
    names.forEach((_, i) => {
      const at = shoff + i * shentsize;
      u32(at, offsets[i] as number);
      if (i === shstrndx) {
        u32(at + 4, 3);
        word(at + (bits === 64 ? 24 : 16), strAt);
        word(at + (bits === 64 ? 32 : 20), text.length);
      }
    });
    cursor += shnum * shentsize;
  }
  const size = cursor;
  buf.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, little ? 1 : 2, 1], 0);
  u16(16, spec.interp !== undefined || hasDynamic ? 3 : 2);
  u16(18, spec.machine ?? 62);
  if (bits === 64) {
    word(32, ehsize);
    word(40, shoff);
    u16(54, phentsize);
    u16(56, phnum);
    u16(58, shentsize);
    u16(60, shnum);
    u16(62, shstrndx);
  } else {
    word(28, ehsize);
    word(32, shoff);
    u16(42, phentsize);
    u16(44, phnum);
    u16(46, shentsize);
    u16(48, shnum);
    u16(50, shstrndx);
  }
  const phdr = (i: number, type: number, offset: number, filesz: number) => {
    const at = ehsize + i * phentsize;
    u32(at, type);
    if (bits === 64) {
      word(at + 8, offset);
      word(at + 16, VADDR + offset);
      word(at + 32, filesz);
      word(at + 40, filesz);
    } else {
      word(at + 4, offset);
      word(at + 8, VADDR + offset);
      word(at + 16, filesz);
      word(at + 20, filesz);
    }
  };
  let i = 0;
  if (spec.interp !== undefined) phdr(i++, 3, interpAt, spec.interp.length + 1);
  phdr(i++, 1, 0, size);
  if (hasDynamic) phdr(i++, 2, dynAt, dynSize);
  return new Uint8Array(buf.subarray(0, size));
}

export const GLIBC_PROGRAM = { interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] };

export interface FakeProgram {
  bytes: Uint8Array;
  mode?: number;
  uid?: number;
  gid?: number;
  executable?: boolean;
  directory?: boolean;
  caps?: string | null;
}

export interface DoctorFakeOptions {
  ipv4Route?: boolean;
  ipv6Route?: boolean;
  bindv6only?: string;
  files?: Record<string, string>;
  servers?: string[];
  /** Key "SERVER TYPE", e.g. "2001:db8:1::1 AAAA"; missing keys time out (ETIMEOUT). */
  dns?: Record<string, DnsResult>;
  connect?: (address: string, port: number) => ConnectResult;
  pref64?: { found: { prefix: string; lifetime: number; source: 'cache' | 'ra' | 'networkd'; interface?: string }[]; problems: string[] } | 'never';
  root?: boolean;
  programs?: Record<string, FakeProgram>;
  /** PATH directories for `which`, searched in the programs table. */
  library?: LibraryResult;
  libraryElf?: Uint8Array;
  /** What tnat64-seccomp --probe says (default: available). */
  seccomp?: SeccompProbe;
  names?: Record<string, string[]>;
}

export interface DoctorFake extends DoctorWorld {
  queries: { server: string; type: string; name: string }[];
  connects: { address: string; port: number }[];
  solicited: boolean[];
  /** The supervisors asked (seccomp). */
  probed: string[];
}

export function prefix(text: string): Prefix {
  const parsed = parsePrefix(text);
  if (!('prefix' in parsed)) throw new Error(text);
  return parsed.prefix;
}

/** An answer of a DNS64 with `prefix96` (a /96 written as "2001:db8:64::"), TTL 300. */
export function dns64Answer(prefix96: string, ttl = 300): DnsResult {
  return { ok: true, records: [{ address: `${prefix96}c000:aa`, ttl }, { address: `${prefix96}c000:ab`, ttl }] };
}

export function doctorFake(o: DoctorFakeOptions = {}): DoctorFake {
  const files: Record<string, string> = {
    '/proc/net/route': o.ipv4Route ? ROUTES_V4 : ROUTES_V4_NONE,
    '/proc/net/ipv6_route': o.ipv6Route === false ? '' : ROUTES_V6_DEFAULT,
    '/proc/sys/net/ipv6/bindv6only': `${o.bindv6only ?? '0'}\n`,
    ...o.files,
  };
  const servers = o.servers ?? ['2001:db8:1::1'];
  const base = fakeWorld({ files, resolver: fakeResolver(servers, []), ...(o.names ? { names: o.names } : {}) });
  const programs = o.programs ?? {};
  const libraryElf = o.libraryElf ?? elfImage(GLIBC_PROGRAM);
  const fake: DoctorFake = {
    base,
    queries: [],
    connects: [],
    solicited: [],
    probed: [],
    async query(server, type, name) {
      fake.queries.push({ server, type, name });
      return o.dns?.[`${server} ${type}`] ?? { ok: false, code: 'ETIMEOUT' };
    },
    async connect(address, port) {
      fake.connects.push({ address, port });
      return o.connect ? o.connect(address, port) : { ok: false, code: 'ETIMEDOUT', ms: 3000 };
    },
    learnPref64: (opts) => {
      fake.solicited.push(opts.solicit);
      if (o.pref64 === 'never') return new Promise(() => undefined);
      const given = o.pref64 ?? { found: [], problems: [] };
      return Promise.resolve({ found: given.found.map((f) => ({ ...f, prefix: prefix(f.prefix) })), problems: given.problems });
    },
    isRoot: () => o.root ?? false,
    stat(path): FileInfo | { error: string } {
      const p = programs[path];
      if (!p) return { error: 'ENOENT' };
      return { mode: p.mode ?? 0o755, uid: p.uid ?? 0, gid: p.gid ?? 0, isFile: !p.directory, isDirectory: p.directory === true, size: p.bytes.length };
    },
    executable: (path) => programs[path]?.executable ?? true,
    readAt(path, offset, length) {
      const bytes = path === LIB ? libraryElf : programs[path]?.bytes;
      if (!bytes) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
    },
    capabilities: async (path) => (programs[path]?.caps === undefined ? null : programs[path]?.caps),
    which(name, path) {
      if (name.includes('/')) return name;
      for (const dir of (path ?? '/usr/bin:/bin').split(':')) if (programs[`${dir}/${name}`]) return `${dir}/${name}`;
      return undefined;
    },
    library: () => o.library ?? { ok: true, lib: { path: LIB, version: VERSION, source: 'build' } },
    seccomp: async (path) => {
      fake.probed.push(path);
      return o.seccomp ?? { ok: true };
    },
    version: VERSION,
  };
  return fake;
}
