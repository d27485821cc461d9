/**
 * Decisions as the library makes them at run time: the default prefix from TNAT64_PREFIX or the configuration, and
 * discovery run only when a destination actually needs the default prefix and neither gives one (once, memoized).
 */

import { Config } from './config.js';
import { decide, Decision } from './decide.js';
import { Discovery } from './discover.js';
import { effectivePrefix, PrefixSource, staticPrefix } from './prefix-source.js';
import { StandinRange, standinRange, withStandin } from './standin.js';

export class Decider {
  private full?: Promise<PrefixSource>;
  private readonly fixed: PrefixSource;
  /** The stand-in range the library would use (TNAT64_STANDIN_POOL, standin_pool, or 198.19.0.0/16). */
  readonly standin: StandinRange;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly config: Config,
    private readonly discover: () => Promise<Discovery>,
  ) {
    this.fixed = staticPrefix(env, config);
    this.standin = standinRange(env, config);
  }

  /** Where the default prefix comes from; `lookedUp` is false when no decision needed it and it is still unknown. */
  async prefixSource(): Promise<{ source: PrefixSource; lookedUp: boolean }> {
    if (this.full) return { source: await this.full, lookedUp: true };
    return { source: this.fixed, lookedUp: this.fixed.prefix !== undefined };
  }

  /** The decision for address:port, with what the stand-in range adds when the address is inside it. */
  async decide(address: number, port: number): Promise<Decision> {
    return withStandin(await this.ordinary(address, port), address, this.standin);
  }

  private async ordinary(address: number, port: number): Promise<Decision> {
    const first = decide(this.config, this.fixed.prefix, { address, port });
    if (first.reason !== 'no-prefix') return first;
    this.full ??= effectivePrefix(this.env, this.config, this.discover);
    const source = await this.full;
    return source.prefix ? decide(this.config, source.prefix, { address, port }) : first;
  }
}
