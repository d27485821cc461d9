/**
 * The real world the commands run in: files, DNS through the system's resolver (node:dns reads /etc/resolv.conf),
 * the package location. Tests pass their own World instead.
 */

import { Resolver as DnsResolver } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import { ReadBytes } from './config-file.js';
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
  resolve4: Resolve4;
  packageRoot: string;
}

/** Per try, and tries: a dead resolver costs at most about 4 s. */
const DNS_OPTIONS = { timeout: 2000, tries: 2 };

export function systemWorld(): World {
  return {
    readBytes: (path) => readFileSync(path),
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: existsSync,
    resolver: () => new DnsResolver(DNS_OPTIONS),
    resolve4: (name) => new DnsResolver(DNS_OPTIONS).resolve4(name),
    packageRoot: PACKAGE_ROOT,
  };
}
