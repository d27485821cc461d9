/**
 * IPv6 addresses as 16-byte arrays: parsing any textual form (RFC 4291 §2.2, including a dotted IPv4 tail) and
 * formatting in RFC 5952 form with hex fields only (DESIGN.md: never a dotted tail).
 */

import { parseIPv4 } from './ipv4.js';

export type IPv6 = Uint8Array;

/** Parse an IPv6 address; returns 16 bytes or undefined. Zone identifiers (`%eth0`) are not accepted. */
export function parseIPv6(text: string): IPv6 | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const fields = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIPv4(part);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = fields(halves[0] ?? '');
  const tail = halves.length === 2 ? fields(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  // A dotted tail may only end the address.
  if (halves.length === 2 && (halves[0] ?? '').includes('.')) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  const bytes = new Uint8Array(16);
  all.forEach((field, i) => {
    bytes[2 * i] = field >>> 8;
    bytes[2 * i + 1] = field & 0xff;
  });
  return bytes;
}

/** RFC 5952 text: lower-case hex, no leading zeros, the longest run (≥ 2, leftmost on ties) of zero fields as `::`. */
export function formatIPv6(bytes: IPv6): string {
  const fields: number[] = [];
  for (let i = 0; i < 8; i++) fields.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (fields[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && fields[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((field) => field.toString(16)).join(':');
  if (bestStart < 0) return hex(fields);
  return `${hex(fields.slice(0, bestStart))}::${hex(fields.slice(bestStart + bestLength))}`;
}

/** Value of bit `index` (0 = most significant bit of byte 0). */
export function bitAt(bytes: IPv6, index: number): number {
  return ((bytes[index >> 3] ?? 0) >> (7 - (index & 7))) & 1;
}

/** A copy of `bytes` with every bit from `length` on cleared. */
export function maskIPv6(bytes: IPv6, length: number): IPv6 {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, length - 8 * i));
    out[i] = (bytes[i] ?? 0) & ((0xff00 >> keep) & 0xff);
  }
  return out;
}

export function equalIPv6(a: IPv6, b: IPv6): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
