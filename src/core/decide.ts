/**
 * The decision for one IPv4 destination (DESIGN.md "The decision"): which method, why, with which prefix and
 * synthesized address. The C library implements the same steps; testdata/decisions.tsv holds the two together.
 */

import { Config, Path, Subnet } from './config.js';
import { formatIPv4, formatNet, isGlobal, Net, netContains } from './ipv4.js';
import { formatIPv6 } from './ipv6.js';
import { formatPrefix, isWellKnownPrefix, Prefix, synthesize } from './rfc6052.js';

export type Method = 'nat64' | 'ipv4';
export type Reason = 'loopback' | 'special' | 'local' | 'path' | 'default' | 'no-prefix' | 'wkp-nonglobal';

export interface Decision {
  method: Method;
  reason: Reason;
  /** The prefix used (nat64 only). */
  prefix?: Prefix;
  /** The synthesized IPv6 address, RFC 5952 (nat64 only). */
  synthesized?: string;
  /** The local net or path subnet that matched, if any. */
  local?: Net;
  path?: Path;
  subnet?: Subnet;
  /** One or two sentences saying why. */
  explanation: string;
  /** What the library does at run time with this decision (fallback, memory). */
  runtime: string;
  /**
   * Set when the address is inside the stand-in range (standin.ts): `standin` when it may be a stand-in the library
   * handed out (then it reaches that IPv6 address, and the rest of the decision applies only otherwise); `full` for the
   * range's first address (what peers are shown as once the range is full); `never` for its last.
   */
  standin?: { range: Net; origin: 'env' | 'file' | 'default'; role: 'standin' | 'full' | 'never' };
}

export interface Destination {
  address: number;
  port: number;
}

const LOOPBACK: Net = { address: 0x7f000000, length: 8 };
const SPECIAL: readonly Net[] = [
  { address: 0, length: 8 },
  { address: 0xe0000000, length: 4 },
  { address: 0xffffffff, length: 32 },
];

const RUNTIME_NAT64 =
  'at run time NAT64 is tried first; if that fails with ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL or EAFNOSUPPORT the same connect is made over IPv4, and that fallback is remembered for this address for 300 s, so later connects go straight to IPv4; a non-blocking connect whose NAT64 attempt fails later (after EINPROGRESS) is retried over IPv4 when the program polls or reads SO_ERROR (a socket the program bound to a specific IPv4 address always connects over IPv4)';
const RUNTIME_NO_PREFIX =
  'at run time IPv4 is tried; if IPv4 is unreachable, discovery is asked again and with a prefix NAT64 is tried (remembered for this address for 300 s); with still no prefix the connect fails with ENETUNREACH and one message saying how to set a prefix';
const RUNTIME_IPV4 = 'at run time the connect goes over plain IPv4 and never through NAT64';

/**
 * Decide how to reach `dest` given the parsed configuration and the effective default prefix (TNAT64_PREFIX, the
 * file's nat64_prefix, or the discovered one; undefined if none).
 */
export function decide(config: Config, defaultPrefix: Prefix | undefined, dest: Destination): Decision {
  const where = `${formatIPv4(dest.address)}:${dest.port}`;
  if (netContains(LOOPBACK, dest.address)) {
    return { method: 'ipv4', reason: 'loopback', explanation: `${where} is a loopback address (127.0.0.0/8)`, runtime: RUNTIME_IPV4 };
  }
  const special = SPECIAL.find((net) => netContains(net, dest.address));
  if (special) {
    return { method: 'ipv4', reason: 'special', explanation: `${where} is in ${formatNet(special)} (this-network, multicast or broadcast), which NAT64 cannot carry`, runtime: RUNTIME_IPV4 };
  }
  const local = config.locals.find((net) => netContains(net, dest.address));
  if (local) {
    return { method: 'ipv4', reason: 'local', local, explanation: `${where} is in the local net ${formatNet(local)} from the configuration`, runtime: RUNTIME_IPV4 };
  }
  let chosen: Pick<Decision, 'reason' | 'path' | 'subnet' | 'explanation'> & { prefix: Prefix } | undefined;
  for (const path of config.paths) {
    const subnet = path.subnets.find((s) => netContains(s, dest.address) && dest.port >= s.portLow && dest.port <= s.portHigh);
    if (subnet) {
      chosen = {
        reason: 'path',
        path,
        subnet,
        prefix: path.prefix,
        explanation: `${where} matches the path subnet ${formatNet(subnet)} ports ${subnet.portLow}-${subnet.portHigh} (path at line ${path.line}), whose prefix is ${formatPrefix(path.prefix)}`,
      };
      break;
    }
  }
  if (!chosen && defaultPrefix) {
    chosen = { reason: 'default', prefix: defaultPrefix, explanation: `${where} matches no local net and no path, so the default prefix ${formatPrefix(defaultPrefix)} is used` };
  }
  if (!chosen) {
    return {
      method: 'ipv4',
      reason: 'no-prefix',
      explanation: `${where} matches no local net and no path, and there is no default prefix (set TNAT64_PREFIX, nat64_prefix in the configuration, or use a network with DNS64)`,
      runtime: RUNTIME_NO_PREFIX,
    };
  }
  if (isWellKnownPrefix(chosen.prefix) && !isGlobal(dest.address)) {
    return {
      method: 'ipv4',
      reason: 'wkp-nonglobal',
      explanation: `${chosen.explanation}; but ${formatIPv4(dest.address)} is not a global address, and the well-known prefix 64:ff9b::/96 must not carry it (RFC 6052 §3.1), so it is reached over IPv4 (configure it as local, or give it a path with a network-specific prefix)`,
      runtime: RUNTIME_IPV4,
    };
  }
  const synthesized = formatIPv6(synthesize(chosen.prefix, dest.address));
  return { method: 'nat64', ...chosen, synthesized, explanation: `${chosen.explanation}: connect to [${synthesized}]:${dest.port}`, runtime: RUNTIME_NAT64 };
}
