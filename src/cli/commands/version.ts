/** `tnat64 --version`: the package version from package.json. */

import { join } from 'node:path';
import { Command, Io } from '../command.js';
import { parseOptions } from '../args.js';
import { systemWorld, World } from '../../core/system.js';

const usage = `Usage: tnat64 --version   (or -V, or tnat64 version)

Prints the tnat64 version.
`;

export function packageVersion(world: World): string {
  const text = Buffer.from(world.readBytes(join(world.packageRoot, 'package.json'))).toString('utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error(`package.json in ${world.packageRoot} has no version`);
  return version;
}

export function create(world: World): Command {
  return {
    name: 'version',
    summary: 'print the version',
    usage,
    async run(args: string[], io: Io): Promise<number> {
      parseOptions(args, {}, false);
      io.out(`tnat64 ${packageVersion(world)}\n`);
      return 0;
    },
  };
}

export const command = create(systemWorld());
