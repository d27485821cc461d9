/**
 * The shape every sub-command shares. Each command lives in commands/<name>.ts with its usage text next to its code,
 * and main.ts only dispatches. Commands return an exit status instead of calling process.exit, so tests can run them
 * in-process.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  /** One line for `tnat64 --help`. */
  summary: string;
  /** Full `tnat64 NAME --help` text. */
  usage: string;
  run(args: string[], io: Io): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;

export { Problem, UsageError } from '../core/errors.js';
