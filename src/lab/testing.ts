/** Helpers shared by the lab's integration tests (test/lab/*.test.ts). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { have } from './exec.js';
import { Lab, PATHS, type LabOptions } from './lab.js';

/** Fail (never skip) when a program the tests need is missing: CI installs them all. */
export async function requireTools(...programs: string[]): Promise<void> {
  const missing: string[] = [];
  for (const p of programs) if (!(await have(p))) missing.push(p);
  assert.deepEqual(missing, [], `missing programs (scripts/setup-debian installs them): ${missing.join(' ')}`);
}

/** Fail when the interposer or the compiled CLI is missing. */
export function requireBuilt(): void {
  for (const f of [PATHS.library, PATHS.tnat64, `${PATHS.repo}/dist/src/cli/bin.js`]) {
    assert.ok(existsSync(f), `${f} is missing: run npm run build`);
  }
}

/** Where the lab tests' programs live: test/lab/programs/ of the checkout (the same from src/ and from dist/). */
export const PROGRAMS = join(PATHS.repo, 'test', 'lab', 'programs');

/**
 * argv for python3 running test/lab/programs/NAME with args; throws when the file is missing. -B: importing the
 * folder's shared module (labhttp.py) leaves no __pycache__ in the checkout (which may be read-only, in a container).
 */
export function pyFile(name: string, ...args: string[]): string[] {
  const file = join(PROGRAMS, name);
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  return ['python3', '-B', file, ...args];
}

/** argv for a node program given as ES module source. */
export function nodeProgram(code: string, ...args: string[]): string[] {
  return ['node', '--input-type=module', '-e', code, ...args];
}

/** The last line of stdout as JSON, with the whole output in the failure message. */
export function lastJson<T = Record<string, unknown>>(r: { stdout: string; stderr: string; code: number | null }): T {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    assert.fail(`expected JSON on stdout, got exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/** The result in one line for assertion messages. */
export function show(r: { code: number | null; signal?: string | null; stdout: string; stderr: string }): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`;
}

/** What `tnat64 explain DEST --json` says, run in the lab's client with env: the first destination's decision. */
export async function explain(
  lab: Lab,
  dest: string,
  env: NodeJS.ProcessEnv,
): Promise<{ method: string; reason: string; prefix: string | null; synthesized: string | null }> {
  const r = await lab.run([PATHS.tnat64, 'explain', dest, '--json'], { env });
  assert.equal(r.code, 0, `tnat64 explain ${dest}: ${show(r)}`);
  const d = (JSON.parse(r.stdout) as { destinations: Array<Record<string, string | null>> }).destinations[0];
  assert.ok(d, `tnat64 explain ${dest}: no destination in ${r.stdout}`);
  return { method: String(d.method), reason: String(d.reason), prefix: d.prefix ?? null, synthesized: d.synthesized ?? null };
}

/** tnat64 with the lab's prefix in TNAT64_PREFIX and no configuration file. */
export function labEnv(lab: Lab): NodeJS.ProcessEnv {
  return { TNAT64_PREFIX: lab.addresses.prefix, TNAT64_CONF_FILE: join(lab.dir, 'absent.conf') };
}

export interface SharedLab {
  lab: Lab;
  /** labEnv(lab). */
  env: NodeJS.ProcessEnv;
}

/**
 * The way a lab test gets a lab that several tests share: inside a describe() (or at the top of a file), one lab
 * built before its tests and destroyed after them; `ready` receives it (one hook: node 20 runs a file's top-level
 * before() hooks at the same time, so the lab and what depends on it are set together). A lab that only one test
 * uses is that test's own: `withLab(options, fn)` (lab.ts), with labEnv(lab).
 */
export function useLab(options: LabOptions, ready: (shared: SharedLab) => void): void {
  let lab: Lab | undefined;
  before(async () => {
    lab = await Lab.create(options);
    ready({ lab, env: labEnv(lab) });
  });
  after(async () => lab?.destroy());
}

/**
 * Runs server (argv of test/lab/programs/udp-echo-peer-server.py, with or without an engine in front) in the client
 * host and pings it from the gateway over IPv6 (udp6-ping-twice.py): the four answers the gateway got, and the
 * stand-in address the server showed for it (from the first answer).
 */
export async function udpEchoFromGateway(lab: Lab, server: string[], env: NodeJS.ProcessEnv): Promise<{ got: string[]; standin: string }> {
  const bg = lab.spawn(server, { env });
  try {
    await lab.waitFor(bg, /ready \d+/);
    const port = Number(/ready (\d+)/.exec(bg.stdout())![1]);
    const r = await lab.runIn('gateway', pyFile('udp6-ping-twice.py', lab.addresses.client.ipv6!, String(port)));
    assert.equal(r.code, 0, show(r));
    const got = lastJson<string[]>(r);
    return { got, standin: String(/^to (\S+) ping0$/.exec(got[0] ?? '')?.[1]) };
  } finally {
    await bg.stop();
  }
}
