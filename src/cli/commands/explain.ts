/** `tnat64 explain HOST[:PORT] [--json] [-f FILE]`: one destination's decision and why. */

import { Command, Io, Problem, UsageError } from '../command.js';
import { parseOptions } from '../args.js';
import { formatError } from '../../core/config.js';
import { formatIPv4 } from '../../core/ipv4.js';
import { configJson, decisionJson, decisionLines, prefixSourceJson } from '../report.js';
import { systemWorld, World } from '../../core/system.js';
import { parseTarget } from '../../core/target.js';
import { loadToolConfig, resolveTarget, toolDecider } from '../tool-context.js';

const usage = `Usage: tnat64 explain HOST[:PORT] [--json] [-f FILE]

Explains what the library does with a connection to HOST (an IPv4 address, or a name resolved to
its IPv4 addresses) on PORT (default 0, which matches only paths without a port range): plain IPv4
or NAT64, the rule that decided it (loopback, special, local, path, default, no-prefix,
wkp-nonglobal), the prefix and synthesized IPv6 address, where the default prefix came from
(TNAT64_PREFIX, the configuration file, a router's PREF64 in the cache, DNS64 discovery, or none),
and what happens at run time (fallback, and how long the method that worked is remembered).
Discovery runs only when the decision needs the default prefix and neither TNAT64_PREFIX, the file
nor the PREF64 cache gives one.

Options:
  -f, --file FILE  use FILE instead of $TNAT64_CONF_FILE or /etc/tnat64.conf
  --json           print one JSON object (shape in docs/CONFIG.md)
  -h, --help       show this help

Exit status: 0 explained, 1 the configuration file is invalid (the explanation then shows what
the library does: it ignores the file) or HOST does not resolve, 2 usage error.
`;

export function create(world: World): Command {
  return {
    name: 'explain',
    summary: "explain one destination's decision: IPv4 or NAT64, which prefix, and why",
    usage,
    async run(args: string[], io: Io): Promise<number> {
      const { values, positionals } = parseOptions(args, { file: { type: 'string', short: 'f' }, json: { type: 'boolean' } }, true);
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing HOST[:PORT]' : `expected one HOST[:PORT], got ${positionals.length}`);
      const target = parseTarget(positionals[0] ?? '');
      if (typeof target === 'string') throw new UsageError(target);
      const loaded = loadToolConfig(world, io.env, values.file);
      const addresses = await resolveTarget(world, target);
      if (typeof addresses === 'string') throw new Problem('resolve-failed', addresses);
      if (addresses.length === 0) throw new Problem('no-ipv4', `${target.host} has no IPv4 address`, 'tnat64 only changes connections to IPv4 addresses');
      const port = target.port ?? 0;
      const decider = toolDecider(world, io.env, loaded);
      const decisions = [];
      for (const address of addresses) decisions.push({ address, decision: await decider.decide(address, port) });
      const { source, lookedUp } = await decider.prefixSource();
      const status = loaded.status === 'invalid' ? 1 : 0;
      if (values.json) {
        const json = {
          target: target.text,
          host: target.host,
          port,
          config: configJson(loaded),
          defaultPrefix: prefixSourceJson(source, lookedUp),
          destinations: decisions.map(({ address, decision }) => decisionJson(address, port, decision)),
        };
        io.out(`${JSON.stringify(json, null, 2)}\n`);
        return status;
      }
      const lines = [`destination: ${target.text}${target.host === formatIPv4(addresses[0] ?? 0) && addresses.length === 1 ? '' : ` = ${addresses.map(formatIPv4).join(', ')}`}`];
      if (loaded.status === 'absent') lines.push(`configuration: none (${loaded.file} does not exist)`);
      else if (loaded.status === 'ok') lines.push(`configuration: ${loaded.file}`);
      else lines.push(`configuration: ${loaded.file} is INVALID and ignored by the library:`, ...loaded.errors.map((e) => `  ${formatError(e)}`));
      if (source.envProblem) lines.push(`warning: ${source.envProblem}`);
      lines.push(`default prefix: ${lookedUp || source.prefix ? source.detail : 'not needed for this destination (not looked up)'}`);
      for (const warning of source.discovery?.warnings ?? []) lines.push(`warning: ${warning}`);
      if (source.pref64Problem) lines.push(`warning: ${source.pref64Problem}`);
      for (const { address, decision } of decisions) lines.push(...decisionLines(address, port, decision));
      io.out(lines.map((line) => `${line}\n`).join(''));
      return status;
    },
  };
}

export const command = create(systemWorld());
