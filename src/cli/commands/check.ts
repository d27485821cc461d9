/** `tnat64 check [-f FILE] [-t HOST[:PORT]]…`: validate and print the configuration; decide for some targets. */

import { Command, Io, UsageError } from '../command.js';
import { parseOptions } from '../args.js';
import { decide } from '../../core/decide.js';
import { formatNet } from '../../core/ipv4.js';
import { nameserverWarning } from '../../core/discover.js';
import { libraryPref64 } from '../../core/pref64.js';
import { StandinRange } from '../../core/standin.js';
import { configLines, decisionLines } from '../report.js';
import { systemWorld, World } from '../../core/system.js';
import { parseTarget, Target } from '../../core/target.js';
import { loadToolConfig, resolveTarget, toolDecider } from '../tool-context.js';

const usage = `Usage: tnat64 check [-f FILE] [-t HOST[:PORT]]...

Validates the configuration file and prints it as the library reads it: which file (-f FILE,
else $TNAT64_CONF_FILE, else /etc/tnat64.conf), whether TNAT64_PREFIX overrides its nat64_prefix,
every local net and path, and every error with FILE:LINE, the offending text and what was expected.

With -t, also shows for each target which path, prefix, synthesized address and method it gets
(HOST is an IPv4 address or a name, resolved to its IPv4 addresses; PORT defaults to 0, which
matches only paths without a port range). Discovery (RFC 7050) runs only if a target needs the
default prefix and neither TNAT64_PREFIX nor the file sets one.

Options:
  -f, --file FILE          check FILE instead of $TNAT64_CONF_FILE or /etc/tnat64.conf
  -t, --target HOST[:PORT] show the decision for this destination (repeatable)
  -h, --help               show this help

Exit status: 0 valid (or no file), 1 the file is invalid or unreadable or a name does not
resolve, 2 usage error.
`;

const STANDIN_ORIGIN = { env: 'from TNAT64_STANDIN_POOL', file: 'standin_pool in the file', default: 'the default' } as const;

/** The stand-in range the library uses and how many stand-ins it holds; a warning when TNAT64_STANDIN_POOL is ignored. */
function standinLines(range: StandinRange): string[] {
  const warning = range.envProblem ? [`warning: ${range.envProblem}`] : [];
  return [...warning, `stand-in range: ${formatNet(range.net)} (${STANDIN_ORIGIN[range.origin]}), ${2 ** (32 - range.net.length) - 2} stand-ins per process tree`];
}

export function create(world: World): Command {
  return {
    name: 'check',
    summary: 'validate and print the configuration; show decisions for targets (-t)',
    usage,
    async run(args: string[], io: Io): Promise<number> {
      const { values } = parseOptions(args, { file: { type: 'string', short: 'f' }, target: { type: 'string', short: 't', multiple: true } }, false);
      const targets: Target[] = (values.target ?? []).map((text) => {
        const target = parseTarget(text);
        if (typeof target === 'string') throw new UsageError(target);
        return target;
      });
      const loaded = loadToolConfig(world, io.env, values.file);
      const lines = configLines(loaded);
      const decider = toolDecider(world, io.env, loaded);
      const fixed = await decider.prefixSource();
      if (fixed.source.envProblem) lines.push(`warning: ${fixed.source.envProblem}`);
      if (fixed.source.origin !== 'none') lines.push(`default prefix: ${fixed.source.detail}`);
      else if (io.env.TNAT64_DISCOVERY === '0') lines.push(`default prefix: ${fixed.source.detail}, and discovery is disabled (TNAT64_DISCOVERY=0)`);
      else lines.push(`default prefix: ${fixed.source.detail}; the library discovers one when a destination needs it: a router-advertised one from the PREF64 cache, else through DNS64`);
      lines.push(...standinLines(decider.standin));
      let unresolved = 0;
      for (const target of targets) {
        const port = target.port ?? 0;
        const addresses = await resolveTarget(world, target);
        if (typeof addresses === 'string') {
          unresolved++;
          lines.push('', `target ${target.text}: ${addresses}`);
          continue;
        }
        lines.push('', `target ${target.text}${addresses.length === 0 ? `: ${target.host} has no IPv4 address` : ''}`);
        for (const address of addresses) lines.push(...decisionLines(address, port, await decider.decide(address, port)));
      }
      const after = await decider.prefixSource();
      if (after.source.discovery || after.source.pref64) lines.push('', `${after.source.pref64 ? 'PREF64' : 'discovery'}: ${after.source.detail}`);
      if (after.source.pref64Problem) lines.push(`warning: ${after.source.pref64Problem}`);
      // Reading resolv.conf and the route tables sends nothing, so this warning is given whether or not discovery ran.
      // The nameservers' NAT64 addresses: the library's decision for port 53 with the prefix it knows without a new
      // discovery (TNAT64_PREFIX, the file, the PREF64 cache, or what discovery found for a target above).
      const nsPrefix =
        after.source.prefix ?? (io.env.TNAT64_DISCOVERY === '0' ? undefined : libraryPref64(io.env).entry?.prefix);
      const viaNat64 = (address: number): string | undefined => {
        const d = decide(loaded.config, nsPrefix, { address, port: 53 });
        return d.method === 'nat64' ? d.synthesized : undefined;
      };
      const nameservers = nameserverWarning(world.nameservers(), world.readText, viaNat64);
      if (nameservers !== undefined) lines.push(`warning: ${nameservers}`);
      io.out(lines.map((line) => `${line}\n`).join(''));
      return loaded.status === 'invalid' || unresolved > 0 ? 1 : 0;
    },
  };
}

export const command = create(systemWorld());
