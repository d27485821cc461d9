/**
 * `npm run bench`: what tnat64 costs, as ratios against the native call measured in the same run. The two sides of
 * every ratio are interleaved round by round (the machine is noisy), and the median ratio is reported with its spread.
 * Not part of `npm test`: benchmarks report, tests assert behaviour.
 *
 * Parts: per-call and bulk ratios in a namespace with the prefix routed to lo; user-space instructions per call
 * (callgrind); resident memory and launch time; then, in the lab (src/lab), tnat64 against a 464XLAT CLAT (a TAYGA on
 * the client host) for a bulk transfer and a connect loop, and the first connect with the prefix discovered or known;
 * the seccomp engine: static programs supervised against the same programs built for IPv6, and one notification.
 *
 * Knobs (environment): BENCH_ROUNDS, BENCH_CONNECTS, BENCH_DATAGRAMS, BENCH_NAME_CALLS, BENCH_BULK_BYTES,
 * BENCH_BULK_ROUNDS, BENCH_LAB_BYTES, BENCH_LAB_ROUNDS, BENCH_LAB_CONNECTS, BENCH_DISCOVERY_ROUNDS;
 * BENCH_SKIP=lab,callgrind,bulk,seccomp (comma-separated parts to leave out); BENCH_SAVE=1 also writes bench/results/latest.json
 * and latest.md (the committed copy the README's table comes from).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/lab/lab.js';
import { summarize, type Summary } from './stats.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lib = join(root, 'build', 'libtnat64.so');
const launcher = join(root, 'bin', 'tnat64');
const connectBin = join(root, 'build', 'bench-connect');
const udpBin = join(root, 'build', 'bench-udp');
const ns = `tn64-bench-${process.pid}`;

/** The prefix is routed to lo inside the namespace, so synthesized addresses reach the local listener: no gateway. */
const PREFIX = '64:ff9b:1::/96';
const DEST4 = '203.0.113.2';
const DEST6 = '64:ff9b:1::cb00:7102';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CONNECTS = Number(process.env.BENCH_CONNECTS ?? 4000);
const DATAGRAMS = Number(process.env.BENCH_DATAGRAMS ?? 100000);
const NAME_CALLS = Number(process.env.BENCH_NAME_CALLS ?? 100000);
const namesBin = join(root, 'build', 'bench-names');
const bulkBin = join(root, 'build', 'bench-bulk');
const memBin = join(root, 'build', 'bench-mem');
const GiB = 1 << 30;
const BULK_BYTES = Number(process.env.BENCH_BULK_BYTES ?? GiB);
const BULK_ROUNDS = Number(process.env.BENCH_BULK_ROUNDS ?? 15);
const LAB_BYTES = Number(process.env.BENCH_LAB_BYTES ?? GiB);
const LAB_ROUNDS = Number(process.env.BENCH_LAB_ROUNDS ?? 5);
const LAB_CONNECTS = Number(process.env.BENCH_LAB_CONNECTS ?? 1000);
const DISCOVERY_ROUNDS = Number(process.env.BENCH_DISCOVERY_ROUNDS ?? 21);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
/** The lab server's TCP sink (bench/bulk.c sink), for the bulk transfer against the CLAT. */
const SINK_PORT = 5001;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
}

function inNs(args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
}

const preload = { LD_PRELOAD: lib, TNAT64_PREFIX: PREFIX, TNAT64_CONF_FILE: '/nonexistent' };

function connectNs(family: 4 | 6, addr: string, port: number, env: NodeJS.ProcessEnv = {}): number {
  return Number(inNs([connectBin, String(family), addr, String(port), String(CONNECTS)], env).trim());
}

/** [getpeername, getsockname] nanoseconds per call on one connected socket. */
function namesNs(family: 4 | 6, addr: string, port: number, env: NodeJS.ProcessEnv = {}): [number, number] {
  const [peer, sock] = inNs([namesBin, String(family), addr, String(port), String(NAME_CALLS)], env).trim().split(' ');
  return [Number(peer), Number(sock)];
}

function udpNs(args: string[], env: NodeJS.ProcessEnv = {}): number {
  return Number(inNs([udpBin, ...args], env).trim());
}

interface Pair {
  name: string;
  /** A ratio's upper bound (NaN: none), or the text of another kind of target. */
  target: number | string;
  ours: Summary;
  native: Summary;
  ratio: Summary;
  unit: string;
}

function pairRounds(
  name: string,
  target: number | string,
  unit: string,
  ours: () => number,
  native: () => number,
  rounds = ROUNDS,
): Pair {
  const a: number[] = [];
  const b: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which side goes first so drift favours neither.
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = ours();
      y = native();
    } else {
      y = native();
      x = ours();
    }
    a.push(x);
    b.push(y);
    r.push(x / y);
  }
  return { name, target, unit, ours: summarize(a), native: summarize(b), ratio: summarize(r) };
}

function timeMs(argv: string[]): number {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  const t1 = process.hrtime.bigint();
  if (res.status !== 0) throw new Error(`${argv.join(' ')} exited ${res.status}`);
  return Number(t1 - t0) / 1e6;
}

