/** `tnat64 help [COMMAND]` and `tnat64 --help`: the overview, or one command's usage. */

import { Command, Io, UsageError } from '../command.js';

export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: tnat64 [PROGRAM [ARGS...]]
       tnat64 -- PROGRAM [ARGS...]     (or: tnat64 run PROGRAM [ARGS...])
       tnat64 COMMAND [OPTIONS]

Runs PROGRAM (default: $SHELL) with the tnat64 interposer (libtnat64.so) preloaded, so an
unmodified IPv4-only program reaches IPv4 destinations through NAT64 on an IPv6-only host.
PROGRAM replaces tnat64: same process, its own exit status. Use -- or run for a program whose
name is also a command name.

Commands:
${list}

Options:
  -h, --help     show this help; tnat64 COMMAND --help shows a command's help
  -V, --version  print the version

Environment: TNAT64_PREFIX, TNAT64_CONF_FILE, TNAT64_DEBUG, TNAT64_DEBUG_FILE, TNAT64_DISCOVERY
(see docs/CONFIG.md). Configuration file: $TNAT64_CONF_FILE, else /etc/tnat64.conf.

Exit status of the commands: 0 fine, 1 a problem was found, 2 usage error.
`;
}

const usage = `Usage: tnat64 help [COMMAND]

Shows the overview, or COMMAND's help (the same as tnat64 COMMAND --help).
`;

export function create(commands: () => readonly Command[]): Command {
  return {
    name: 'help',
    summary: "show this help, or a command's help",
    usage,
    async run(args: string[], io: Io): Promise<number> {
      if (args.length > 1) throw new UsageError(`expected at most one COMMAND, got ${args.length}`);
      const name = args[0];
      if (name === undefined) {
        io.out(overview(commands()));
        return 0;
      }
      const command = commands().find((c) => c.name === name);
      if (!command) throw new UsageError(`unknown command "${name}"; the commands are ${commands().map((c) => c.name).join(', ')}`);
      io.out(command.usage);
      return 0;
    },
  };
}
