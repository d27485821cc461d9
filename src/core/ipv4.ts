/**
 * IPv4 addresses as unsigned 32-bit numbers: parsing, formatting, masks, and the RFC 6890 "global" test used by the
 * decision (DESIGN.md step 6).
 */

/** A network: address with its host bits clear, and a prefix length 0..32. */
export interface Net {
  address: number;
  length: number;
}

/**
 * Parse a dotted quad `a.b.c.d` (exactly four decimal parts 0..255, no leading zeros, as inet_pton accepts).
 * Returns the address as an unsigned 32-bit number, or undefined.
 */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** `a.b.c.d` for an unsigned 32-bit address. */
export function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/** The mask with `length` leading one bits, as an unsigned 32-bit number. */
export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** The prefix length of a contiguous mask, or undefined if the mask has a one bit after a zero bit. */
export function maskLength(mask: number): number | undefined {
  for (let length = 0; length <= 32; length++) if (maskOf(length) === mask >>> 0) return length;
  return undefined;
}

/** Whether `address` lies inside `net`. */
export function netContains(net: Net, address: number): boolean {
  const mask = maskOf(net.length);
  return ((address & mask) >>> 0) === net.address;
}

/** `a.b.c.d/len`. */
export function formatNet(net: Net): string {
  return `${formatIPv4(net.address)}/${net.length}`;
}

function net(text: string): Net {
  const [address, length] = text.split('/');
  return { address: parseIPv4(address ?? '') ?? 0, length: Number(length) };
}

/** RFC 6890 special-purpose ranges: an address inside one is "not global" (DESIGN.md step 6). */
export const NON_GLOBAL: readonly Net[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '255.255.255.255/32',
].map(net);

/** Whether an IPv4 address is global, i.e. may be carried by the well-known prefix 64:ff9b::/96 (RFC 6052 §3.1). */
export function isGlobal(address: number): boolean {
  return !NON_GLOBAL.some((range) => netContains(range, address));
}
