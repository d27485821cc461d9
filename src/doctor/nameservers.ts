/**
 * nameservers: IPv4 nameservers this host has no route to (no IPv4). glibc's resolver sends its queries from inside
 * libc, where no preloaded library sees them; under tnat64 the library then asks them itself at their NAT64 address
 * (A and AAAA), and that exchange is tried for real here. The rule for "unreachable" is discover.ts's (the one
 * `tnat64 check` and the library follow): IPv4, not on this host (127/8, 0/8), no route covering it.
 */

import { Config } from '../core/config.js';
import { decide } from '../core/decide.js';
import { hasIPv4RouteTo } from '../core/discover.js';
import { parseIPv4 } from '../core/ipv4.js';
import { formatPrefix, Prefix } from '../core/rfc6052.js';
import { DISCOVERY_NAME } from '../core/rfc7050.js';
import { ReadText } from '../core/routes.js';
import { Check, check } from './check.js';
import { DoctorWorld } from './world.js';

interface Server {
  text: string;
  ipv4?: number;
  port?: number;
}

/** A resolv.conf entry as node:dns prints it: `a.b.c.d`, `a.b.c.d:port`, `v6`, `[v6]:port`. */
export function parseServer(text: string): Server {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(text);
  const ipv4 = m ? parseIPv4(m[1] as string) : undefined;
  if (ipv4 === undefined) return { text };
  return { text, ipv4, ...(m?.[2] ? { port: Number(m[2]) } : {}) };
}

export interface NameserverInput {
  servers: readonly string[];
  readText: ReadText;
  config: Config;
  prefix?: Prefix;
  timeoutMs: number;
}

/** Any DNS answer, NXDOMAIN and refusals included, proves the round trip through the NAT64. */
const ANSWERED = new Set(['ENODATA', 'ENOTFOUND', 'ESERVFAIL', 'EREFUSED', 'ENOTIMP', 'EFORMERR']);

export async function nameserversCheck(world: DoctorWorld, input: NameserverInput): Promise<Check> {
  const parsed = input.servers.map(parseServer);
  const stranded = parsed.filter((s) => s.ipv4 !== undefined && s.ipv4 >>> 24 !== 127 && s.ipv4 >>> 24 !== 0 && hasIPv4RouteTo(s.ipv4, input.readText) === false);
  const data = {
    servers: [...input.servers],
    unreachable: stranded.map((s) => s.text),
    viaNat64: [] as { server: string; address: string | null; reachable: boolean; error: string | null }[],
  };
  if (input.servers.length === 0) return check('nameservers', 'skip', 'no nameserver in /etc/resolv.conf', { data });
  if (stranded.length === 0) return check('nameservers', 'ok', 'every nameserver in /etc/resolv.conf is reachable without tnat64 (IPv6, on this host, or routed IPv4)', { data });
  data.viaNat64 = await Promise.all(
    stranded.map(async (s) => {
      const port = s.port ?? 53;
      const decision = decide(input.config, input.prefix, { address: s.ipv4 as number, port });
      if (decision.method !== 'nat64' || decision.synthesized === undefined) return { server: s.text, address: null, reachable: false, error: decision.reason };
      const address = decision.synthesized;
      const result = await world.query(s.port ? `[${address}]:${s.port}` : address, 'A', DISCOVERY_NAME, input.timeoutMs);
      const reachable = result.ok || ANSWERED.has(result.code);
      return { server: s.text, address, reachable, error: result.ok ? null : result.code };
    }),
  );
  const lines = data.viaNat64.map((v) =>
    v.address === null
      ? `${v.server}: tnat64 has no NAT64 address for it (${v.error === 'no-prefix' ? 'no prefix known' : `the decision for port 53 is ${v.error}`})`
      : v.reachable
        ? `${v.server}: answers through the NAT64 at ${v.address}, so lookups under tnat64 reach it`
        : `${v.server}: no answer through the NAT64 at ${v.address} (${v.error})`,
  );
  lines.push("glibc's resolver cannot reach these without IPv4; under tnat64 the library asks them itself through the NAT64 for A and AAAA records (reverse lookups and other types still fail)");
  const which = stranded.map((s) => s.text).join(', ');
  const reachable = data.viaNat64.find((v) => v.reachable);
  const stand = reachable ? `; the NAT64 address of ${reachable.server} works as one: "nameserver ${reachable.address}"` : '';
  const fix = `put an IPv6 nameserver (the network's DNS64 resolver) first in /etc/resolv.conf${stand}`;
  if (stranded.length < input.servers.length) {
    return check('nameservers', 'warn', `IPv4 nameserver${stranded.length === 1 ? '' : 's'} ${which} cannot be reached without IPv4; the resolver moves on to the others`, {
      data,
      detail: lines.join('\n'),
      fix: `remove ${which} from /etc/resolv.conf, or ${fix}`,
    });
  }
  if (reachable) {
    return check('nameservers', 'warn', `every nameserver (${which}) is IPv4 with no route to it: names resolve only under tnat64, through ${formatPrefix(input.prefix as Prefix)}`, {
      data,
      detail: lines.join('\n'),
      fix,
    });
  }
  const why = input.prefix ? 'and none answers through the NAT64 either' : 'and with no NAT64 prefix tnat64 cannot reach them either';
  return check('nameservers', 'fail', `every nameserver (${which}) is IPv4 with no route to it, ${why}: programs cannot resolve names`, {
    data,
    detail: lines.join('\n'),
    fix: input.prefix ? fix : `set the NAT64 prefix (see the prefix check), or ${fix}`,
  });
}
