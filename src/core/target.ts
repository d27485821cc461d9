/**
 * Destinations given on the command line: `HOST[:PORT]`, HOST an IPv4 literal or a name resolved to its IPv4
 * addresses through an injected resolve4.
 */

import { parseIPv4 } from './ipv4.js';

export interface Target {
  text: string;
  host: string;
  /** undefined when no port was given. */
  port?: number;
}

/** Parse `HOST[:PORT]`; returns an error sentence instead when it is malformed. */
export function parseTarget(text: string): Target | string {
  if (text.startsWith('[') || (text.match(/:/g) ?? []).length > 1) {
    return `"${text}" looks like an IPv6 address; tnat64 only changes IPv4 destinations, expected HOST[:PORT] with an IPv4 address or a name`;
  }
  const colon = text.lastIndexOf(':');
  const host = colon < 0 ? text : text.slice(0, colon);
  if (host === '') return `"${text}" has no host; expected HOST[:PORT]`;
  if (colon < 0) return { text, host };
  const portText = text.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) return `"${portText}" in "${text}" is not a port; expected HOST[:PORT] with PORT 0-65535`;
  return { text, host, port: Number(portText) };
}

export type Resolve4 = (name: string) => Promise<string[]>;

/** The IPv4 addresses of a target (the literal itself, or the name's A records). Throws the resolver's error. */
export async function targetAddresses(target: Target, resolve4: Resolve4): Promise<number[]> {
  const literal = parseIPv4(target.host);
  if (literal !== undefined) return [literal];
  const found = await resolve4(target.host);
  return found.map((address) => parseIPv4(address)).filter((a): a is number => a !== undefined);
}
