/** ipv6-route and ipv4-route: what the route tables say about reaching the NAT64 and reaching IPv4 directly. */

import { hasDefaultRoute } from '../core/routes.js';
import { World } from '../core/system.js';
import { Check, check } from './check.js';

export interface Routes {
  ipv6: boolean | undefined;
  ipv4: boolean | undefined;
}

export function readRoutes(world: World): Routes {
  return { ipv6: hasDefaultRoute('ipv6', world.readText), ipv4: hasDefaultRoute('ipv4', world.readText) };
}

export function ipv6RouteCheck(routes: Routes): Check {
  const data = { present: routes.ipv6 ?? null };
  if (routes.ipv6 === true) return check('ipv6-route', 'ok', 'this host has an IPv6 default route', { data });
  if (routes.ipv6 === undefined) {
    return check('ipv6-route', 'skip', 'cannot read /proc/net/ipv6_route (no IPv6 in this kernel, or /proc is not mounted)', { data });
  }
  if (routes.ipv4 === true) {
    return check('ipv6-route', 'warn', 'no IPv6 default route, but an IPv4 one: programs reach IPv4 directly and tnat64 has nothing to do', {
      data,
      detail: 'tnat64 is for hosts without IPv4; here it passes IPv4 connections through unchanged',
      fix: 'nothing to fix for IPv4 programs; a NAT64 needs IPv6 connectivity, so check the network configuration if you expected IPv6',
    });
  }
  return check('ipv6-route', 'fail', 'no IPv6 default route and no IPv4 one: the NAT64 cannot be reached', {
    data,
    detail: 'without a route towards the network\'s IPv6 gateway, connections to the NAT64 prefix fail with "Network is unreachable"',
    fix: 'bring up the network\'s IPv6 (router advertisements, DHCPv6 or a static default route: ip -6 route add default via GATEWAY)',
  });
}

export function ipv4RouteCheck(routes: Routes): Check {
  const data = { present: routes.ipv4 ?? null };
  if (routes.ipv4 === undefined) return check('ipv4-route', 'skip', 'cannot read /proc/net/route', { data });
  if (routes.ipv4) {
    return check('ipv4-route', 'ok', 'this host has an IPv4 default route: tnat64 uses it when NAT64 fails, and needs no prefix', {
      data,
      detail: 'with IPv4 at hand the library tries NAT64 first when a prefix is known and falls back to IPv4 on "unreachable" errors',
    });
  }
  return check('ipv4-route', 'ok', 'no IPv4 default route: an IPv6-only host, which is what tnat64 is for', { data });
}
