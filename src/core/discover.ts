/**
 * RFC 7050 discovery for the tools: ask the system's resolver for the AAAA records of ipv4only.arpa and learn the
 * NAT64 prefixes from the answer. The resolver and the filesystem are parameters, so tests replay recorded answers.
 */

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

/** A warning when every nameserver is IPv4 and the host has no IPv4 default route, or undefined. */
export function nameserverWarning(servers: readonly string[], readText: ReadText): string | undefined {
  const hosts = servers.map((server) => server.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1'));
  if (hosts.length === 0 || !hosts.every((host) => /^\d+\.\d+\.\d+\.\d+$/.test(host) && !host.startsWith('127.'))) return undefined;
  if (hasDefaultRoute('ipv4', readText) !== false) return undefined;
  const v6 = hasDefaultRoute('ipv6', readText) ? ' (it has an IPv6 one)' : '';
  return (
    `every nameserver (${hosts.join(', ')}) is an IPv4 address, and this host has no IPv4 default route${v6}: ` +
    'programs cannot resolve names through them, and tnat64 cannot help: glibc\'s resolver makes its socket calls ' +
    'inside libc, where no preloaded library sees them (programs with their own DNS client, such as dig, do reach them ' +
    'under tnat64). Add an IPv6 nameserver (such as the network\'s DNS64 resolver) to /etc/resolv.conf'
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
