/**
 * Just enough of ELF to tell whether LD_PRELOAD can reach a program: its class and machine, its interpreter
 * (PT_INTERP; none means the kernel starts it without ld.so, so nothing is preloaded), its DT_NEEDED libraries, and
 * whether it is a Go program (Go makes its socket system calls itself, not through libc). Reads through a callback,
 * a few small ranges, with every count and size bounded, so a hostile or truncated file only yields an error.
 */

export type ReadRange = (offset: number, length: number) => Uint8Array;

export interface ElfInfo {
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** e_type: 2 executable, 3 shared object or PIE. */
  type: number;
  machine: number;
  interpreter?: string;
  /** DT_NEEDED entries, in order. */
  needed: string[];
  /** A section .go.buildinfo or .note.go.buildid. */
  go: boolean;
}

const MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const MAX_HEADERS = 4096;
const MAX_STRING = 4096;

const MACHINES: Record<number, string> = { 3: 'x86', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 22: 's390x', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V', 258: 'LoongArch' };

export function machineName(machine: number): string {
  return MACHINES[machine] ?? `machine ${machine}`;
}

export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && MAGIC.every((b, i) => head[i] === b);
}

class Reader {
  constructor(
    private readonly read: ReadRange,
    readonly bits: 32 | 64,
    readonly little: boolean,
  ) {}

  bytes(offset: number, length: number): DataView {
    const got = this.read(offset, length);
    if (got.length < length) throw new Error(`the file ends inside a header (at byte ${offset})`);
    return new DataView(got.buffer, got.byteOffset, got.byteLength);
  }

  u16(view: DataView, at: number): number {
    return view.getUint16(at, this.little);
  }

  u32(view: DataView, at: number): number {
    return view.getUint32(at, this.little);
  }

  /** A word (4 or 8 bytes); values past 2^53 cannot be file offsets and fail. */
  word(view: DataView, at: number): number {
    if (this.bits === 32) return view.getUint32(at, this.little);
    const value = view.getBigUint64(at, this.little);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('an offset or address beyond any file');
    return Number(value);
  }

  /** A NUL-terminated string at `offset`, at most MAX_STRING bytes. */
  string(offset: number): string {
    const got = this.read(offset, MAX_STRING);
    const end = got.indexOf(0);
    if (end < 0) throw new Error('an unterminated string');
    return Buffer.from(got.buffer, got.byteOffset, end).toString('latin1');
  }
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

function segments(r: Reader, header: DataView): Segment[] {
  const [phoff, phentsize, phnum] = r.bits === 64 ? [r.word(header, 32), r.u16(header, 54), r.u16(header, 56)] : [r.word(header, 28), r.u16(header, 42), r.u16(header, 44)];
  if (phnum > MAX_HEADERS || (phnum > 0 && phentsize < (r.bits === 64 ? 56 : 32))) throw new Error('implausible program headers');
  const table = r.bytes(phoff, phnum * phentsize);
  const list: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    list.push(
      r.bits === 64
        ? { type: r.u32(table, at), offset: r.word(table, at + 8), vaddr: r.word(table, at + 16), filesz: r.word(table, at + 32) }
        : { type: r.u32(table, at), offset: r.word(table, at + 4), vaddr: r.word(table, at + 8), filesz: r.word(table, at + 16) },
    );
  }
  return list;
}

function needed(r: Reader, list: Segment[]): string[] {
  const dynamic = list.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return [];
  const size = r.bits === 64 ? 16 : 8;
  const count = Math.min(Math.floor(dynamic.filesz / size), MAX_HEADERS);
  const table = r.bytes(dynamic.offset, count * size);
  const names: number[] = [];
  let strtab: number | undefined;
  for (let i = 0; i < count; i++) {
    const tag = r.word(table, i * size);
    const value = r.word(table, i * size + size / 2);
    if (tag === 0) break;
    if (tag === DT_NEEDED) names.push(value);
    if (tag === DT_STRTAB) strtab = value;
  }
  if (names.length === 0) return [];
  if (strtab === undefined) throw new Error('DT_NEEDED without a string table');
  const address = strtab;
  const load = list.find((s) => s.type === PT_LOAD && address >= s.vaddr && address < s.vaddr + s.filesz);
  if (!load) throw new Error('the dynamic string table is outside every loaded segment');
  const base = address - load.vaddr + load.offset;
  return names.map((name) => r.string(base + name));
}

function goSections(r: Reader, header: DataView): boolean {
  const [shoff, shentsize, shnum, shstrndx] =
    r.bits === 64 ? [r.word(header, 40), r.u16(header, 58), r.u16(header, 60), r.u16(header, 62)] : [r.word(header, 32), r.u16(header, 46), r.u16(header, 48), r.u16(header, 50)];
  if (shoff === 0 || shnum === 0 || shstrndx >= shnum || shentsize < (r.bits === 64 ? 64 : 40) || shnum > 4 * MAX_HEADERS) return false;
  const table = r.bytes(shoff, shnum * shentsize);
  const offsetOf = (i: number) => r.word(table, i * shentsize + (r.bits === 64 ? 24 : 16));
  const names = offsetOf(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const name = r.string(names + r.u32(table, i * shentsize));
    if (name === '.go.buildinfo' || name === '.note.go.buildid') return true;
  }
  return false;
}

/** The ELF facts of a file, or why they cannot be read; null when it is not ELF at all. */
export function readElf(read: ReadRange): ElfInfo | { error: string } | null {
  let ident: Uint8Array;
  try {
    ident = read(0, 64);
  } catch (error) {
    return { error: `cannot read the file: ${(error as { code?: string }).code ?? (error as Error).message}` };
  }
  if (!isElf(ident)) return null;
  const bits = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : undefined;
  const little = ident[5] === 1 ? true : ident[5] === 2 ? false : undefined;
  if (bits === undefined || little === undefined) return { error: 'an ELF file of unknown class or byte order' };
  try {
    const r = new Reader(read, bits, little);
    const header = r.bytes(0, bits === 64 ? 64 : 52);
    const list = segments(r, header);
    const interp = list.find((s) => s.type === PT_INTERP);
    const info: ElfInfo = { bits, endian: little ? 'little' : 'big', type: r.u16(header, 16), machine: r.u16(header, 18), needed: needed(r, list), go: goSections(r, header) };
    if (interp) info.interpreter = r.string(interp.offset).slice(0, Math.max(0, interp.filesz - 1));
    return info;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { error: typeof code === 'string' ? `cannot read the file: ${code}` : `a damaged ELF file: ${(error as Error).message}` };
  }
}

/** Which C library a DT_NEEDED list or interpreter names: glibc's libc.so.6 / ld-linux, musl's libc.musl / ld-musl. */
export function libcOf(info: ElfInfo): 'glibc' | 'musl' | undefined {
  const names = [...info.needed, info.interpreter ?? ''];
  if (names.some((n) => /musl/.test(n))) return 'musl';
  if (names.some((n) => /^libc\.so\.6$|ld-linux/.test(n.replace(/^.*\//, '')))) return 'glibc';
  return undefined;
}
