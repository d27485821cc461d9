/**
 * The little IPv6 arithmetic the lab needs: parse a prefix, test overlap, synthesize an RFC 6052 address.
 * Deliberately independent of src/core (the code under test): the lab and its tests are the oracle, and
 * testdata/rfc6052.tsv checks this copy too (test/lab/addr.test.ts).
 */

export interface Prefix {
  /** The prefix as written by the user, normalized to `addr/len`. */
  text: string;
  value: bigint;
  length: number;
}

export const PREFIX_LENGTHS = [32, 40, 48, 56, 64, 96] as const;

const ALL = (1n << 128n) - 1n;

/** Parse an IPv6 address (hex groups, `::`, optional dotted IPv4 tail) into a 128-bit integer; throws on junk. */
export function parseIPv6(text: string): bigint {
  let s = text.trim();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const v4 = parseIPv4(tail[1]!);
    s = s.slice(0, -tail[1]!.length) + ((v4 >> 16) & 0xffff).toString(16) + ':' + (v4 & 0xffff).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) throw new Error(`not an IPv6 address: ${text}`);
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${text}`);
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

/** RFC 5952 text (lower-case hex, longest run of two or more zero groups compressed, leftmost on ties). */
export function formatIPv6(value: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return hex(g.slice(0, best)) + '::' + hex(g.slice(best + bestLen));
}

export function parseIPv4(text: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`not an IPv4 address: ${text}`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw new Error(`not an IPv4 address: ${text}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** `addr/len` (len one of the six RFC 6052 lengths; a bare address means /96), host bits zero. */
export function parsePrefix(text: string): Prefix {
  const [addr, len] = text.split('/');
  const length = len === undefined ? 96 : Number(len);
  if (!(PREFIX_LENGTHS as readonly number[]).includes(length)) {
    throw new Error(`prefix length must be one of ${PREFIX_LENGTHS.join(' ')}: ${text}`);
  }
  const value = parseIPv6(addr!);
  if ((value & ~mask(length) & ALL) !== 0n) throw new Error(`prefix has bits set beyond /${length}: ${text}`);
  return { text: `${formatIPv6(value)}/${length}`, value, length };
}

export function mask(length: number): bigint {
  return length === 0 ? 0n : (ALL >> BigInt(128 - length)) << BigInt(128 - length);
}

/** True when two IPv6 networks share any address. */
export function overlaps(a: bigint, aLen: number, b: bigint, bLen: number): boolean {
  const m = mask(Math.min(aLen, bLen));
  return (a & m) === (b & m);
}

/** RFC 6052 §2.2: embed an IPv4 address in a prefix (u-octet and suffix zero). */
export function synthesize(prefix: Prefix, ipv4: string): string {
  const v4 = BigInt(parseIPv4(ipv4));
  const p = prefix.value;
  // Bits of the IPv4 address before the u-octet (bits 64-71) and after it.
  const before = Math.min(32, Math.max(0, 64 - prefix.length));
  const after = 32 - before;
  let out = p;
  if (before > 0) out |= (v4 >> BigInt(after)) << BigInt(128 - prefix.length - before);
  if (after > 0) {
    const low = v4 & ((1n << BigInt(after)) - 1n);
    const start = prefix.length === 96 ? 96 : 72; // first bit after the u-octet (or after a /96)
    out |= low << BigInt(128 - start - after);
  }
  return formatIPv6(out);
}
