/**
 * What the lab needs of IPv6 arithmetic on top of src/core: prefixes as 128-bit integers (the lab counts addresses in
 * its links, `link + 2n`), overlap tests, and synthesis as text. Parsing, formatting and RFC 6052 embedding are the
 * core's own, which testdata/rfc6052.tsv checks in both halves.
 */

import { parseIPv4 as parseCoreIPv4 } from '../core/ipv4.js';
import { formatIPv6 as formatCoreIPv6, parseIPv6 as parseCoreIPv6 } from '../core/ipv6.js';
import { formatPrefix, parsePrefix as parseCorePrefix, synthesize as synthesizeCore, type Prefix as CorePrefix } from '../core/rfc6052.js';

export { PREFIX_LENGTHS } from '../core/rfc6052.js';

export interface Prefix {
  /** The prefix normalized to `addr/len` (RFC 5952). */
  text: string;
  value: bigint;
  length: number;
  core: CorePrefix;
}

const ALL = (1n << 128n) - 1n;

/** An IPv6 address (any textual form) as a 128-bit integer; throws on junk. */
export function parseIPv6(text: string): bigint {
  const bytes = parseCoreIPv6(text.trim());
  if (bytes === undefined) throw new Error(`not an IPv6 address: ${text}`);
  return bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

/** RFC 5952 text of a 128-bit integer. */
export function formatIPv6(value: bigint): string {
  const bytes = new Uint8Array(16);
  for (let i = 15; i >= 0; i--, value >>= 8n) bytes[i] = Number(value & 0xffn);
  return formatCoreIPv6(bytes);
}

/** A dotted quad as an unsigned 32-bit number; throws on junk. */
export function parseIPv4(text: string): number {
  const value = parseCoreIPv4(text.trim());
  if (value === undefined) throw new Error(`not an IPv4 address: ${text}`);
  return value;
}

/** `addr[/len]` as an RFC 6052 prefix (the core's validation); throws with the core's message. */
export function parsePrefix(text: string): Prefix {
  const parsed = parseCorePrefix(text);
  if ('problem' in parsed) throw new Error(`lab prefix ${text}: ${parsed.problem.message}`);
  const core = parsed.prefix;
  return { text: formatPrefix(core), value: parseIPv6(formatCoreIPv6(core.bytes)), length: core.length, core };
}

export function mask(length: number): bigint {
  return length === 0 ? 0n : (ALL >> BigInt(128 - length)) << BigInt(128 - length);
}

/** True when two IPv6 networks share any address. */
export function overlaps(a: bigint, aLen: number, b: bigint, bLen: number): boolean {
  const m = mask(Math.min(aLen, bLen));
  return (a & m) === (b & m);
}

/** RFC 6052: `ipv4` embedded in `prefix`, as text. */
export function synthesize(prefix: Prefix, ipv4: string): string {
  return formatCoreIPv6(synthesizeCore(prefix.core, parseIPv4(ipv4)));
}

