/**
 * nameservers: IPv4 nameservers on a host without IPv4. glibc's resolver sends its queries from inside libc, where
 * no preloaded library sees them, so tnat64 cannot carry them; programs with their own DNS client can, through the
 * NAT64, and that is tested for real when a prefix is known.
 */

import { parseIPv4 } from '../ipv4.js';
import { formatIPv6 } from '../ipv6.js';
import { formatPrefix, Prefix, synthesize } from '../rfc6052.js';
import { DISCOVERY_NAME } from '../rfc7050.js';
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

function isLoopback(address: number): boolean {
  return address >>> 24 === 127;
}

export interface NameserverInput {
  servers: readonly string[];
  ipv4Route: boolean | undefined;
  prefix?: Prefix;
  timeoutMs: number;
}

export async function nameserversCheck(world: DoctorWorld, input: NameserverInput): Promise<Check> {
  const parsed = input.servers.map(parseServer);
  const ipv4 = parsed.filter((s) => s.ipv4 !== undefined && !isLoopback(s.ipv4));
  const data = {
    servers: [...input.servers],
    ipv4Only: ipv4.map((s) => s.text),
    viaNat64: [] as { server: string; address: string; reachable: boolean; error: string | null }[],
  };
  if (input.servers.length === 0) return check('nameservers', 'skip', 'no nameserver in /etc/resolv.conf', { data });
  if (ipv4.length === 0) return check('nameservers', 'ok', 'no IPv4 nameserver in /etc/resolv.conf that needs IPv4 to reach', { data });
  if (input.ipv4Route !== false) {
    return check('nameservers', 'ok', `IPv4 nameserver${ipv4.length === 1 ? '' : 's'} ${ipv4.map((s) => s.text).join(', ')}, reached over this host's IPv4`, { data });
  }
  const lines: string[] = [];
  if (input.prefix) {
    const prefix = input.prefix;
    data.viaNat64 = await Promise.all(
      ipv4.map(async (s) => {
        const address = formatIPv6(synthesize(prefix, s.ipv4 as number));
        const result = await world.query(s.port ? `[${address}]:${s.port}` : address, 'A', DISCOVERY_NAME, input.timeoutMs);
        // Any DNS answer, NXDOMAIN or NODATA included, proves the round trip.
        const reachable = result.ok || ['ENODATA', 'ENOTFOUND', 'ESERVFAIL', 'EREFUSED', 'ENOTIMP', 'EFORMERR'].includes(result.code);
        return { server: s.text, address, reachable, error: result.ok ? null : result.code };
      }),
    );
    for (const v of data.viaNat64) {
      lines.push(v.reachable ? `${v.server} answers through NAT64 at ${v.address}: programs with their own DNS client reach it under tnat64` : `${v.server} does not answer through NAT64 at ${v.address} (${v.error})`);
    }
  } else {
    lines.push(`no NAT64 prefix is known, so they cannot be reached through NAT64 either`);
  }
  lines.push("glibc's resolver (getaddrinfo, gethostbyname) cannot reach them without IPv4: only programs under tnat64, whose lookups it sends to the nameservers' NAT64 addresses, resolve names");
  const all = ipv4.length === input.servers.length;
  const reachable = data.viaNat64.find((v) => v.reachable);
  const stand = reachable ? `; the NAT64 address of ${reachable.server} works as one: "nameserver ${reachable.address}"` : '';
  const fix = `put an IPv6 nameserver (the network's DNS64 resolver) first in /etc/resolv.conf${stand}`;
  const which = ipv4.map((s) => s.text).join(', ');
  if (all && reachable) {
    return check('nameservers', 'warn', `every nameserver (${which}) is IPv4 and this host has no IPv4 route: programs resolve names only under tnat64, through ${formatPrefix(input.prefix as Prefix)}`, {
      data,
      detail: lines.join('\n'),
      fix,
    });
  }
  if (all) {
    const why = input.prefix ? 'and they do not answer through the NAT64 either' : 'and with no NAT64 prefix tnat64 cannot reach them either';
    return check('nameservers', 'fail', `every nameserver (${which}) is IPv4 and this host has no IPv4 route, ${why}: programs cannot resolve names`, {
      data,
      detail: lines.join('\n'),
      fix: input.prefix ? fix : `set the NAT64 prefix (see the prefix check), or ${fix}`,
    });
  }
  return check('nameservers', 'warn', `IPv4 nameserver${ipv4.length === 1 ? '' : 's'} ${which} cannot be reached without IPv4; the resolver moves on to the others`, {
    data,
    detail: lines.join('\n'),
    fix: `remove ${which} from /etc/resolv.conf, or ${fix}`,
  });
}
