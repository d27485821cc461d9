/**
 * The effective default prefix and where it came from: TNAT64_PREFIX if set and valid, else the file's nat64_prefix,
 * else the PREF64 cache's prefix (what a router advertised, RFC 8781; RFC 9872 puts it before DNS64), else the first
 * discovered prefix, else none; TNAT64_DISCOVERY=0 turns off both learned sources, as in the library. Discovery is
 * injected and only run when none of the first three gives a prefix.
 */

import { Config } from './config.js';
import { Discovery } from './discover.js';
import { CacheEntry, CacheRead, libraryPref64 } from './pref64.js';
import { formatPrefix, parsePrefix, Prefix } from './rfc6052.js';

export type PrefixOrigin = 'env' | 'config' | 'pref64' | 'discovery' | 'none';

export interface PrefixSource {
  prefix?: Prefix;
  origin: PrefixOrigin;
  /** One sentence for people. */
  detail: string;
  /** Set when TNAT64_PREFIX is present but invalid (the library ignores it). */
  envProblem?: string;
  /** Set when discovery ran. */
  discovery?: Discovery;
  /** The PREF64 cache entry in use (origin 'pref64'). */
  pref64?: CacheEntry & { file: string };
  /** Set when the PREF64 cache exists but is not used as a whole (invalid); the library ignores it too. */
  pref64Problem?: string;
}

/** The PREF64 cache as the library reads it now: the entry it would use, and the file's state. */
export type ReadPref64 = () => { entry?: CacheEntry; cache: CacheRead };

/** TNAT64_PREFIX, parsed: undefined when unset/empty, else the prefix or the problem. */
export function envPrefix(env: NodeJS.ProcessEnv): { prefix: Prefix } | { problem: string } | undefined {
  const text = env.TNAT64_PREFIX;
  if (text === undefined || text === '') return undefined;
  const parsed = parsePrefix(text); // no trimming: the library takes the value as it is
  return 'prefix' in parsed ? parsed : { problem: `TNAT64_PREFIX="${text}" is ignored: ${parsed.problem.message}` };
}

/** The prefix from env or config alone (no discovery). */
export function staticPrefix(env: NodeJS.ProcessEnv, config: Config): PrefixSource {
  const fromEnv = envPrefix(env);
  const envProblem = fromEnv && 'problem' in fromEnv ? fromEnv.problem : undefined;
  if (fromEnv && 'prefix' in fromEnv) {
    const overrides = config.prefix ? ` (overriding the file's ${formatPrefix(config.prefix)})` : '';
    return { prefix: fromEnv.prefix, origin: 'env', detail: `${formatPrefix(fromEnv.prefix)} from TNAT64_PREFIX${overrides}` };
  }
  if (config.prefix) return { prefix: config.prefix, origin: 'config', detail: `${formatPrefix(config.prefix)} from nat64_prefix in the configuration file`, envProblem };
  return { origin: 'none', detail: 'no prefix from TNAT64_PREFIX or the configuration file', envProblem };
}

/**
 * The full resolution: the PREF64 cache (read as the library reads it; `readPref64` defaults to the file
 * TNAT64_PREF64_FILE or /run/tnat64/pref64 names), then `discover`, only when env and config give nothing and
 * discovery is enabled.
 */
export async function effectivePrefix(
  env: NodeJS.ProcessEnv,
  config: Config,
  discover: () => Promise<Discovery>,
  readPref64: ReadPref64 = () => libraryPref64(env),
): Promise<PrefixSource> {
  const fixed = staticPrefix(env, config);
  if (fixed.prefix) return fixed;
  if (env.TNAT64_DISCOVERY === '0') {
    return { ...fixed, detail: 'no prefix: none set in TNAT64_PREFIX or the configuration file, and discovery (PREF64 cache, DNS64) is disabled (TNAT64_DISCOVERY=0)' };
  }
  const { entry, cache } = readPref64();
  const pref64Problem = cache.status === 'invalid' ? `the PREF64 cache ${cache.file} is ignored: ${cache.problem}` : undefined;
  if (entry) {
    const by = [entry.router ? `router ${entry.router}` : 'a router', entry.interface ? ` on ${entry.interface}` : ''].join('');
    return {
      prefix: entry.prefix,
      origin: 'pref64',
      detail: `${formatPrefix(entry.prefix)} advertised by ${by} (PREF64, RFC 8781), from the cache ${cache.file} until ${new Date(entry.expires * 1000).toISOString()}`,
      pref64: { ...entry, file: cache.file },
      envProblem: fixed.envProblem,
    };
  }
  const discovery = await discover();
  const first = discovery.prefixes[0];
  const extra = { discovery, envProblem: fixed.envProblem, ...(pref64Problem ? { pref64Problem } : {}) };
  if (first) {
    const more = discovery.prefixes.length > 1 ? ` (first of ${discovery.prefixes.map(formatPrefix).join(', ')})` : '';
    return { prefix: first, origin: 'discovery', detail: `${formatPrefix(first)} discovered through DNS64 (RFC 7050)${more}`, ...extra };
  }
  return { origin: 'none', detail: `no prefix: none set in TNAT64_PREFIX or the configuration file, no router-advertised one cached, and discovery found none: ${discovery.message}`, ...extra };
}
