/**
 * pref64, prefix and prefixes-agree: the router-advertised prefix (RFC 8781), the one tnat64 uses and where it comes
 * from (TNAT64_PREFIX, then the file, then PREF64, then DNS64: RFC 9872 puts the advertisement before DNS), and
 * whether the sources that give one agree.
 */

import { Config } from '../core/config.js';
import { emptyConfig } from '../core/config-file.js';
import { staticPrefix } from '../core/prefix-source.js';
import { equalPrefix, formatPrefix, isWellKnownPrefix, Prefix } from '../core/rfc6052.js';
import { Check, check } from './check.js';
import { ResolverAnswer, libraryView } from './dns64.js';
import { AdvertisedPrefix } from './world.js';

export interface Pref64Result {
  solicited: boolean;
  found: AdvertisedPrefix[];
  problems: string[];
}

function advertisedText(a: AdvertisedPrefix): string {
  const where = [a.interface ? `on ${a.interface}` : '', a.router ? `from ${a.router}` : ''].filter(Boolean).join(' ');
  return `${formatPrefix(a.prefix)} (${a.source === 'cache' ? 'cached' : a.source === 'ra' ? 'advertised now' : a.source}, lifetime ${a.lifetime} s${where ? `, ${where}` : ''})`;
}

/** The PREF64 the library uses: it reads only the cache (the command or a service keeps it), never the network. */
export function libraryPref64(result: Pref64Result): AdvertisedPrefix | undefined {
  return result.found.find((a) => a.source === 'cache');
}

export function pref64Check(result: Pref64Result): Check {
  const cached = libraryPref64(result);
  const data = {
    prefixes: result.found.map((a) => ({ prefix: formatPrefix(a.prefix), lifetime: a.lifetime, source: a.source, interface: a.interface ?? null, router: a.router ?? null })),
    used: cached ? formatPrefix(cached.prefix) : null,
    solicited: result.solicited,
    problems: result.problems,
  };
  const how = result.solicited ? 'a router solicitation was sent on every interface with IPv6' : 'not root, so no router solicitation: only the cache was read';
  const detail = [...result.found.map(advertisedText), how, ...result.problems].join('\n');
  const distinct = result.found.filter((a, i) => result.found.findIndex((b) => equalPrefix(a.prefix, b.prefix)) === i);
  if (distinct.length > 1) {
    return check('pref64', 'warn', `${distinct.length} different router-advertised prefixes: ${distinct.map((a) => formatPrefix(a.prefix)).join(', ')}`, {
      data,
      detail,
      fix: 'the routers on this link should advertise one PREF64 (a stale cache entry is the other usual cause: refresh it); until then set the prefix with TNAT64_PREFIX or nat64_prefix',
    });
  }
  if (cached) return check('pref64', 'ok', `router-advertised prefix (PREF64) ${advertisedText(cached)}: the library uses it`, { data, detail });
  const live = result.found[0];
  if (live) {
    return check('pref64', 'warn', `a router advertises ${advertisedText(live)}, but the library reads PREF64 only from its cache, which does not have it`, {
      data,
      detail,
      fix: 'as root, `tnat64 discover --save-pref64` writes the cache (run it from the network configuration\'s hooks or a timer, so it stays fresh)',
    });
  }
  if (result.problems.length > 0) return check('pref64', 'skip', 'no router-advertised prefix seen, and the look was incomplete', { data, detail });
  if (!result.solicited) return check('pref64', 'ok', 'no router-advertised prefix (PREF64) in the cache; routers were not asked (that needs root)', { data, detail });
  return check('pref64', 'ok', 'no router advertises a NAT64 prefix (PREF64) here', { data, detail });
}

export type Origin = 'env' | 'config' | 'pref64' | 'dns64' | 'none';

export interface Effective {
  prefix?: Prefix;
  origin: Origin;
  envProblem?: string;
}

const ORIGIN_WORDS: Record<Exclude<Origin, 'none'>, string> = {
  env: 'TNAT64_PREFIX',
  config: 'nat64_prefix in the configuration file',
  pref64: 'a router advertisement (PREF64)',
  dns64: 'DNS64 discovery (RFC 7050)',
};

export function originWords(origin: Origin): string | undefined {
  return origin === 'none' ? undefined : ORIGIN_WORDS[origin];
}

/**
 * The prefix tnat64 uses before DNS64 (the precedence of prefix-source.ts's effectivePrefix, over what the doctor
 * already learned); TNAT64_DISCOVERY=0 turns off the PREF64 cache as well, as in the library.
 */
export function fixedPrefix(env: NodeJS.ProcessEnv, config: Config, pref64: Pref64Result, disabled: boolean): Effective {
  const fixed = staticPrefix(env, config);
  const envProblem = fixed.envProblem;
  if (fixed.prefix) return { prefix: fixed.prefix, origin: fixed.origin === 'env' ? 'env' : 'config', ...(envProblem ? { envProblem } : {}) };
  const advertised = disabled ? undefined : libraryPref64(pref64);
  if (advertised) return { prefix: advertised.prefix, origin: 'pref64', ...(envProblem ? { envProblem } : {}) };
  return { origin: 'none', ...(envProblem ? { envProblem } : {}) };
}

