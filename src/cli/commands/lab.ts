/** Placeholder for `tnat64 lab` until the lab engineer's version lands (it overwrites this file). */

import { Command, Io, Problem } from '../command.js';

export const command: Command = {
  name: 'lab',
  summary: 'run a command (or a demonstration) on a simulated IPv6-only network with NAT64',
  usage: `Usage: tnat64 lab [-- CMD [ARGS...]]

Not available in this build yet.
`,
  async run(_args: string[], _io: Io): Promise<number> {
    throw new Problem('lab-missing', 'tnat64 lab is not available in this build yet', 'update tnat64');
  },
};
