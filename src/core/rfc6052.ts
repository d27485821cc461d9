/**
 * RFC 6052 IPv4-embedded IPv6 addresses: prefixes of the six allowed lengths, synthesis and extraction.
 * The IPv4 bits skip bits 64–71 (the u-octet); everything after the IPv4 bits (the suffix) is zero.
 */

import { formatIPv6, IPv6, maskIPv6, equalIPv6, parseIPv6 } from './ipv6.js';

export const PREFIX_LENGTHS = [32, 40, 48, 56, 64, 96] as const;
export type PrefixLength = (typeof PREFIX_LENGTHS)[number];

export interface Prefix {
  bytes: IPv6;
  length: PrefixLength;
}

/** The well-known prefix 64:ff9b::/96 (RFC 6052 §2.1). */
export const WELL_KNOWN_PREFIX: Prefix = { bytes: parseIPv6('64:ff9b::') as IPv6, length: 96 };

export function isPrefixLength(length: number): length is PrefixLength {
  return (PREFIX_LENGTHS as readonly number[]).includes(length);
}

/** The byte positions that carry the four IPv4 octets for each length (byte 8 is the u-octet). */
const OCTET_POSITIONS: Record<PrefixLength, readonly number[]> = {
  32: [4, 5, 6, 7],
  40: [5, 6, 7, 9],
  48: [6, 7, 9, 10],
  56: [7, 9, 10, 11],
  64: [9, 10, 11, 12],
  96: [12, 13, 14, 15],
};

/** Why a prefix is unusable, as a config error code and a sentence; undefined if it is fine. */
export type PrefixProblem = {
  code: 'bad-prefix' | 'bad-prefix-length' | 'prefix-host-bits' | 'prefix-u-octet' | UnusableCode;
  message: string;
};

/** Prefixes that are well-formed but can never be a NAT64's: the twin of the library's t64_prefix_usable. */
export type UnusableCode = 'prefix-mapped' | 'prefix-zero' | 'prefix-multicast';

const USE_ANOTHER = "use the network's NAT64 prefix (`tnat64 discover` shows it) or the well-known 64:ff9b::/96";

/**
 * Why `prefix` cannot be a NAT64 prefix at all, or undefined: ::ffff:0:0/96 (IPv4-mapped addresses, which the kernel
 * sends over IPv4, never to a NAT64), the all-zero :: (::/96 is the deprecated IPv4-compatible range), anything in
 * ff00::/8 (multicast).
 */
export function unusablePrefix(prefix: Prefix): (PrefixProblem & { code: UnusableCode }) | undefined {
  const { bytes, length } = prefix;
  const text = `${formatIPv6(bytes)}/${length}`;
  if (length === 96 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return {
      code: 'prefix-mapped',
      message: `${text} is the IPv4-mapped range: the kernel sends its addresses over IPv4, never to a NAT64; ${USE_ANOTHER}`,
    };
  }
  if (bytes.every((b) => b === 0)) {
    return {
      code: 'prefix-zero',
      message: `${text} is the all-zero prefix (::/96 is the deprecated IPv4-compatible range), which no NAT64 serves; ${USE_ANOTHER}`,
    };
  }
  if (bytes[0] === 0xff) {
    return { code: 'prefix-multicast', message: `${text} is a multicast prefix (ff00::/8); a NAT64 prefix is unicast: ${USE_ANOTHER}` };
  }
  return undefined;
}

/**
 * Parse `ADDRESS[/LEN]` (LEN defaults to 96) and validate it as an RFC 6052 prefix: the length is one of the six,
 * no bit is set beyond the length, and the u-octet (bits 64–71) is zero; then as a NAT64 prefix (unusablePrefix).
 */
export function parsePrefix(text: string): { prefix: Prefix } | { problem: PrefixProblem } {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIPv6(addressText);
  if (bytes === undefined) {
    return { problem: { code: 'bad-prefix', message: `"${addressText}" is not an IPv6 address; expected an IPv6 prefix such as 64:ff9b:: or 2001:db8:100::/40` } };
  }
  let length: PrefixLength = 96;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    const value = /^[0-9]{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
    if (!isPrefixLength(value)) {
      return { problem: { code: 'bad-prefix-length', message: `prefix length ${lengthText === '' ? '(empty)' : lengthText} is not one of ${PREFIX_LENGTHS.join(', ')}` } };
    }
    length = value;
  }
  if (!equalIPv6(maskIPv6(bytes, length), bytes)) {
    const longer = PREFIX_LENGTHS.find((l) => l > length && equalIPv6(maskIPv6(bytes, l), bytes) && (l < 96 || bytes[8] === 0));
    const alternative = longer ? `, or ${formatIPv6(bytes)}/${longer} if that is the prefix` : '';
    return {
      problem: {
        code: 'prefix-host-bits',
        message: `${formatIPv6(bytes)} has bits set beyond the first ${length}; expected ${formatIPv6(maskIPv6(bytes, length))}/${length}${alternative}`,
      },
    };
  }
  if (bytes[8] !== 0) {
    return { problem: { code: 'prefix-u-octet', message: `bits 64-71 (the u-octet) of ${formatIPv6(bytes)}/${length} must be zero (RFC 6052 §2.2)` } };
  }
  const unusable = unusablePrefix({ bytes, length });
  return unusable ? { problem: unusable } : { prefix: { bytes, length } };
}

/** `addr/len` in RFC 5952 form. */
export function formatPrefix(prefix: Prefix): string {
  return `${formatIPv6(prefix.bytes)}/${prefix.length}`;
}

export function equalPrefix(a: Prefix, b: Prefix): boolean {
  return a.length === b.length && equalIPv6(a.bytes, b.bytes);
}

export function isWellKnownPrefix(prefix: Prefix): boolean {
  return equalPrefix(prefix, WELL_KNOWN_PREFIX);
}

/** The IPv6 address embedding `ipv4` (unsigned 32-bit) in `prefix`; u-octet and suffix zero. */
export function synthesize(prefix: Prefix, ipv4: number): IPv6 {
  const out = maskIPv6(prefix.bytes, prefix.length);
  if (prefix.length !== 96) for (let i = 8; i < 16; i++) out[i] = 0;
  OCTET_POSITIONS[prefix.length].forEach((position, i) => {
    out[position] = (ipv4 >>> (24 - 8 * i)) & 0xff;
  });
  return out;
}

/** The IPv4 address embedded in `address` at `length` (whatever the other bits are). */
export function extract(length: PrefixLength, address: IPv6): number {
  return OCTET_POSITIONS[length].reduce((value, position) => value * 256 + (address[position] ?? 0), 0);
}

/** Whether `address` has zero u-octet (for lengths below 96) and zero suffix bits after the IPv4 at `length`. */
export function hasZeroSuffix(length: PrefixLength, address: IPv6): boolean {
  const positions = OCTET_POSITIONS[length];
  const last = positions[positions.length - 1] ?? 15;
  for (let i = last + 1; i < 16; i++) if (address[i] !== 0) return false;
  return length === 96 || address[8] === 0;
}
