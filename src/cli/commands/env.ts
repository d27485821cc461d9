/** `tnat64 env [--off]`: shell code switching the interposer on or off in the current shell. */

import { Command, Io } from '../command.js';
import { parseOptions } from '../args.js';
import { libraryPath, requireLibrary } from '../../core/paths.js';
import { systemWorld, World } from '../../core/system.js';

const usage = `Usage: eval "$(tnat64 env)"        switch tnat64 on in the current shell
       eval "$(tnat64 env --off)"  switch it off again

Prints POSIX shell code that puts libtnat64.so first in LD_PRELOAD (once: any other copy of
libtnat64.so already there is removed) or, with --off, removes it, unsetting LD_PRELOAD when
nothing else is left. Every program started from that shell afterwards runs under tnat64.

Options:
  --off       print the code that switches tnat64 off
  -h, --help  show this help
`;

/** LD_PRELOAD entries (separated by spaces or colons, as ld.so reads them) without any libtnat64.so. */
export function otherPreloads(value: string | undefined): string[] {
  return (value ?? '').split(/[\s:]+/).filter((entry) => entry !== '' && !/(^|\/)libtnat64\.so$/.test(entry));
}

/** `'text'` for sh, with embedded single quotes written as '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function envCode(env: NodeJS.ProcessEnv, library: string, off: boolean): string {
  const entries = off ? otherPreloads(env.LD_PRELOAD) : [library, ...otherPreloads(env.LD_PRELOAD)];
  if (entries.length === 0) return 'unset LD_PRELOAD\n';
  return `LD_PRELOAD=${shellQuote(entries.join(' '))}; export LD_PRELOAD\n`;
}

export function create(world: World): Command {
  return {
    name: 'env',
    summary: 'print shell code to switch tnat64 on (or --off) in the current shell',
    usage,
    async run(args: string[], io: Io): Promise<number> {
      const { values } = parseOptions(args, { off: { type: 'boolean' } }, false);
      const off = values.off === true;
      const library = off ? libraryPath(world.packageRoot) : requireLibrary(world.exists, world.packageRoot);
      io.out(envCode(io.env, library, off));
      return 0;
    },
  };
}

export const command = create(systemWorld());
