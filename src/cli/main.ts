/**
 * `tnat64 COMMAND …`: dispatch to the sub-commands and turn the three kinds of failure into exit statuses:
 * UsageError → message, exit 2; Problem → message and hint, exit 1; anything else is a bug and propagates with its
 * stack. Running a PROGRAM is bin/tnat64's job (it execs the program; Node cannot).
 */

import { Command, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, Io, Problem, UsageError } from './command.js';
import * as check from './commands/check.js';
import * as discover from './commands/discover.js';
import * as doctor from './commands/doctor.js';
import * as env from './commands/env.js';
import * as explain from './commands/explain.js';
import * as help from './commands/help.js';
import { command as lab } from './commands/lab.js';
import * as version from './commands/version.js';
import { systemWorld, World } from '../core/system.js';

export function processIo(): Io {
  return { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text), env: process.env };
}

export function commandsFor(world: World): Command[] {
  const list: Command[] = [env.create(world), check.create(world), explain.create(world), discover.create(world), doctor.create(world), lab];
  list.push(help.create(() => list), version.create(world));
  return list;
}

/** Whether `-h`/`--help` appears among the options (before any `--`). */
function wantsHelp(command: Command, args: string[]): boolean {
  const end = args.indexOf('--');
  const options = command.name === 'lab' ? args.slice(0, 1) : end < 0 ? args : args.slice(0, end);
  return options.includes('-h') || options.includes('--help');
}

export async function main(argv: string[], io: Io = processIo(), world: World = systemWorld()): Promise<number> {
  const commands = commandsFor(world);
  const [first, ...rest] = argv;
  let command: Command | undefined;
  try {
    if (first === undefined) throw new UsageError('missing COMMAND (the bin/tnat64 launcher runs $SHELL in that case)');
    if (first === '-h' || first === '--help') return await help.create(() => commands).run([], io);
    const name = first === '-V' || first === '--version' ? 'version' : first;
    if (name === '--' || name === 'run') {
      throw new Problem('no-launcher', 'running a program needs the bin/tnat64 launcher, which execs it with LD_PRELOAD set', 'run it as `tnat64 PROGRAM [ARGS...]`');
    }
    command = commands.find((c) => c.name === name);
    if (!command && first.startsWith('-')) throw new UsageError(`unknown option "${first}"`);
    if (!command) {
      throw new UsageError(`unknown command "${first}"; the commands are ${commands.map((c) => c.name).join(', ')} (to run a program, use bin/tnat64)`);
    }
    if (wantsHelp(command, rest)) {
      io.out(command.usage);
      return EXIT_OK;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tnat64${command ? ` ${command.name}` : ''}: ${error.message}\n`);
      io.err(`Try 'tnat64 ${command ? `${command.name} ` : ''}--help'.\n`);
      return EXIT_USAGE;
    }
    if (error instanceof Problem) {
      io.err(`tnat64${command ? ` ${command.name}` : ''}: ${error.message}\n`);
      if (error.hint) io.err(`hint: ${error.hint}\n`);
      return EXIT_PROBLEM;
    }
    throw error;
  }
}