/** Launch: `tnat64 true` and `LD_PRELOAD=libtnat64.so true` (the library alone), each minus `true`, interleaved. */
function launchAdded(): { added: Summary; preloadOnly: Summary; bare: Summary } {
  const added: number[] = [];
  const preloadOnly: number[] = [];
  const bare: number[] = [];
  const timeEnv = (argv: string[], env: NodeJS.ProcessEnv): number => {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', env });
    const t1 = process.hrtime.bigint();
    if (res.status !== 0) throw new Error(`${argv.join(' ')} exited ${res.status}`);
    return Number(t1 - t0) / 1e6;
  };
  for (let i = 0; i < 41; i++) {
    const t = timeMs([launcher, 'true']);
    const p = timeEnv(['true'], { PATH: process.env.PATH, LD_PRELOAD: lib });
    const b = timeMs(['true']);
    added.push(t - b);
    preloadOnly.push(p - b);
    bare.push(b);
  }
  return { added: summarize(added), preloadOnly: summarize(preloadOnly), bare: summarize(bare) };
}

/**
 * The seccomp engine: static builds of the same benchmark programs, the IPv4 one under the supervisor against the
 * IPv6 one run natively, in the same namespace; the cost of one notification round trip apart from tnat64
 * (bench/notify.c); launch of a static program.
 */
const supervisor = join(root, 'build', 'tnat64-seccomp');
const staticBin = (name: string) => join(root, 'build', `bench-${name}-static`);
const notifyBin = join(root, 'build', 'bench-notify');
const supervised = { TNAT64_PREFIX: PREFIX, TNAT64_CONF_FILE: '/nonexistent' };

/** Where a supervised operation's time goes (lib/seccomp/profile.h), µs per operation, medians of 5 runs. */
interface Breakdown {
  name: string;
  /** notified calls per operation */
  perOp: number;
  parts: Record<'wait' | 'memory' | 'fd' | 'call' | 'answer' | 'total', number>;
  native: number;
}

/**
 * breakdown runs a supervised benchmark with TNAT64_SECCOMP_PROFILE: the supervisor's wall time in each part of
 * answering, per operation (its notified calls divided by perOp; the setup's few calls are in the count too).
 */
