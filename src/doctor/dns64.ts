/**
 * dns64: RFC 7050 asked of each resolv.conf nameserver separately (the library asks them in order and takes the first
 * that answers, so a resolver that disagrees with the others changes the prefix depending on which one is up).
 */

import { IPv6, parseIPv6 } from '../core/ipv6.js';
import { equalPrefix, formatPrefix, Prefix } from '../core/rfc6052.js';
import { DISCOVERY_NAME, prefixesFromAnswers } from '../core/rfc7050.js';
import { Check, check } from './check.js';
import { DoctorWorld } from './world.js';

/** As the library (and glibc): only the first three nameservers of resolv.conf are used. */
export const MAX_NAMESERVERS = 3;

export type ResolverState = 'found' | 'no-dns64' | 'no-prefix-in-answers' | 'no-answer';

export interface ResolverAnswer {
  server: string;
  state: ResolverState;
  prefixes: Prefix[];
  answers: string[];
  ttl?: number;
  error?: string;
}

const NO_DNS64 = new Set(['ENODATA', 'ENOTFOUND']);

/** c-ares codes in words; it says ECONNREFUSED for an unreachable server too (an ICMP error). */
const NO_ANSWER: Record<string, string> = {
  ETIMEOUT: 'nothing came back in time',
  ECONNREFUSED: 'refused, or unreachable from this host',
  EREFUSED: 'the server refused the query',
  ESERVFAIL: 'the server failed (SERVFAIL)',
};

export async function askResolvers(world: DoctorWorld, servers: readonly string[], timeoutMs: number): Promise<ResolverAnswer[]> {
  return Promise.all(
    servers.slice(0, MAX_NAMESERVERS).map(async (server): Promise<ResolverAnswer> => {
      const result = await world.query(server, 'AAAA', DISCOVERY_NAME, timeoutMs);
      if (!result.ok) {
        return { server, state: NO_DNS64.has(result.code) ? 'no-dns64' : 'no-answer', prefixes: [], answers: [], error: result.code };
      }
      const answers = result.records.map((r) => r.address);
      const prefixes = prefixesFromAnswers(answers.map(parseIPv6).filter((a): a is IPv6 => a !== undefined));
      const ttl = result.records.length > 0 ? Math.min(...result.records.map((r) => r.ttl)) : undefined;
      const state: ResolverState = prefixes.length > 0 ? 'found' : answers.length > 0 ? 'no-prefix-in-answers' : 'no-dns64';
      return { server, state, prefixes, answers, ...(ttl === undefined ? {} : { ttl }) };
    }),
  );
}

/** What the library would discover: the first resolver that gave an answer of any kind. */
export function libraryView(answers: readonly ResolverAnswer[]): ResolverAnswer | undefined {
  return answers.find((a) => a.state !== 'no-answer');
}

function sameSet(a: readonly Prefix[], b: readonly Prefix[]): boolean {
  return a.length === b.length && a.every((p) => b.some((q) => equalPrefix(p, q)));
}

function line(a: ResolverAnswer): string {
  const prefixes = a.prefixes.map(formatPrefix).join(', ');
  switch (a.state) {
    case 'found':
      return `${a.server}: ${prefixes} (answers ${a.answers.join(', ')}; TTL ${a.ttl ?? '?'} s)`;
    case 'no-dns64':
      return `${a.server}: no DNS64 (${DISCOVERY_NAME} has no AAAA record${a.error ? `: ${a.error}` : ''})`;
    case 'no-prefix-in-answers':
      return `${a.server}: AAAA ${a.answers.join(', ')}, none with 192.0.0.170/171 at an RFC 6052 position: not a DNS64 answer`;
    case 'no-answer':
      return `${a.server}: no answer (${a.error ?? 'ETIMEOUT'}${a.error && NO_ANSWER[a.error] ? `: ${NO_ANSWER[a.error]}` : ''})`;
  }
}

export function answerJson(a: ResolverAnswer) {
  return { server: a.server, state: a.state, prefixes: a.prefixes.map(formatPrefix), answers: a.answers, ttl: a.ttl ?? null, error: a.error ?? null };
}

/**
 * `elsewhere` names the source that gives a prefix without DNS64 (TNAT64_PREFIX, the file, PREF64), if any;
 * `disabled` is TNAT64_DISCOVERY=0.
 */
