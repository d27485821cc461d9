/**
 * RFC 7050 prefix learning: the NAT64 prefixes a DNS64 reveals in its AAAA answers for ipv4only.arpa
 * (DESIGN.md "testdata/rfc7050.tsv" gives the exact rule both halves follow).
 */

import { IPv6, maskIPv6, equalIPv6 } from './ipv6.js';
import { equalPrefix, extract, hasZeroSuffix, Prefix, PrefixLength } from './rfc6052.js';

export const WKA_1 = 0xc00000aa; // 192.0.0.170
export const WKA_2 = 0xc00000ab; // 192.0.0.171
export const DISCOVERY_NAME = 'ipv4only.arpa';

/** Lengths in the order candidates are preferred. */
const ORDER: readonly PrefixLength[] = [96, 64, 56, 48, 40, 32];

function embedsWka(address: IPv6, length: PrefixLength): number | undefined {
  const v4 = extract(length, address);
  return (v4 === WKA_1 || v4 === WKA_2) && hasZeroSuffix(length, address) ? v4 : undefined;
}

/** The prefixes found in `answers` (in answer order, deduplicated); answers that embed neither address are ignored. */
export function prefixesFromAnswers(answers: readonly IPv6[]): Prefix[] {
  const found: Prefix[] = [];
  for (const answer of answers) {
    const candidates = ORDER.filter((length) => embedsWka(answer, length) !== undefined);
    if (candidates.length === 0) continue;
    let chosen = candidates[0] as PrefixLength;
    if (candidates.length > 1) {
      const confirmed = candidates.filter((length) => {
        const own = embedsWka(answer, length);
        const other = own === WKA_1 ? WKA_2 : WKA_1;
        const prefix = maskIPv6(answer, length);
        return answers.some((a) => a !== answer && embedsWka(a, length) === other && equalIPv6(maskIPv6(a, length), prefix));
      });
      if (confirmed.length === 1) chosen = confirmed[0] as PrefixLength;
    }
    const prefix: Prefix = { bytes: maskIPv6(answer, chosen), length: chosen };
    if (!found.some((p) => equalPrefix(p, prefix))) found.push(prefix);
  }
  return found;
}
