/** bindv6only: net.ipv6.bindv6only, which sets the default of IPV6_V6ONLY on new AF_INET6 sockets. */

import { World } from '../core/system.js';
import { Check, check } from './check.js';

export const BINDV6ONLY = '/proc/sys/net/ipv6/bindv6only';

export function bindv6onlyCheck(world: World): Check {
  const value = world.readText(BINDV6ONLY)?.trim();
  if (value === undefined || !/^[01]$/.test(value)) {
    return check('bindv6only', 'skip', `cannot read ${BINDV6ONLY} (no IPv6 in this kernel?)`, { data: { value: null } });
  }
  const data = { value: Number(value) };
  if (value === '0') return check('bindv6only', 'ok', 'net.ipv6.bindv6only = 0: new IPv6 sockets also speak IPv4, as tnat64 expects', { data });
  return check('bindv6only', 'warn', 'net.ipv6.bindv6only = 1: tnat64 still works, one extra system call per converted socket', {
    data,
    detail:
      'tnat64 turns IPV6_V6ONLY off on every socket it converts, so its own sockets are unaffected; ' +
      'sockets a program opens as AF_INET6 itself are IPv6-only, and an inherited AF_INET6 socket is left alone',
    fix: 'unless something on this host needs it: sysctl -w net.ipv6.bindv6only=0 (and drop it from /etc/sysctl.d)',
  });
}