export function effectivePrefix(fixed: Effective, answers: readonly ResolverAnswer[], disabled: boolean): Effective {
  if (fixed.prefix || disabled) return fixed;
  const first = libraryView(answers)?.prefixes[0];
  return first ? { ...fixed, prefix: first, origin: 'dns64' } : fixed;
}

export function prefixCheck(effective: Effective, ipv4Route: boolean | undefined, disabled: boolean): Check {
  const data = { prefix: effective.prefix ? formatPrefix(effective.prefix) : null, origin: effective.origin };
  if (effective.envProblem) {
    return check('prefix', 'fail', `TNAT64_PREFIX is set but invalid, so the library ignores it${effective.prefix ? `; it uses ${formatPrefix(effective.prefix)} from ${originWords(effective.origin)}` : ''}`, {
      data,
      detail: effective.envProblem,
      fix: 'correct TNAT64_PREFIX (e.g. 64:ff9b::/96 or 2001:db8:100::/40), or unset it',
    });
  }
  if (effective.prefix) {
    const wkp = isWellKnownPrefix(effective.prefix)
      ? 'the well-known prefix: destinations that are not global IPv4 addresses (private, documentation, shared ranges) go over IPv4, never through it (RFC 6052 section 3.1)'
      : null;
    return check('prefix', 'ok', `tnat64 uses ${formatPrefix(effective.prefix)}, from ${originWords(effective.origin)}`, { data, detail: wkp });
  }
  const why = disabled ? 'none is set, and discovery (PREF64 cache and DNS64) is disabled (TNAT64_DISCOVERY=0)' : 'none is set, advertised or discovered';
  if (ipv4Route) {
    return check('prefix', 'warn', `no NAT64 prefix (${why}); IPv4 destinations are reached over this host's IPv4`, {
      data,
      fix: 'nothing to do while IPv4 works; on an IPv6-only network set TNAT64_PREFIX or nat64_prefix',
    });
  }
  return check('prefix', 'fail', `no NAT64 prefix (${why}): IPv4 connections under tnat64 fail with "Network is unreachable"`, {
    data,
    fix: `${disabled ? 'unset TNAT64_DISCOVERY, or ' : ''}set the network's prefix: TNAT64_PREFIX=PREFIX, or "nat64_prefix = PREFIX" in /etc/tnat64.conf (64:ff9b::/96 is the well-known one; the network's administrator knows)`,
  });
}

export interface Sources {
  env?: Prefix;
  config?: Prefix;
  pref64: Prefix[];
  dns64: Prefix[];
}

export function sourcesOf(env: NodeJS.ProcessEnv, config: Config, pref64: Pref64Result, answers: readonly ResolverAnswer[]): Sources {
  const fromEnv = staticPrefix(env, emptyConfig());
  return {
    ...(fromEnv.origin === 'env' && fromEnv.prefix ? { env: fromEnv.prefix } : {}),
    ...(config.prefix ? { config: config.prefix } : {}),
    pref64: pref64.found.map((a) => a.prefix),
    dns64: libraryView(answers)?.prefixes ?? [],
  };
}

export function agreeCheck(sources: Sources, effective: Effective): Check {
  const named: [string, Prefix[]][] = [];
  if (sources.env) named.push(['TNAT64_PREFIX', [sources.env]]);
  if (sources.config) named.push(['nat64_prefix', [sources.config]]);
  if (sources.pref64.length > 0) named.push(['PREF64', sources.pref64]);
  if (sources.dns64.length > 0) named.push(['DNS64', sources.dns64]);
  const data = { sources: Object.fromEntries(named.map(([name, list]) => [name, list.map(formatPrefix)])) };
  const detail = named.map(([name, list]) => `${name}: ${list.map(formatPrefix).join(', ')}`).join('\n') || null;
  if (named.length === 0) return check('prefixes-agree', 'skip', 'no source gives a prefix, so nothing to compare', { data });
  if (named.length === 1) return check('prefixes-agree', 'ok', `one source gives a prefix (${named[0]?.[0]}), nothing to disagree with`, { data, detail });
  const used = effective.prefix;
  const agree = used !== undefined && named.every(([, list]) => list.some((p) => equalPrefix(p, used)));
  if (agree) return check('prefixes-agree', 'ok', `${named.map(([name]) => name).join(', ')} all give ${formatPrefix(used)}`, { data, detail });
  const differ = named.filter(([, list]) => !used || !list.some((p) => equalPrefix(p, used))).map(([name]) => name);
  return check('prefixes-agree', 'warn', `the prefixes disagree: ${differ.join(', ')} ${differ.length === 1 ? 'gives' : 'give'} another than the one tnat64 uses${used ? ` (${formatPrefix(used)}, from ${originWords(effective.origin)})` : ''}`, {
    data,
    detail,
    fix: 'a stale TNAT64_PREFIX or nat64_prefix is the usual cause: remove it so the network\'s own prefix is used, or correct it (the forward check shows whether the one in use works)',
  });
}
