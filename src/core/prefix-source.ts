/**
 * The effective default prefix and where it came from: TNAT64_PREFIX if set and valid, else the file's nat64_prefix,
 * else the first discovered prefix (unless TNAT64_DISCOVERY=0), else none. Discovery is injected and only run when
 * neither of the first two gives a prefix.
 */

import { Config } from './config.js';
import { Discovery } from './discover.js';
import { formatPrefix, parsePrefix, Prefix } from './rfc6052.js';

export type PrefixOrigin = 'env' | 'config' | 'discovery' | 'none';

export interface PrefixSource {
  prefix?: Prefix;
  origin: PrefixOrigin;
  /** One sentence for people. */
  detail: string;
  /** Set when TNAT64_PREFIX is present but invalid (the library ignores it). */
  envProblem?: string;
  /** Set when discovery ran. */
  discovery?: Discovery;
}

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

/** The full resolution, running `discover` only when env and config give nothing and discovery is enabled. */
export async function effectivePrefix(env: NodeJS.ProcessEnv, config: Config, discover: () => Promise<Discovery>): Promise<PrefixSource> {
  const fixed = staticPrefix(env, config);
  if (fixed.prefix) return fixed;
  if (env.TNAT64_DISCOVERY === '0') {
    return { ...fixed, detail: 'no prefix: none set in TNAT64_PREFIX or the configuration file, and discovery is disabled (TNAT64_DISCOVERY=0)' };
  }
  const discovery = await discover();
  const first = discovery.prefixes[0];
  if (first) {
    const more = discovery.prefixes.length > 1 ? ` (first of ${discovery.prefixes.map(formatPrefix).join(', ')})` : '';
    return { prefix: first, origin: 'discovery', detail: `${formatPrefix(first)} discovered through DNS64 (RFC 7050)${more}`, discovery, envProblem: fixed.envProblem };
  }
  return { origin: 'none', detail: `no prefix: none set in TNAT64_PREFIX or the configuration file, and discovery found none: ${discovery.message}`, discovery, envProblem: fixed.envProblem };
}
