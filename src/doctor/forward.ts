/**
 * forward: a real TCP connect through the NAT64 to TARGET (the command line, else TNAT64_PROBE). Without either it is
 * skipped: the doctor never contacts an address nobody gave it.
 */

import { Config } from '../core/config.js';
import { decide } from '../core/decide.js';
import { formatIPv4, parseIPv4 } from '../core/ipv4.js';
import { formatPrefix } from '../core/rfc6052.js';
import { parseTarget } from '../core/target.js';
import { bounded, Check, check } from './check.js';
import { Effective, originWords } from './prefix.js';
import { DoctorWorld } from './world.js';

export const DEFAULT_PORT = 80;

export interface ForwardInput {
  /** TARGET from the command line, else TNAT64_PROBE, with where it came from. */
  target?: { text: string; from: 'argument' | 'TNAT64_PROBE' };
  config: Config;
  effective: Effective;
  ipv4Route: boolean | undefined;
  timeoutMs: number;
}

const CODE_WORDS: Record<string, string> = {
  ETIMEDOUT: 'no answer before the timeout',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  EADDRNOTAVAIL: 'no IPv6 source address',
  ECONNRESET: 'connection reset',
  EACCES: 'refused by a firewall (administratively prohibited)',
  EPERM: 'refused by a local firewall',
};

function words(code: string): string {
  return CODE_WORDS[code] ? `${code}: ${CODE_WORDS[code]}` : code;
}

export async function forwardCheck(world: DoctorWorld, input: ForwardInput): Promise<Check> {
  const base = { target: input.target?.text ?? null, from: input.target?.from ?? null, address: null as string | null, port: null as number | null, synthesized: null as string | null, prefix: null as string | null, result: null as string | null, ms: null as number | null };
  if (!input.target) {
    return check('forward', 'skip', 'no TARGET given, so nothing was contacted', {
      data: base,
      fix: 'to test that the NAT64 forwards: tnat64 doctor IPV4-ADDRESS[:PORT] (a server you expect to reach), or set TNAT64_PROBE',
    });
  }
  const parsed = parseTarget(input.target.text);
  if (typeof parsed === 'string') {
    return check('forward', 'fail', `${input.target.from} is not a HOST[:PORT]`, { data: base, detail: parsed, fix: 'give an IPv4 address or a name, with an optional :PORT' });
  }
  const port = parsed.port ?? DEFAULT_PORT;
  let address = parseIPv4(parsed.host);
  if (address === undefined) {
    const found = await bounded(
      world.base.resolve4(parsed.host).then(
        (list) => list,
        (error: unknown) => (error as { code?: string }).code ?? 'EUNKNOWN',
      ),
      2000,
      () => 'ETIMEOUT',
    );
    const first = typeof found === 'string' ? undefined : found.map(parseIPv4).find((a) => a !== undefined);
    if (first === undefined) {
      return check('forward', 'fail', `cannot resolve ${parsed.host} to an IPv4 address (${typeof found === 'string' ? found : 'no A record'})`, {
        data: base,
        fix: 'give the target as an IPv4 address, or check the nameservers (see the dns64 and nameservers checks)',
      });
    }
    address = first;
  }
  const data = { ...base, address: formatIPv4(address), port };
  const decision = decide(input.config, input.effective.prefix, { address, port });
  const where = `${formatIPv4(address)}:${port}`;
  if (decision.method !== 'nat64' || decision.synthesized === undefined || decision.prefix === undefined) {
    if (decision.reason === 'no-prefix' && !input.ipv4Route) {
      return check('forward', 'fail', `no NAT64 prefix, so ${where} cannot be reached from this IPv6-only host`, { data, fix: 'see the prefix check' });
    }
    return check('forward', 'skip', `${where} is not reached through NAT64 (${decision.reason}), so the NAT64 was not tested`, {
      data,
      detail: decision.explanation,
      fix: 'give a global IPv4 address as TARGET to test the NAT64',
    });
  }
  const prefix = formatPrefix(decision.prefix);
  const through = `${where} through ${prefix} ([${decision.synthesized}]:${port})`;
  const result = await world.connect(decision.synthesized, port, input.timeoutMs);
  const full = { ...data, synthesized: decision.synthesized, prefix, result: result.ok ? 'connected' : result.code, ms: result.ms };
  if (result.ok) return check('forward', 'ok', `the NAT64 forwards: connected to ${through} in ${result.ms} ms`, { data: full });
  if (result.code === 'ECONNREFUSED') {
    return check('forward', 'warn', `the NAT64 forwards, but ${where} refused the connection (nothing listens on port ${port})`, {
      data: full,
      detail: `the refusal came back through ${prefix}, so the path works`,
      fix: `give a port something listens on, e.g. ${formatIPv4(address)}:443`,
    });
  }
  const origin = originWords(input.effective.origin);
  const source = decision.reason === 'path' ? 'a path in the configuration file' : origin ?? 'nowhere';
  return check('forward', 'fail', `the NAT64 does not forward: connecting to ${through} failed (${words(result.code)})`, {
    data: full,
    detail: `the prefix ${prefix} comes from ${source}`,
    fix:
      result.code === 'ETIMEDOUT'
        ? `nothing came back in ${input.timeoutMs} ms: check that ${prefix} is this network's NAT64 prefix (see prefixes-agree) and that ${formatIPv4(address)} is up and reachable from the NAT64`
        : `the network has no working NAT64 for ${prefix}: check the prefix is this network's (see prefixes-agree and dns64), and that the NAT64 gateway is running`,
  });
}
