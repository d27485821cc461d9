/**
 * Running external commands with a deadline. Everything the lab starts goes through here, so nothing can hang:
 * a command past its timeout gets SIGTERM, then SIGKILL a second later.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Default 30 s; 0 or Infinity means none (only for a user's own command, e.g. an interactive shell). */
  timeoutMs?: number;
  /** `inherit` hands the terminal to the command (interactive `tnat64 lab -- bash`); output is then not captured. */
  stdio?: 'pipe' | 'inherit';
  cwd?: string;
}

export interface RunResult {
  /** Exit status, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The deadline passed and the command was killed. */
  timedOut: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Run argv to completion (or its deadline) and collect what it printed. Never rejects for a non-zero exit. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stdio: StdioOptions = opts.stdio === 'inherit' ? 'inherit' : ['pipe', 'pipe', 'pipe'];
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, stdio, cwd: opts.cwd });
    } catch (e) {
      resolve({ code: 127, signal: null, stdout: '', stderr: String(e), durationMs: 0, timedOut: false });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the command may exit without reading its input
      child.stdin.end(opts.input ?? '');
    }
    const bounded = timeoutMs > 0 && Number.isFinite(timeoutMs);
    const killer = bounded
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 1000).unref();
        }, timeoutMs)
      : undefined;
    let spawnError = '';
    child.on('error', (e) => (spawnError = `${argv[0]}: ${e.message}\n`));
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({
        code: spawnError && code === null && signal === null ? 127 : code,
        signal,
        stdout,
        stderr: stderr + spawnError,
        durationMs: performance.now() - started,
        timedOut,
      });
    });
  });
}

/** Like run(), but a failure (non-zero exit, signal, timeout) throws with the command and what it printed. */
export async function must(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(argv, { timeoutMs: 10_000, ...opts });
  if (r.code !== 0) {
    const why = r.timedOut ? `timed out after ${opts.timeoutMs ?? 10_000} ms` : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
    throw new Error(`${argv.join(' ')}: ${why}\n${r.stderr.trim()}${r.stdout.trim() ? '\n' + r.stdout.trim() : ''}`);
  }
  return r;
}

/** Is a program on PATH? */
export async function have(program: string): Promise<boolean> {
  const r = await run(['sh', '-c', `command -v "$1"`, 'sh', program], { timeoutMs: 5000 });
  return r.code === 0;
}
