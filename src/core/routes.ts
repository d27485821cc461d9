/**
 * Default routes from /proc/net/route and /proc/net/ipv6_route, read through an injected function so tests can feed
 * recorded tables.
 */

/** Returns a file's text, or undefined if it cannot be read. */
export type ReadText = (path: string) => string | undefined;

/**
 * Whether the host has a default route of the family: true, false, or undefined when the table can't be read.
 * /proc/net/route: columns Iface Destination Gateway Flags … Mask, hex; default = destination 0 and mask 0.
 * /proc/net/ipv6_route: destination (32 hex) and its length first; default = ::/0 on an interface other than lo
 * (the kernel lists unreachable ::/0 entries on lo).
 */
export function hasDefaultRoute(family: 'ipv4' | 'ipv6', readText: ReadText): boolean | undefined {
  const text = readText(family === 'ipv4' ? '/proc/net/route' : '/proc/net/ipv6_route');
  if (text === undefined) return undefined;
  const rows = text.split('\n').map((line) => line.trim().split(/\s+/));
  if (family === 'ipv4') {
    return rows.slice(1).some((cols) => cols.length >= 8 && cols[1] === '00000000' && cols[7] === '00000000');
  }
  return rows.some((cols) => cols.length >= 10 && /^0{32}$/.test(cols[0] ?? '') && cols[1] === '00' && cols[9] !== 'lo');
}