export function dns64Check(servers: readonly string[], answers: readonly ResolverAnswer[], elsewhere: string | undefined, disabled: boolean, ipv4Route: boolean | undefined): Check {
  const used = libraryView(answers);
  const data = {
    resolvers: answers.map(answerJson),
    ignored: servers.slice(MAX_NAMESERVERS),
    prefixes: used ? used.prefixes.map(formatPrefix) : [],
    ttl: used?.ttl ?? null,
    discovery: disabled ? 'disabled' : 'enabled',
  };
  const ignored = servers.length > MAX_NAMESERVERS ? [`not asked (only the first ${MAX_NAMESERVERS} count): ${servers.slice(MAX_NAMESERVERS).join(', ')}`] : [];
  const detail = [...answers.map(line), ...ignored, ...(disabled ? ['discovery is disabled in the library (TNAT64_DISCOVERY=0)'] : [])].join('\n') || null;
  const setPrefix = 'set the prefix yourself: TNAT64_PREFIX=PREFIX in the environment, or "nat64_prefix = PREFIX" in /etc/tnat64.conf (ask the network\'s administrator which; 64:ff9b::/96 is the well-known one)';
  if (servers.length === 0) {
    if (!elsewhere && ipv4Route) return check('dns64', 'ok', 'no nameserver in /etc/resolv.conf, and no DNS64 needed while this host has IPv4', { data, detail });
    if (elsewhere) return check('dns64', 'ok', `no nameserver in /etc/resolv.conf; none needed: the prefix comes from ${elsewhere}`, { data, detail });
    return check('dns64', 'fail', 'no nameserver in /etc/resolv.conf, so no DNS64 to discover the prefix from', { data, detail, fix: `add the network's DNS64 resolver to /etc/resolv.conf, or ${setPrefix}` });
  }
  const found = answers.filter((a) => a.state === 'found');
  if (found.length === 0) {
    if (!elsewhere && ipv4Route) return check('dns64', 'ok', 'no DNS64 prefix, and none needed while this host has IPv4', { data, detail });
    if (elsewhere) return check('dns64', 'ok', `no DNS64 prefix from ${answers.length === 1 ? 'the nameserver' : 'any nameserver'}; none needed: the prefix comes from ${elsewhere}`, { data, detail });
    const silent = answers.every((a) => a.state === 'no-answer');
    return check('dns64', 'fail', silent ? 'no nameserver answered the DNS64 query' : 'no DNS64: no nameserver synthesizes AAAA records, so no prefix can be discovered', {
      data,
      detail,
      fix: silent ? `check that the nameservers in /etc/resolv.conf are reachable over IPv6, or ${setPrefix}` : `if the network has a NAT64 anyway, ${setPrefix}`,
    });
  }
  const first = found[0] as ResolverAnswer;
  const disagree = answers.some((a) => a.state !== 'no-answer' && !sameSet(a.prefixes, first.prefixes));
  const silent = answers.filter((a) => a.state === 'no-answer');
  const what = `${first.prefixes.map(formatPrefix).join(', ')} (TTL ${first.ttl ?? '?'} s)`;
  if (disagree) {
    return check('dns64', 'warn', `the nameservers disagree about the NAT64 prefix; the library takes the first that answers: ${used?.server}`, {
      data,
      detail,
      fix: 'make every nameserver in /etc/resolv.conf the same DNS64, or set the prefix with TNAT64_PREFIX or nat64_prefix so it does not depend on which one answers',
    });
  }
  if (silent.length > 0) {
    return check('dns64', 'warn', `prefix ${what}, but ${silent.map((a) => a.server).join(', ')} did not answer: every discovery waits for ${silent.length === 1 ? 'it' : 'them'} first`, {
      data,
      detail,
      fix: 'remove the dead nameserver from /etc/resolv.conf, or set the prefix with TNAT64_PREFIX or nat64_prefix',
    });
  }
  const who = found.length === 1 ? first.server : `all ${found.length} nameservers`;
  return check('dns64', 'ok', `DNS64 prefix ${what} from ${who}${disabled ? ', but discovery is disabled (TNAT64_DISCOVERY=0)' : ''}`, { data, detail });
}
