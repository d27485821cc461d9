// Differential fuzz of the two configuration parsers: mutates the committed
// configuration vectors and seed corpus, gives every input to the C parser
// (build/test/vectors --dump, through t64_config_load) and to the TypeScript
// one (dist/src/core/config.js, the bytes decoded as check decodes them), and
// fails on the first input whose canonical dumps differ. That input is saved
// as $FUZZ_OUT/diff-SEED-N.conf.
// Usage: node fuzz/diff.mjs   (after npm run build and make -C lib test)
// Environment: RUNS (inputs, default 20000), SEED (default: from the clock,
// printed), FUZZ_OUT (default build/fuzz), DUMPER (default build/test/vectors).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { dump, parseConfig } = await import(join(ROOT, 'dist', 'src', 'core', 'config.js'));
const RUNS = Number(process.env.RUNS ?? 20000);
const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31);
const OUT = process.env.FUZZ_OUT ?? join(ROOT, 'build', 'fuzz');
const DUMPER = process.env.DUMPER ?? join(ROOT, 'build', 'test', 'vectors');
const BATCH = 500;

// A small, seedable generator (xorshift32), so a failing run can be repeated with its SEED.
let state = SEED || 1;
function random(n) {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state % n;
}

const seeds = [];
for (const dir of ['testdata/config/valid', 'testdata/config/invalid', 'fuzz/corpus/config']) {
  for (const name of readdirSync(join(ROOT, dir))) {
    if (!name.endsWith('.expect')) seeds.push(readFileSync(join(ROOT, dir, name)));
  }
}

// What the grammar reacts to, and what one parser might take for a blank or a line end and the other not.
const PIECES = [
  ' ', '\t', '\r', '\v', '\f', '\n', '#', '=', '{', '}', '/', ':', '-', '.', '0', '1', '9', '32', '96', '255', 'a', 'f',
  '::', 'path', 'path {', 'subnet', 'local', 'nat64_prefix', 'ipv4_identity', 'standin_pool', '64:ff9b::', '10.0.0.0/8',
  '\u00a0', '\ufeff', '\u2028', '\u2029', '\u3000', '\u0085', '\u200b', '\u00e9', '\x00',
].map((s) => Buffer.from(s, 'utf8'));
const RAW = [0x80, 0xbf, 0xc2, 0xe2, 0xef, 0xff].map((b) => Buffer.from([b]));

function piece() {
  return random(4) === 0 ? RAW[random(RAW.length)] : PIECES[random(PIECES.length)];
}

function mutate(input) {
  let b = input;
  for (let k = 1 + random(4); k > 0; k--) {
    const at = random(b.length + 1);
    switch (random(5)) {
      case 0: // insert
        b = Buffer.concat([b.subarray(0, at), piece(), b.subarray(at)]);
        break;
      case 1: // delete a few bytes
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + random(8))]);
        break;
      case 2: // replace one byte
        if (at < b.length) b = Buffer.concat([b.subarray(0, at), piece(), b.subarray(at + 1)]);
        break;
      case 3: { // splice in part of another seed
        const other = seeds[random(seeds.length)];
        const from = random(other.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + random(64)), b.subarray(at)]);
        break;
      }
      default: { // repeat a line
        const lines = b.toString('latin1').split('\n');
        const i = random(lines.length);
        lines.splice(i, 0, lines[i]);
        b = Buffer.from(lines.join('\n'), 'latin1');
      }
    }
  }
  return b.subarray(0, 4096);
}

const work = mkdtempSync(join(tmpdir(), 'tnat64-diff-'));
let done = 0;
let status = 0;
try {
  while (done < RUNS && status === 0) {
    const inputs = [];
    const files = [];
    for (let i = 0; i < Math.min(BATCH, RUNS - done); i++) {
      const input = done + i < seeds.length ? seeds[done + i] : mutate(seeds[random(seeds.length)]);
      const file = join(work, `${i}.conf`);
      writeFileSync(file, input);
      inputs.push(input);
      files.push(file);
    }
    const c = spawnSync(DUMPER, ['--dump', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (c.status !== 0) {
      console.error(`diff: ${DUMPER} --dump failed (status ${c.status}, ${c.error ?? c.stderr})`);
      status = 2;
      break;
    }
    const got = c.stdout.split('--\n');
    for (let i = 0; i < inputs.length; i++) {
      const ts = dump(parseConfig(Buffer.from(inputs[i]).toString('utf8'), files[i]));
      if (got[i] !== ts) {
        mkdirSync(OUT, { recursive: true });
        const saved = join(OUT, `diff-${SEED}-${done + i}.conf`);
        writeFileSync(saved, inputs[i]);
        console.error(`diff: the parsers disagree on ${saved} (SEED=${SEED})\n C: ${JSON.stringify(got[i])}\nTS: ${JSON.stringify(ts)}`);
        status = 1;
        break;
      }
    }
    done += inputs.length;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (status === 0) console.log(`diff: ${done} inputs, both parsers agree (SEED=${SEED})`);
process.exit(status);
