/**
 * The real world the commands run in: files, DNS through the system's resolver (node:dns reads /etc/resolv.conf),
 * the package location. Tests pass their own World instead.
 */

import { lookup, Resolver as DnsResolver } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import { ReadBytes, readConfigBytes } from './config-file.js';
import { Resolver } from './discover.js';
import { PACKAGE_ROOT } from './paths.js';
import { ReadText } from './routes.js';
import { Resolve4 } from './target.js';

export interface World {
  readBytes: ReadBytes;
  readText: ReadText;
  exists(path: string): boolean;
  /** A resolver using the system's nameservers. */
  resolver(): Resolver;
  /** The system's nameservers (from /etc/resolv.conf), without asking them anything. */
  nameservers(): string[];
  resolve4: Resolve4;
  packageRoot: string;
}

/** Per try, and tries: a dead resolver costs at most about 4 s. */
const DNS_OPTIONS = { timeout: 2000, tries: 2 };

/**
 * A name's IPv4 addresses: its A records (dns.resolve4, the system's nameservers); for a name DNS does not know, what
 * getaddrinfo says (/etc/hosts and the rest of nsswitch, as the program itself would resolve it, e.g. localhost).
 */
async function resolve4(name: string): Promise<string[]> {
  try {
    return await new DnsResolver(DNS_OPTIONS).resolve4(name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ENOTFOUND' && code !== 'ENODATA') throw error;
    try {
      return (await lookup(name, { family: 4, all: true })).map((entry) => entry.address);
    } catch {
      throw error;
    }
  }
}

export function systemWorld(): World {
  return {
    readBytes: readConfigBytes,
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: existsSync,
    resolver: () => new DnsResolver(DNS_OPTIONS),
    nameservers: () => new DnsResolver().getServers(),
    resolve4: (name) => resolve4(name),
    packageRoot: PACKAGE_ROOT,
  };
}
