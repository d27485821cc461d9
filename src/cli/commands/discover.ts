/** `tnat64 discover [--json]`: the RFC 7050 result through the system's resolver. */

import { Command, Io } from '../command.js';
import { parseOptions } from '../../core/args.js';
import { discover } from '../../core/discover.js';
import { discoveryJson } from '../../core/report.js';
import { formatPrefix } from '../../core/rfc6052.js';
import { systemWorld, World } from '../../core/system.js';

const usage = `Usage: tnat64 discover [--json]

Asks the system's resolver (the nameservers in /etc/resolv.conf) for the AAAA records of
ipv4only.arpa and shows the NAT64 prefixes a DNS64 reveals in them (RFC 7050): each prefix with
its length, the TTL of the answer, and the resolver(s) asked; or why there is none and what to do.
This is the prefix the library uses when neither TNAT64_PREFIX nor the configuration file sets one.

Options:
  --json      print one JSON object (shape in docs/CONFIG.md)
  -h, --help  show this help

Exit status: 0 a prefix was found, 1 none was found, 2 usage error.
`;

export function create(world: World): Command {
  return {
    name: 'discover',
    summary: 'discover the NAT64 prefix through DNS64 (RFC 7050)',
    usage,
    async run(args: string[], io: Io): Promise<number> {
      const { values } = parseOptions(args, { json: { type: 'boolean' } }, false);
      const result = await discover(world.resolver(), world.readText);
      const status = result.status === 'found' ? 0 : 1;
      if (values.json) {
        io.out(`${JSON.stringify(discoveryJson(result), null, 2)}\n`);
        return status;
      }
      const lines = [`resolver${result.resolvers.length === 1 ? '' : 's'} asked: ${result.resolvers.join(', ') || '(none configured)'}`];
      if (result.status === 'found') {
        for (const prefix of result.prefixes) lines.push(`prefix: ${formatPrefix(prefix)} (length ${prefix.length})`);
        lines.push(`ttl: ${result.ttl ?? '?'} s`, `answers: ${result.answers.join(', ')}`);
      } else {
        lines.push(`no prefix: ${result.message}`);
        if (result.hint) lines.push(`hint: ${result.hint}`);
      }
      for (const warning of result.warnings) lines.push(`warning: ${warning}`);
      io.out(lines.map((line) => `${line}\n`).join(''));
      return status;
    },
  };
}

export const command = create(systemWorld());
