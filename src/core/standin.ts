/**
 * The stand-in range as the library sees it (docs/DESIGN.md "Stand-in pool"): TNAT64_STANDIN_POOL when valid, else
 * the file's standin_pool, else 198.19.0.0/16; and what the library does with a destination inside it.
 */

import { Config, DEFAULT_STANDIN_POOL, parseStandinPool } from './config.js';
import { Decision } from './decide.js';
import { formatIPv4, formatNet, Net, netContains } from './ipv4.js';

export interface StandinRange {
  net: Net;
  origin: 'env' | 'file' | 'default';
  /** TNAT64_STANDIN_POOL was set but invalid (the library says so once and ignores it). */
  envProblem?: string;
}

export function standinRange(env: NodeJS.ProcessEnv, config: Config): StandinRange {
  const text = env.TNAT64_STANDIN_POOL;
  const fallback: StandinRange = config.standinPool ? { net: config.standinPool, origin: 'file' } : { net: DEFAULT_STANDIN_POOL, origin: 'default' };
  if (!text) return fallback;
  const parsed = parseStandinPool(text);
  if ('net' in parsed) return { net: parsed.net, origin: 'env' };
  return { ...fallback, envProblem: `TNAT64_STANDIN_POOL=${text} is not a stand-in range (${parsed.code}): ${parsed.message}; the library ignores it` };
}

const ORIGIN: Record<StandinRange['origin'], string> = {
  env: 'from TNAT64_STANDIN_POOL',
  file: 'standin_pool in the configuration',
  default: 'the default',
};

/**
 * The decision for `address` with what the stand-in range adds: inside it, the address may be a stand-in the library
 * handed out (for a name with only AAAA records, or an IPv6 peer), and then it reaches that IPv6 address; the
 * ordinary decision applies only where it is not one. Outside the range the decision is returned unchanged.
 */
export function withStandin(decision: Decision, address: number, range: StandinRange): Decision {
  if (!netContains(range.net, address)) return decision;
  const size = 2 ** (32 - range.net.length);
  const offset = address - range.net.address;
  const where = `${formatIPv4(address)} is in the stand-in range ${formatNet(range.net)} (${ORIGIN[range.origin]})`;
  const problem = range.envProblem ? ` (${range.envProblem})` : '';
  if (offset === 0) {
    return {
      ...decision,
      standin: { range: range.net, origin: range.origin, role: 'full' },
      explanation: `${where}${problem}, and is its first address, never handed out: it is what IPv6 peers are shown as once the range is full, with no way back to them, so a tnat64 program's connect, sendto, sendmsg and sendmmsg to it fail with EHOSTUNREACH whatever the rest of the decision says (${decision.explanation})`,
      runtime: 'at run time the connect fails with EHOSTUNREACH',
    };
  }
  if (offset === size - 1) {
    return {
      ...decision,
      standin: { range: range.net, origin: range.origin, role: 'never' },
      explanation: `${where}${problem}, and is its last address, never handed out as a stand-in, so it is an ordinary IPv4 destination: ${decision.explanation}`,
    };
  }
  return {
    ...decision,
    standin: { range: range.net, origin: range.origin, role: 'standin' },
    explanation: `${where}${problem}: if a tnat64 program handed it out (as the address of a name with only AAAA records, or of an IPv6 peer), it stands for that IPv6 address, and connect, sendto, sendmsg and sendmmsg to it from that program, its forked children and the programs it runs reach that IPv6 address directly (stand-ins are not shared between separate tnat64 invocations); otherwise it is an ordinary IPv4 destination: ${decision.explanation}`,
    runtime: `for a stand-in in use: the connect goes to the IPv6 address it stands for, with no fallback; otherwise ${decision.runtime}`,
  };
}
