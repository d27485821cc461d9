/**
 * The lab's `pref64` option: a router on the gateway's client link advertising a NAT64 prefix in PREF64 options
 * (RFC 8781), with src/lab/pref64-router.py (Debian 12's radvd 2.19 cannot: `nat64prefix` came with radvd 2.20).
 */
import { join } from 'node:path';
import type { Background, Lab } from './lab.js';

export interface Pref64Advert {
  /** The advertised prefix, `addr/len`, any RFC 6052 length. TAYGA serves it only if it is the lab's prefix or an extra one. */
  prefix: string;
  /** Lifetime in seconds (sent in 8 s units, rounded up, at most 65528). Default 1800. */
  lifetime?: number;
  /** Seconds between unsolicited advertisements. Default 10. */
  intervalS?: number;
}

/** Start the router in the gateway namespace on `ifname` and wait until its first advertisement went out. */
export async function startPref64Router(lab: Lab, repo: string, ifname: string, advert: Pref64Advert, timeoutMs: number): Promise<Background> {
  const router = lab.spawnIn(
    'gateway',
    ['python3', join(repo, 'src', 'lab', 'pref64-router.py'), ifname, advert.prefix, String(advert.lifetime ?? 1800), String(advert.intervalS ?? 10)],
    { timeoutMs: 24 * 3600_000 },
  );
  await lab.waitFor(router, 'ready', timeoutMs);
  return router;
}
