/**
 * RFC 7050 discovery for the tools: ask the system's resolver for the AAAA records of ipv4only.arpa and learn the
 * NAT64 prefixes from the answer. The resolver and the filesystem are parameters, so tests replay recorded answers.
 */

import { endianness } from 'node:os';

import { parseIPv4 } from './ipv4.js';
import { IPv6, parseIPv6 } from './ipv6.js';
import { formatPrefix, Prefix } from './rfc6052.js';
import { DISCOVERY_NAME, prefixesFromAnswers } from './rfc7050.js';
import { hasDefaultRoute, ReadText } from './routes.js';

/** The part of node:dns `Resolver` discovery uses. */
export interface Resolver {
  getServers(): string[];
  resolve6(name: string, options: { ttl: true }): Promise<{ address: string; ttl: number }[]>;
}

export type DiscoveryStatus =
  /** At least one prefix found. */
  | 'found'
  /** The resolver answered: ipv4only.arpa has no AAAA record (NODATA/NXDOMAIN), so there is no DNS64. */
  | 'no-dns64'
  /** AAAA records came back but none embeds 192.0.0.170/171 at an RFC 6052 position. */
  | 'no-prefix-in-answers'
  /** The resolver did not answer (timeout, refused, unreachable, server failure). */
  | 'no-answer';

export interface Discovery {
  status: DiscoveryStatus;
  prefixes: Prefix[];
  /** Smallest TTL of the answers (seconds), if any. */
  ttl?: number;
  /** The resolver(s) asked, as node:dns reports them. */
  resolvers: string[];
  /** The raw AAAA answers. */
  answers: string[];
  /** The DNS error code when there was one (ENODATA, ETIMEOUT, ...). */
  errorCode?: string;
  /** One sentence: what happened. */
  message: string;
  /** What to do when nothing was found. */
  hint?: string;
  warnings: string[];
}

const NO_DNS64 = new Set(['ENODATA', 'ENOTFOUND', 'NODATA', 'NOTFOUND']);

const SET_PREFIX_HINT =
  'set the prefix yourself: TNAT64_PREFIX=64:ff9b::/96 (or your network\'s prefix) in the environment, or "nat64_prefix = ..." in the configuration file';

function dnsCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** c-ares codes in words; ECONNREFUSED is also what it says when the nameserver is unreachable (ICMP errors). */
const NO_ANSWER_WORDS: Record<string, string> = {
  ETIMEOUT: 'no answer before the timeout',
  ECONNREFUSED: 'the query was refused, or the nameserver is unreachable from this host',
  EREFUSED: 'the nameserver refused the query',
  ESERVFAIL: 'the nameserver failed to answer (SERVFAIL)',
};

function noAnswerWords(code: string): string {
  const words = NO_ANSWER_WORDS[code];
  return words === undefined ? code : `${code}: ${words}`;
}

/**
 * Whether /proc/net/route has a usable route (up, not reject) covering `address` (an IPv4 address as a number):
 * true, false, or undefined when the table can't be read. The table prints each address as the kernel holds it
 * (network byte order) in the host's own byte order, hence `littleEndian`.
 */