function breakdown(name: string, perOp: number, run: (env: NodeJS.ProcessEnv) => void, native: number): Breakdown {
  const dir = mkdtempSync(join(tmpdir(), 'tnat64-bench-profile-'));
  const file = join(dir, 'profile.json');
  const runs: Array<Record<string, number>> = [];
  try {
    for (let i = 0; i < 5; i++) {
      run({ ...supervised, TNAT64_SECCOMP_PROFILE: file });
      const p = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
      const ops = p.calls! / perOp;
      const us = (k: string) => p[k]! / ops / 1000;
      runs.push({
        wait: us('wait'),
        memory: us('memory'),
        fd: us('fd'),
        answer: us('answer'),
        call: us('handle') - us('memory') - us('fd') - us('answer'),
        total: us('wait') + us('handle'),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (k: string) => summarize(runs.map((r) => r[k]!)).median;
  const parts = { wait: median('wait'), memory: median('memory'), fd: median('fd'), call: median('call'), answer: median('answer'), total: median('total') };
  return { name, perOp, parts, native };
}

function seccompPart(port: () => number): { pairs: Pair[]; roundTrip: Record<string, Summary>; launch: Record<string, Summary>; breakdowns: Breakdown[] } {
  const pairs: Pair[] = [];
  const n = String(DATAGRAMS);
  const sup = (bin: string, args: string[]) => inNs([supervisor, '--', staticBin(bin), ...args], supervised).trim();
  pairs.push(
    pairRounds('seccomp engine: socket + connect + close via NAT64 (static IPv4 program supervised / static IPv6 program)', 2.0, 'ns/connect',
      () => Number(sup('connect', ['4', DEST4, String(port()), String(CONNECTS)])),
      () => Number(inNs([staticBin('connect'), '6', DEST6, String(port()), String(CONNECTS)]).trim())),
  );
  pairs.push(
    pairRounds('seccomp engine: unconnected UDP sendto via NAT64 (supervised / native IPv6)', 3.0, 'ns/sendto',
      () => Number(sup('udp', ['send', '4', DEST4, String(port()), n])),
      () => Number(inNs([staticBin('udp'), 'send', '6', DEST6, String(port()), n]).trim())),
  );
  // A receive that shows the sender is answered by the supervisor, with the datagram copied through it; recvmsg is
  // always notified (the filter cannot see its msg_name), so the program's own sockets' pay one round trip too.
  const nr = String(Math.max(2048, Math.floor(DATAGRAMS / 4)));
  pairs.push(
    pairRounds('seccomp engine: recvfrom with the sender, from NAT64, on a converted UDP socket (supervised / native IPv6)', NaN, 'ns/recvfrom',
      () => Number(sup('udp', ['recv', '4', DEST6, nr])),
      () => Number(inNs([staticBin('udp'), 'recv', '6', DEST6, nr]).trim())),
    pairRounds('seccomp engine: recvmsg with the sender, from NAT64, on a converted UDP socket (supervised / native IPv6)', NaN, 'ns/recvmsg',
      () => Number(sup('udp', ['recvmsg', '4', DEST6, nr])),
      () => Number(inNs([staticBin('udp'), 'recvmsg', '6', DEST6, nr]).trim())),
    pairRounds('seccomp engine: recvmsg on the program\'s own IPv6 socket, passed on to the kernel (supervised / not)', NaN, 'ns/recvmsg',
      () => Number(sup('udp', ['recvmsg', '6', DEST6, nr])),
      () => Number(inNs([staticBin('udp'), 'recvmsg', '6', DEST6, nr]).trim())),
  );
  if (!SKIP.has('bulk')) {
    pairs.push(
      pairRounds(`seccomp engine: bulk ${BULK_BYTES >> 20} MiB over TCP via NAT64 (supervised / native IPv6)`, '1.00 ± 0.02', 's',
        () => Number(sup('bulk', ['loop', '4', DEST4, String(port()), String(BULK_BYTES)]).split(' ')[0]),
        () => Number(inNs([staticBin('bulk'), 'loop', '6', DEST6, String(port()), String(BULK_BYTES)]).trim().split(' ')[0]),
        BULK_ROUNDS),
    );
  }
  const inSup = (bin: string, args: string[], env: NodeJS.ProcessEnv) => inNs([supervisor, '--', staticBin(bin), ...args], env);
  const breakdowns = [
    breakdown('socket + connect + close via NAT64', 2,
      (env) => inSup('connect', ['4', DEST4, String(port()), String(CONNECTS)], env), pairs[0]!.native.median / 1000),
    breakdown('unconnected UDP sendto via NAT64', 1,
      (env) => inSup('udp', ['send', '4', DEST4, String(port()), n], env), pairs[1]!.native.median / 1000),
  ];
  const calls = String(Math.max(2000, Math.floor(DATAGRAMS / 5)));
  const roundTrip: Record<string, Summary> = {};
  for (const mode of ['native', 'sync', 'process', 'plain']) {
    const xs: number[] = [];
    for (let i = 0; i < 5; i++) xs.push(Number(sh(notifyBin, [calls, mode]).trim()));
    roundTrip[mode] = summarize(xs);
  }
  const busybox = '/bin/busybox';
  const launch: Record<string, Summary> = {};
  const sv: number[] = [];
  const viaLauncher: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 41; i++) {
    const b = timeMs([busybox, 'true']);
    sv.push(timeMs([supervisor, '--', busybox, 'true']) - b);
    viaLauncher.push(timeMs([launcher, busybox, 'true']) - b);
    bare.push(b);
  }
  launch.supervisor = summarize(sv);
  launch.launcher = summarize(viaLauncher);
  launch.bare = summarize(bare);
  return { pairs, roundTrip, launch, breakdowns };
}

/** Resident memory (VmRSS, kB) of bench/mem.c with one converted socket, with tnat64 and without. */
function memoryAdded(port: () => number): { ours: Summary; native: Summary; addedKiB: Summary } {
  const a: number[] = [];
  const b: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < 15; i++) {
    const [x, state] = inNs([memBin, '4', DEST4, String(port())], preload).trim().split(' ');
    if (state !== 'connected') throw new Error('bench-mem: the converted socket did not connect');
    const y = Number(inNs([memBin, '4', DEST4, String(port())]).trim().split(' ')[0]);
    a.push(Number(x));
    b.push(y);
    d.push(Number(x) - y);
  }
  return { ours: summarize(a), native: summarize(b), addedKiB: summarize(d) };
}

/** Seconds for BULK_BYTES through the program's socket to a sink thread in the same process (bench/bulk.c loop). */
function bulkNs(family: 4 | 6, addr: string, port: number, env: NodeJS.ProcessEnv = {}): number {
  return Number(inNs([bulkBin, 'loop', String(family), addr, String(port), String(BULK_BYTES)], env).trim().split(' ')[0]);
}

interface Instr {
  call: string;
  /** Instructions per call in libtnat64's exported function, the libc call it makes excluded. */
  hook: number;
  /** Instructions per call of libc's own function (the native call's user-space part). */
  libc: number;
  /** The whole program's user-space instructions per call (its loop's share): with tnat64, and the native program. */
  program: number;
  nativeProgram: number;
  calls: number;
}

/**
 * One function's inclusive cost and callers' call count in libtnat64.so, and the inclusive cost of libc's function of
 * the same name in the whole run (the bench programs make every such call through the hook, which may call libc from
 * a helper, so libc's own total is what the hook spent in the real call).
 */
function annotate(file: string, fn: string): { incl: number; calls: number; libc: number } {
  const out = execFileSync('callgrind_annotate', ['--inclusive=yes', '--tree=both', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const lines = out.split('\n');
  const num = (t: string) => Number(t.replace(/,/g, ''));
  const row = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+([<*>])\s+(.*?):([^\s:]+?)(?:@@\S+)?(?: \(([\d,]+)x\))? \[([^\]]+)\]\s*$/;
  let libc = 0;
  for (const line of lines) {
    const m = row.exec(line);
    if (m && m[2] === '*' && [fn, `__${fn}`, `__libc_${fn}`].includes(m[4]!) && /libc\.so/.test(m[6]!)) libc += num(m[1]!);
  }
  for (let i = 0; i < lines.length; i++) {
    const m = row.exec(lines[i]!);
    if (!m || m[2] !== '*' || m[4] !== fn || !m[6]!.endsWith('libtnat64.so')) continue;
    let calls = 0;
    for (let j = i - 1; j >= 0; j--) {
      const c = row.exec(lines[j]!);
      if (!c || c[2] !== '<') break;
      calls += num(c[5] ?? '0');
    }
    return { incl: num(m[1]!), calls, libc };
  }
  throw new Error(`callgrind: no ${fn} in libtnat64.so in ${file}`);
}

function callgrindRun(name: string, argv: string[], env: NodeJS.ProcessEnv): string {
  const file = join(root, 'build', `callgrind.${name}.out`);
  inNs(['valgrind', '--tool=callgrind', '--quiet', `--callgrind-out-file=${file}`, ...argv], env);
  return file;
}

function totalInstructions(file: string): number {
  const m = /^totals:\s*(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`callgrind: no totals in ${file}`);
  return Number(m[1]);
}

/**
 * Instructions per call from two callgrind runs of the same program with different counts: the difference removes
 * the one-time costs (symbol lookup, first-use setup), so what is left is the steady per-call cost. The native
 * program (`native`, no tnat64) is run the same way for its whole-program figure.
 */
function instructions(
  call: string,
  fn: string,
  argv: (n: number) => string[],
  native: (n: number) => string[],
  small: number,
  large: number,
): Instr {
  const tag = call.replace(/[^a-z0-9]+/gi, '-');
  const files = [small, large].map((n) => callgrindRun(`${tag}.${n}`, argv(n), preload));
  const [a, b] = files.map((f) => annotate(f, fn)) as [ReturnType<typeof annotate>, ReturnType<typeof annotate>];
  const nat = [small, large].map((n) => totalInstructions(callgrindRun(`${tag}.native.${n}`, native(n), {})));
  const calls = b.calls - a.calls;
  return {
    call,
    hook: (b.incl - b.libc - (a.incl - a.libc)) / calls,
    libc: (b.libc - a.libc) / calls,
    // Per hooked call; the native program makes as many calls of its own for the same counts.
    program: (totalInstructions(files[1]!) - totalInstructions(files[0]!)) / calls,
    nativeProgram: (nat[1]! - nat[0]!) / calls,
    calls,
  };
}

function callgrindPart(port: () => number): Instr[] {
  const c = (n: number) => String(n);
  const p = () => String(port());
  return [
    instructions('connect via NAT64', 'connect', (n) => [connectBin, '4', DEST4, p(), c(n)],
      (n) => [connectBin, '6', DEST6, p(), c(n)], 200, 1200),
    instructions('connect to 127.0.0.1', 'connect', (n) => [connectBin, '4', '127.0.0.1', p(), c(n)],
      (n) => [connectBin, '4', '127.0.0.1', p(), c(n)], 200, 1200),
    instructions('sendto via NAT64', 'sendto', (n) => [udpBin, 'send', '4', DEST4, p(), c(n)],
      (n) => [udpBin, 'send', '6', DEST6, p(), c(n)], 2000, 12000),
    instructions('sendto to 127.0.0.1', 'sendto', (n) => [udpBin, 'send', '4', '127.0.0.1', p(), c(n)],
      (n) => [udpBin, 'send', '4', '127.0.0.1', p(), c(n)], 2000, 12000),
    instructions('recvfrom from NAT64', 'recvfrom', (n) => [udpBin, 'recv', '4', DEST6, c(n)],
      (n) => [udpBin, 'recv', '6', DEST6, c(n)], 2048, 12288),
    instructions('getpeername on a NAT64 socket', 'getpeername', (n) => [namesBin, '4', DEST4, p(), c(n)],
      (n) => [namesBin, '6', DEST6, p(), c(n)], 2000, 12000),
    instructions('getsockname on a NAT64 socket', 'getsockname', (n) => [namesBin, '4', DEST4, p(), c(n)],
      (n) => [namesBin, '6', DEST6, p(), c(n)], 2000, 12000),
  ];
}

/** utime + stime of a process, in seconds (from /proc/PID/stat). */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // USER_HZ is 100 on Linux
}

interface Alt {
  name: string;
  unit: string;
  /** Each side's median, and the ratio tnat64 / CLAT per round. */
  tnat64: Summary;
  clat: Summary;
  ratio: Summary;
}

interface LabResults {
  bulkThroughput: Alt;
  bulkCpu: Alt;
  connect: Alt;
  connectCpu: Alt;
  /** First connect (µs) with the prefix discovered / known, their difference, and one DNS round trip (µs). */
  discovery: { discovered: Summary; known: Summary; added: Summary; dnsRoundTrip: Summary };
  bytes: number;
  connects: number;
}

/**
 * Against the alternative: the lab with a CLAT on the client. The same IPv4 program runs plainly (its packets go
 * through the CLAT) and under tnat64 (its socket speaks IPv6 itself); both then cross the gateway's NAT64. CPU on the
 * client host = the program's own user + system time, plus for the CLAT its TAYGA's.
 */
async function labPart(): Promise<LabResults> {
  const lab = await Lab.create({ clat: true, readyTimeoutMs: 30_000 });
  try {
    const tayga = lab.clatTayga!.pid;
    const sink = lab.spawnIn('server', [bulkBin, 'sink', String(SINK_PORT)]);
    await lab.waitFor(sink, 'ready');
    const run = async (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<number[]> => {
      const r = await lab.run(argv, { env, timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code}\n${r.stderr}`);
      return r.stdout.trim().split(' ').map(Number);
    };
    /** [value, cpu seconds] on the client: the program's, plus the CLAT TAYGA's when it carried the traffic. */
    const clatSide = async (argv: string[]): Promise<[number, number]> => {
      const c0 = cpuOf(tayga);
      const [v, cpu] = await run(argv);
      return [v!, cpu! + cpuOf(tayga) - c0];
    };
    const oursSide = async (argv: string[]): Promise<[number, number]> => {
      const c0 = cpuOf(tayga);
      const [v, cpu] = await run(['tnat64', ...argv]);
      if (cpuOf(tayga) - c0 > 0.05) throw new Error('the CLAT carried tnat64 traffic');
      return [v!, cpu!];
    };
    const send = [bulkBin, 'send', SERVER, String(SINK_PORT), String(LAB_BYTES)];
    const conn = [bulkBin, 'connect', SERVER, String(SINK_PORT), String(LAB_CONNECTS)];
    // Warm up both paths (TAYGA's mappings, ARP/ND, the gateway's pool address).
    await clatSide([bulkBin, 'send', SERVER, String(SINK_PORT), String(16 << 20)]);
    await oursSide([bulkBin, 'send', SERVER, String(SINK_PORT), String(16 << 20)]);
    const rows = { tp: [[], []], cpu: [[], []], cn: [[], []], ccpu: [[], []] } as Record<string, [number[], number[]]>;
    for (let i = 0; i < LAB_ROUNDS; i++) {
      const order = i % 2 === 0 ? [oursSide, clatSide] : [clatSide, oursSide];
      for (const side of order) {
        const k = side === oursSide ? 0 : 1;
        const [secs, cpu] = await side(send);
        rows.tp![k].push(LAB_BYTES / secs / 1e6);
        rows.cpu![k].push((cpu * GiB) / LAB_BYTES);
        const [ns, ccpu] = await side(conn);
        rows.cn![k].push(ns / 1000);
        rows.ccpu![k].push((ccpu * 1e6) / LAB_CONNECTS);
      }
    }
    const alt = (name: string, unit: string, key: string): Alt => {
      const [a, b] = rows[key]!;
      return { name, unit, tnat64: summarize(a), clat: summarize(b), ratio: summarize(a.map((x, j) => x / b[j]!)) };
    };
    // Discovery: a fresh process's first connect with the prefix found through the DNS64, and with TNAT64_PREFIX.
    const disc: number[] = [];
    const known: number[] = [];
    const added: number[] = [];
    const rtt: number[] = [];
    const first = [bulkBin, 'first', SERVER, String(SINK_PORT)];
    for (let i = 0; i < DISCOVERY_ROUNDS; i++) {
      rtt.push((await run([bulkBin, 'dns', lab.addresses.resolvers[0]!]))[0]! / 1000);
      const d = (await run(['tnat64', ...first]))[0]! / 1000;
      const k = (await run(['tnat64', ...first], { TNAT64_PREFIX: lab.addresses.prefix }))[0]! / 1000;
      disc.push(d);
      known.push(k);
      added.push(d - k);
    }
    await sink.stop();
    return {
      bulkThroughput: alt(`bulk ${LAB_BYTES >> 20} MiB to the server, throughput`, 'MB/s', 'tp'),
      bulkCpu: alt('bulk: CPU on the client host', 's/GiB', 'cpu'),
      connect: alt(`connect loop (${LAB_CONNECTS} x socket + connect + close)`, 'µs/connect', 'cn'),
      connectCpu: alt('connect loop: CPU on the client host', 'µs/connect', 'ccpu'),
      discovery: { discovered: summarize(disc), known: summarize(known), added: summarize(added), dnsRoundTrip: summarize(rtt) },
      bytes: LAB_BYTES,
      connects: LAB_CONNECTS,
    };
  } finally {
    await lab.destroy();
  }
}

const SERVER = '203.0.113.2';

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Half the interquartile range, in the summary's own unit. */
function ms(x: Summary): string {
  return Math.abs(x.spread * x.median).toFixed(2);
}

function targetText(t: number | string): string {
  return typeof t === 'string' ? t : Number.isNaN(t) ? '–' : `≤ ${t.toFixed(2)}`;
}

function verdict(p: Pair): string {
  if (typeof p.target === 'string') {
    const m = /^([\d.]+) ± ([\d.]+)$/.exec(p.target);
    return m ? (Math.abs(p.ratio.median - Number(m[1])) <= Number(m[2]) ? 'met' : '**missed**') : '';
  }
  return Number.isNaN(p.target) ? '' : p.ratio.median <= p.target ? 'met' : '**missed**';
}

async function main(): Promise<void> {
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', connectBin, join(root, 'bench', 'connect.c'), '-lpthread']);
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', udpBin, join(root, 'bench', 'udp.c')]);
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', namesBin, join(root, 'bench', 'names.c')]);
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', bulkBin, join(root, 'bench', 'bulk.c'), '-lpthread']);
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', memBin, join(root, 'bench', 'mem.c')]);
  if (!SKIP.has('seccomp')) {
    for (const [name, libs] of [['connect', ['-lpthread']], ['udp', []], ['bulk', ['-lpthread']]] as const) {
      sh('gcc', ['-O2', '-static', '-Wall', '-Wextra', '-o', staticBin(name), join(root, 'bench', `${name}.c`), ...libs]);
    }
    sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', notifyBin, join(root, 'bench', 'notify.c'), '-lpthread']);
  }
  sh('ip', ['netns', 'add', ns]);
  const started = Date.now();
  const results: Pair[] = [];
  let launch: ReturnType<typeof launchAdded>;
  let memory: ReturnType<typeof memoryAdded>;
  let instr: Instr[] = [];
  let seccomp: ReturnType<typeof seccompPart> | undefined;
  try {
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    inNs(['ip', '-6', 'route', 'add', 'local', PREFIX, 'dev', 'lo']);
    let port = 20000;
    const next = () => port++;
    results.push(
      pairRounds('connect via NAT64 (IPv4 program + tnat64 / native IPv6 program)', 1.03, 'ns/connect',
        () => connectNs(4, DEST4, port++, preload),
        () => connectNs(6, DEST6, port++)),
    );
    results.push(
      pairRounds('connect to 127.0.0.1 (with tnat64 / without)', 1.03, 'ns/connect',
        () => connectNs(4, '127.0.0.1', port++, preload),
        () => connectNs(4, '127.0.0.1', port++)),
    );
    const n = String(DATAGRAMS);
    results.push(
      pairRounds('UDP sendto via NAT64 (IPv4 program + tnat64 / native IPv6 program)', 1.10, 'ns/sendto',
        () => udpNs(['send', '4', DEST4, String(port++), n], preload),
        () => udpNs(['send', '6', DEST6, String(port++), n])),
    );
    results.push(
      pairRounds('UDP sendto to 127.0.0.1 (with tnat64 / without)', 1.05, 'ns/sendto',
        () => udpNs(['send', '4', '127.0.0.1', String(port++), n], preload),
        () => udpNs(['send', '4', '127.0.0.1', String(port++), n])),
    );
    results.push(
      pairRounds('UDP recvfrom from NAT64 (IPv4 program + tnat64 / native IPv6 program)', 1.10, 'ns/recvfrom',
        () => udpNs(['recv', '4', DEST6, n], preload),
        () => udpNs(['recv', '6', DEST6, n])),
    );
    results.push(
      pairRounds('getpeername on a NAT64 socket (tnat64 / native IPv6)', NaN, 'ns/call',
        () => namesNs(4, DEST4, port++, preload)[0],
        () => namesNs(6, DEST6, port++)[0]),
    );
    results.push(
      pairRounds('getsockname on a NAT64 socket (tnat64 / native IPv6)', NaN, 'ns/call',
        () => namesNs(4, DEST4, port++, preload)[1],
        () => namesNs(6, DEST6, port++)[1]),
    );
    // The kernel's own share of the loopback figures: tnat64 makes every TCP and UDP socket AF_INET6 at socket() (the
    // destination is not known yet), so an IPv4 loopback peer is reached as ::ffff:127.0.0.1. No tnat64 on either side.
    results.push(
      pairRounds('kernel alone: connect, AF_INET6 socket to ::ffff:127.0.0.1 / AF_INET to 127.0.0.1 (no tnat64)', NaN, 'ns/connect',
        () => connectNs(6, '::ffff:127.0.0.1', port++),
        () => connectNs(4, '127.0.0.1', port++)),
    );
    results.push(
      pairRounds('kernel alone: UDP sendto, AF_INET6 socket to ::ffff:127.0.0.1 / AF_INET to 127.0.0.1 (no tnat64)', NaN, 'ns/sendto',
        () => udpNs(['send', '6', '::ffff:127.0.0.1', String(port++), n]),
        () => udpNs(['send', '4', '127.0.0.1', String(port++), n])),
    );
    if (!SKIP.has('bulk')) {
      results.push(
        pairRounds(`bulk ${BULK_BYTES >> 20} MiB over TCP via NAT64 (IPv4 program + tnat64 / native IPv6 program)`,
          '1.00 ± 0.02', 's',
          () => bulkNs(4, DEST4, port++, preload),
          () => bulkNs(6, DEST6, port++), BULK_ROUNDS),
      );
    }
    if (!SKIP.has('seccomp')) seccomp = seccompPart(next);
    memory = memoryAdded(next);
    if (!SKIP.has('callgrind')) instr = callgrindPart(next);
    launch = launchAdded();
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
  const labResults = SKIP.has('lab') ? undefined : await labPart();

  const lines: string[] = [];
  const machine = `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, ${(totalmem() / GiB).toFixed(1)} GiB, Linux ${release()}, node ${process.version}`;
  const git = (args: string[]) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--', 'lib']) ? ' (lib/ with uncommitted changes)' : ''}`;
  lines.push(`machine: ${machine}`);
  lines.push(`commit: ${commit}`);
  lines.push(`date: ${new Date().toISOString()}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  lines.push(`rounds: ${ROUNDS} interleaved (${CONNECTS} connects, ${DATAGRAMS} datagrams, ${NAME_CALLS} calls each); ` +
    `bulk ${BULK_ROUNDS} x ${BULK_BYTES >> 20} MiB`);
  lines.push('');
  lines.push('| measure | tnat64 | native | ratio (median) | spread | target | |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const p of results) {
    lines.push(`| ${p.name} | ${fmt(p.ours.median)} ${p.unit} | ${fmt(p.native.median)} ${p.unit} | ` +
      `${p.ratio.median.toFixed(3)} | ±${(p.ratio.spread * 100).toFixed(1)}% | ${targetText(p.target)} | ${verdict(p)} |`);
  }
  lines.push(`| memory: VmRSS with one converted socket | ${memory.ours.median.toFixed(0)} kB | ` +
    `${memory.native.median.toFixed(0)} kB | +${memory.addedKiB.median.toFixed(0)} KiB | ±${(memory.addedKiB.spread * 100).toFixed(0)}% | ≤ 1024 KiB | ` +
    `${memory.addedKiB.median <= 1024 ? 'met' : '**missed**'} |`);
  lines.push(`| launch: \`tnat64 true\` minus \`true\` | ${launch.added.median.toFixed(2)} ms added | ` +
    `${launch.bare.median.toFixed(2)} ms | – | ±${ms(launch.added)} ms | ≤ 80 ms | ` +
    `${launch.added.median <= 80 ? 'met' : '**missed**'} |`);
  lines.push(`| launch: \`LD_PRELOAD=libtnat64.so true\` minus \`true\` (the library alone, no launcher) | ` +
    `${launch.preloadOnly.median.toFixed(2)} ms added | ${launch.bare.median.toFixed(2)} ms | – | ` +
    `±${ms(launch.preloadOnly)} ms | – | |`);
  // The table's rows come first; the notes follow it.
  let seccompNote = '';
  if (seccomp) {
    const S = seccomp;
    for (const p of S.pairs) {
      lines.push(`| ${p.name} | ${fmt(p.ours.median)} ${p.unit} | ${fmt(p.native.median)} ${p.unit} | ` +
        `${p.ratio.median.toFixed(3)} | ±${(p.ratio.spread * 100).toFixed(1)}% | ${targetText(p.target)} | ${verdict(p)} |`);
    }
    lines.push(`| seccomp engine launch: \`tnat64-seccomp busybox true\` minus \`busybox true\` | ` +
      `${S.launch.supervisor!.median.toFixed(2)} ms added | ${S.launch.bare!.median.toFixed(2)} ms | – | ` +
      `±${ms(S.launch.supervisor!)} ms | ≤ 10 ms | ${S.launch.supervisor!.median <= 10 ? 'met' : '**missed**'} |`);
    lines.push(`| seccomp engine launch through the launcher: \`tnat64 busybox true\` minus \`busybox true\` | ` +
      `${S.launch.launcher!.median.toFixed(2)} ms added | ${S.launch.bare!.median.toFixed(2)} ms | – | ` +
      `±${ms(S.launch.launcher!)} ms | – | |`);
    const rt = S.roundTrip;
    const us = (x: number) => x.toFixed(2);
    seccompNote = [
      `One seccomp notification round trip on this machine, apart from tnat64 (bench/notify.c: getppid notified ` +
        `and answered "continue"): ${fmt(rt.sync!.median - rt.native!.median)} ns added with ` +
        `SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (the answering thread woken on the caller's CPU), ` +
        `${fmt(rt.process!.median - rt.native!.median)} ns when the answer comes from another process, as ` +
        `tnat64-seccomp's does, ${fmt(rt.plain!.median - rt.native!.median)} ns with the kernel's default wake-up; ` +
        `getppid itself ${fmt(rt.native!.median)} ns.`,
      '',
      'Where a supervised operation\'s time goes (TNAT64_SECCOMP_PROFILE: the supervisor\'s wall time in each part ' +
        'of its answers, µs per operation, medians of 5 runs). "answer" runs from the answer\'s ioctl until the ' +
        'supervisor runs again: with SYNC_WAKE_UP the program takes the CPU at once, so its own time until its next ' +
        'notified call (and, for connect, the accepting thread\'s) is in it; "waiting" is the rest of that hand-over.',
      '',
      '| operation | notified calls | waiting for the call | the caller\'s memory | fd copy, mark, close | lib/core and the call on our copy | answer | all | native operation |',
      '|---|---|---|---|---|---|---|---|---|',
      ...S.breakdowns.map((b) => `| ${b.name} | ${b.perOp} | ${us(b.parts.wait)} | ${us(b.parts.memory)} | ${us(b.parts.fd)} | ` +
        `${us(b.parts.call)} | ${us(b.parts.answer)} | ${us(b.parts.total)} | ${us(b.native)} |`),
    ].join('\n');
  }
  if (labResults) {
    const L = labResults;
    const discoveryNote = 'discovery is met when it adds at most two raw round trips: besides the query, the library ' +
      'reads resolv.conf and opens a UDP socket once per process.';
    lines.push(`| discovery: first connect of a fresh process, prefix discovered (DNS64, lab) / known (TNAT64_PREFIX) | ` +
      `${fmt(L.discovery.discovered.median)} µs | ${fmt(L.discovery.known.median)} µs | ` +
      `+${fmt(L.discovery.added.median)} µs | ±${fmt(Math.abs(L.discovery.added.spread * L.discovery.added.median))} µs | ` +
      `one DNS round trip per process (${fmt(L.discovery.dnsRoundTrip.median)} µs here, from a fresh socket) | ` +
      `${L.discovery.added.median <= 2 * L.discovery.dnsRoundTrip.median ? 'met' : '**missed**'} |`);
    lines.push('');
    if (seccompNote) lines.push(seccompNote, '');
    lines.push(discoveryNote);
    lines.push('');
    lines.push(`Against the alternative, in the lab (IPv6-only client, gateway NAT64, IPv4 server): the same IPv4 program ` +
      `through a 464XLAT CLAT (TAYGA on the client host) and under tnat64, ${LAB_ROUNDS} interleaved rounds. CPU on ` +
      'the client host = the program\'s user + system time, plus the CLAT TAYGA\'s (/proc/PID/stat). Throughput is ' +
      'bounded by the gateway\'s TAYGA on both paths.');
    lines.push('');
    lines.push('| measure | tnat64 | CLAT | tnat64 / CLAT (median) | spread |');
    lines.push('|---|---|---|---|---|');
    for (const a of [L.bulkThroughput, L.bulkCpu, L.connect, L.connectCpu]) {
      lines.push(`| ${a.name} | ${fmt(a.tnat64.median)} ${a.unit} | ${fmt(a.clat.median)} ${a.unit} | ` +
        `${a.ratio.median.toFixed(3)} | ±${(a.ratio.spread * 100).toFixed(1)}% |`);
    }
  } else if (seccompNote) {
    lines.push('', seccompNote);
  }
  if (instr.length > 0) {
    lines.push('');
    lines.push('User-space instructions per call (callgrind; the difference of two runs of different lengths, so ' +
      'one-time costs drop out). hook = libtnat64\'s exported function minus the libc call it makes; libc = that ' +
      'libc call; whole program = all user-space instructions per call, the rest of the loop included (for connect: ' +
      'socket, setsockopt, close and the accepting thread\'s accept and close; for getpeername and getsockname: one ' +
      'of each), with tnat64 and for the native program. ' +
      'The kernel\'s part is not counted.');
    lines.push('');
    lines.push('| call | tnat64 hook | libc call | whole program per call: tnat64 | native |');
    lines.push('|---|---|---|---|---|');
    for (const x of instr) {
      lines.push(`| ${x.call} | ${x.hook.toFixed(0)} | ${x.libc.toFixed(0)} | ${x.program.toFixed(0)} | ${x.nativeProgram.toFixed(0)} |`);
    }
  }
  const table = lines.join('\n');
  console.log(table);
  const out = join(root, 'build', 'bench.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        commit,
        rounds: ROUNDS,
        connects: CONNECTS,
        datagrams: DATAGRAMS,
        bulk: { bytes: BULK_BYTES, rounds: BULK_ROUNDS },
        results,
        memory,
        launch,
        instructions: instr,
        seccomp,
        lab: labResults,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(root, 'build', 'bench.md'), table + '\n');
  console.log(`\nwritten: ${out} and build/bench.md`);
  if (process.env.BENCH_SAVE === '1') {
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), readFileSync(out));
    writeFileSync(join(dir, 'latest.md'), table + '\n');
    console.log(`saved: ${dir}/latest.json and latest.md`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
