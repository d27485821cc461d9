/**
 * `npm run bench`: what tnat64 costs, as ratios against the native call measured in the same run. The two sides of
 * every ratio are interleaved round by round (the machine is noisy), and the median ratio is reported with its spread.
 * Not part of `npm test`: benchmarks report, tests assert behaviour.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  target: number;
  ours: Summary;
  native: Summary;
  ratio: Summary;
  unit: string;
}

function pairRounds(name: string, target: number, unit: string, ours: () => number, native: () => number): Pair {
  const a: number[] = [];
  const b: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
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

function launchAdded(): { added: Summary; bare: Summary } {
  const added: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 41; i++) {
    const t = timeMs([launcher, 'true']);
    const b = timeMs(['true']);
    added.push(t - b);
    bare.push(b);
  }
  return { added: summarize(added), bare: summarize(bare) };
}

function main(): void {
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', connectBin, join(root, 'bench', 'connect.c'), '-lpthread']);
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', udpBin, join(root, 'bench', 'udp.c')]);
  sh('gcc', ['-O2', '-Wall', '-Wextra', '-o', namesBin, join(root, 'bench', 'names.c')]);
  sh('ip', ['netns', 'add', ns]);
  const results: Pair[] = [];
  let launch: ReturnType<typeof launchAdded>;
  try {
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    inNs(['ip', '-6', 'route', 'add', 'local', PREFIX, 'dev', 'lo']);
    let port = 20000;
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
    launch = launchAdded();
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }

  const lines: string[] = [];
  lines.push(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, Linux ${release()}, node ${process.version}`);
  lines.push(`rounds: ${ROUNDS} interleaved, ${CONNECTS} connects or ${DATAGRAMS} datagrams each`);
  lines.push('');
  lines.push('| measure | tnat64 | native | ratio (median) | spread | target |');
  lines.push('|---|---|---|---|---|---|');
  for (const p of results) {
    lines.push(`| ${p.name} | ${p.ours.median.toFixed(0)} ${p.unit} | ${p.native.median.toFixed(0)} ${p.unit} | ` +
      `${p.ratio.median.toFixed(3)} | ±${(p.ratio.spread * 100).toFixed(1)}% | ${Number.isNaN(p.target) ? '–' : `≤ ${p.target.toFixed(2)}`} |`);
  }
  lines.push(`| launch: \`tnat64 true\` minus \`true\` | ${launch.added.median.toFixed(2)} ms added | ` +
    `${launch.bare.median.toFixed(2)} ms | – | ±${(launch.added.spread * 100).toFixed(0)}% | ≤ 80 ms |`);
  console.log(lines.join('\n'));
  const out = join(root, 'build', 'bench.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, connects: CONNECTS, results, launch }, null, 2));
  console.log(`\nwritten: ${out}`);
}

main();