export function hasIPv4RouteTo(address: number, readText: ReadText, littleEndian = endianness() === 'LE'): boolean | undefined {
  const text = readText('/proc/net/route');
  if (text === undefined) return undefined;
  const wire = (hex: string): number => {
    const n = parseInt(hex, 16) >>> 0;
    return littleEndian ? (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0 : n;
  };
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .some((cols) => {
      if (cols.length < 8 || !/^[0-9A-Fa-f]{8}$/.test(cols[1] ?? '') || !/^[0-9A-Fa-f]{8}$/.test(cols[7] ?? '')) return false;
      const flags = parseInt(cols[3] ?? '0', 16);
      const mask = wire(cols[7] as string);
      return (flags & 0x1) !== 0 && (flags & 0x200) === 0 && ((address & mask) >>> 0) === wire(cols[1] as string);
    });
}

/**
 * A warning when glibc's resolver cannot reach any nameserver: every one is IPv4, none is on this host (127/8, 0/8)
 * and no route of /proc/net/route covers any of them (the library's t64_resolve_needed asks the kernel instead,
 * which also sees policy routing and local addresses). Else undefined. `viaNat64` gives the NAT64 address the
 * library would use for a nameserver (the decision for port 53 with the prefix it knows), or undefined; without it
 * (discovery's own report) the prefix is unknown.
 */
export function nameserverWarning(
  servers: readonly string[],
  readText: ReadText,
  viaNat64?: (address: number) => string | undefined,
): string | undefined {
  const hosts = servers.map((server) => server.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1'));
  const addresses = hosts.map(parseIPv4);
  if (hosts.length === 0 || !addresses.every((a) => a !== undefined && a >>> 24 !== 127 && a >>> 24 !== 0)) return undefined;
  if (!addresses.every((a) => hasIPv4RouteTo(a as number, readText) === false)) return undefined;
  const v6 = hasDefaultRoute('ipv6', readText) ? ' (it has an IPv6 default route)' : '';
  const start =
    `every nameserver (${hosts.join(', ')}) is an IPv4 address, and this host has no IPv4 route to them${v6}: ` +
    'glibc\'s resolver cannot reach them (it makes its socket calls inside libc, where no preloaded library sees them), ' +
    'so programs run without tnat64 cannot resolve names. ';
  const fix = 'Add an IPv6 nameserver (such as the network\'s DNS64 resolver) to /etc/resolv.conf';
  const still =
    'reverse (PTR) lookups of IPv4 addresses and other record types still fail (glibc alone asks for those). ';
  if (viaNat64 === undefined) {
    return (
      start +
      'Under tnat64, when glibc\'s lookup fails, the library asks them itself for A and AAAA records through the NAT64, ' +
      'if it knows a prefix (TNAT64_PREFIX, nat64_prefix, the PREF64 cache): DNS64 discovery cannot find one through them. ' +
      `Even then ${still}${fix}`
    );
  }
  const via = hosts.flatMap((host, i) => {
    const address = viaNat64(addresses[i] as number);
    return address === undefined ? [] : [`${host} at ${address}`];
  });
  if (via.length === 0) {
    return (
      start +
      'tnat64 cannot reach them either: the library knows no NAT64 prefix it would use for them (none is set, and ' +
      'DNS64 discovery itself needs a reachable nameserver; the well-known 64:ff9b::/96 does not carry non-global ' +
      'addresses; a `local` net stays IPv4). Set TNAT64_PREFIX or nat64_prefix (then the library asks them through ' +
      'the NAT64), or: ' +
      fix
    );
  }
  return (
    start +
    `Under tnat64, when glibc's lookup fails, the library asks them itself through the NAT64 (${via.join(', ')}): ` +
    `A and AAAA lookups (getaddrinfo, gethostbyname) work; ${still}${fix}`
  );
}

/** Run discovery once through `resolver`. */
export async function discover(resolver: Resolver, readText: ReadText): Promise<Discovery> {
  const resolvers = resolver.getServers();
  const warning = nameserverWarning(resolvers, readText);
  const warnings = warning ? [warning] : [];
  const asked = resolvers.length > 0 ? resolvers.join(', ') : '(none configured)';
  let records: { address: string; ttl: number }[];
  try {
    records = await resolver.resolve6(DISCOVERY_NAME, { ttl: true });
  } catch (error) {
    const errorCode = dnsCode(error);
    if (NO_DNS64.has(errorCode)) {
      return {
        status: 'no-dns64',
        prefixes: [],
        resolvers,
        answers: [],
        errorCode,
        message: `${asked} answered that ${DISCOVERY_NAME} has no AAAA record (${errorCode}): the network has no DNS64, so no NAT64 prefix can be discovered`,
        hint: `if the network has a NAT64 anyway, ${SET_PREFIX_HINT}`,
        warnings,
      };
    }
    return {
      status: 'no-answer',
      prefixes: [],
      resolvers,
      answers: [],
      errorCode,
      message: `the resolver did not answer the AAAA query for ${DISCOVERY_NAME} (${noAnswerWords(errorCode)}; asked ${asked})`,
      hint: `check the nameservers in /etc/resolv.conf are reachable from this host, or ${SET_PREFIX_HINT}`,
      warnings,
    };
  }
  const answers = records.map((record) => record.address);
  const parsed = answers.map(parseIPv6).filter((a): a is IPv6 => a !== undefined);
  const prefixes = prefixesFromAnswers(parsed);
  const ttl = records.length > 0 ? Math.min(...records.map((record) => record.ttl)) : undefined;
  if (prefixes.length === 0) {
    return {
      status: 'no-prefix-in-answers',
      prefixes,
      ttl,
      resolvers,
      answers,
      message: `${asked} returned AAAA records for ${DISCOVERY_NAME} (${answers.join(', ') || 'none'}) but none embeds 192.0.0.170 or 192.0.0.171 at an RFC 6052 position`,
      hint: `this is not a DNS64 answer; ${SET_PREFIX_HINT}`,
      warnings,
    };
  }
  return {
    status: 'found',
    prefixes,
    ttl,
    resolvers,
    answers,
    message: `${asked} synthesized ${answers.join(', ')} for ${DISCOVERY_NAME}: prefix ${prefixes.map(formatPrefix).join(', ')}`,
    warnings,
  };
}
