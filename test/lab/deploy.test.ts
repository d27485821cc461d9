/**
 * The deployment guide (docs/DEPLOY.md) tried for real: the files under deploy/ run in the lab's IPv6-only client.
 *
 * systemd is not PID 1 on the machines this runs on and no Docker engine runs there, so each artefact runs in a
 * container that systemd-nspawn makes of an overlay of this host's root directory (Debian 12, the image's base):
 * the overlay's upper directory, in the lab's temporary directory, is all that is written, in a mount namespace of
 * its own, and the container joins the lab client's network namespace. A real systemd boots in it to run the units;
 * the Dockerfile's steps are carried out one by one; /etc/ld.so.preload is a file in the overlay.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run, type RunResult } from '../../src/lab/exec.js';
import { PATHS, REPO, SERVER_IPV4, SERVER_NAME, type Lab } from '../../src/lab/lab.js';
import { HTTP_BODY } from '../../src/lab/services.js';
import { pyFile, requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

const EXTRA = '2001:db8:65::/96';
const DEPLOY = join(REPO, 'deploy');
/**
 * Where the checkout appears inside a container. Not its host path: that may be under /tmp, which nspawn replaces with
 * a fresh tmpfs and which services with PrivateTmp= (implied by DynamicUser=) cannot see either; an installed package
 * lives under /usr. Every path handed to the container goes through inside().
 */
const CREPO = '/opt/tnat64-checkout';
const inside = (hostPath: string) => (hostPath.startsWith(REPO) ? CREPO + hostPath.slice(REPO.length) : hostPath);
/** Where the guide links the library (deploy/link-library.sh) and where its drop-in and ENV lines point. */
const STABLE_LIB = '/usr/local/lib/tnat64/libtnat64.so';

before(async () => {
  await requireTools('systemd-nspawn', 'systemd-analyze', 'unshare', 'setpriv', 'dpkg-query');
  await requireTools('curl', 'python3', 'make', 'gcc', 'musl-gcc');
  requireBuilt();
});
let lab: Lab;
useLab({ extraPrefixes: [EXTRA] }, (s) => ({ lab } = s));

let roots = 0;

/** A container's root: this host's / under an overlay whose upper directory holds what the test adds. */
class Root {
  readonly up: string;
  readonly name = `tn64-deploy-${process.pid}-${roots++}`;
  private readonly work: string;
  private readonly mnt: string;

  constructor() {
    const base = join(lab.dir, this.name);
    this.up = join(base, 'up');
    this.work = join(base, 'work');
    this.mnt = join(base, 'mnt');
    for (const d of [this.up, this.work, this.mnt]) mkdirSync(d, { recursive: true });
    // The host's own files of these names would leak into the container: an overlay whiteout hides each.
    for (const f of ['/etc/tnat64.conf', '/etc/ld.so.preload']) if (existsSync(f)) this.whiteout(f);
  }

  /** The upper-layer path of an absolute path inside the container. */
  at(path: string): string {
    return join(this.up, path);
  }

  write(path: string, content: string, mode = 0o644): void {
    mkdirSync(dirname(this.at(path)), { recursive: true });
    writeFileSync(this.at(path), content);
    chmodSync(this.at(path), mode);
  }

  link(target: string, path: string): void {
    mkdirSync(dirname(this.at(path)), { recursive: true });
    symlinkSync(target, this.at(path));
  }

  whiteout(path: string): void {
    mkdirSync(dirname(this.at(path)), { recursive: true });
    const r = spawnSync('mknod', [this.at(path), 'c', '0', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `mknod ${this.at(path)}: ${r.stderr}`);
  }

  /**
   * systemd-nspawn on this root: `--as-pid2 ARGV` runs a command, `-b` boots systemd. network: the lab client's
   * namespace (with its resolv.conf), or none at all.
   */
  nspawn(args: string[], opts: { network?: 'lab' | 'none'; timeoutMs?: number } = {}): Promise<RunResult> {
    const cli = lab.addresses.namespaces.client;
    const net =
      opts.network === 'none'
        ? ['--private-network']
        : [`--network-namespace-path=/run/netns/${cli}`, '--resolv-conf=off', `--bind-ro=/etc/netns/${cli}/resolv.conf:/etc/resolv.conf`];
    return run(
      [
        'unshare', '-m', '--propagation', 'private', 'sh', '-c',
        'mount -t overlay overlay -o "lowerdir=/,upperdir=$1,workdir=$2" "$3" && shift 3 && exec systemd-nspawn "$@"',
        'sh', this.up, this.work, this.mnt,
        '--quiet', '--register=no', '--keep-unit', '--link-journal=no', '--console=pipe', `--machine=${this.name}`,
        '-D', this.mnt, `--bind-ro=${REPO}:${CREPO}`, ...net, ...args,
      ],
      { env: lab.env(), timeoutMs: opts.timeoutMs ?? 30_000 },
    );
  }
}

/** The library `tnat64 env` selects on this host. */
async function selectedLibrary(): Promise<string> {
  const r = await run(['sh', '-c', 'eval "$("$1" env)" && printf %s "$LD_PRELOAD"', 'sh', PATHS.tnat64], { env: lab.env() });
  assert.equal(r.code, 0, show(r));
  return r.stdout;
}

/** What an installation makes (docs/DEPLOY.md, "Before any of them"): tnat64 on PATH, then link-library.sh. */
async function install(root: Root): Promise<void> {
  // `npm install -g` links the package's launcher into the bin directory; this links the checkout's the same way.
  root.link(inside(PATHS.tnat64), '/usr/local/bin/tnat64');
  const r = await root.nspawn(['--as-pid2', '/bin/sh', inside(join(DEPLOY, 'link-library.sh'))]);
  assert.equal(r.code, 0, `link-library.sh: ${show(r)}`);
  assert.equal(readlinkSync(root.at(STABLE_LIB)), inside(await selectedLibrary()), 'the link names the library tnat64 env selects');
}

test('the guide\'s two lines that stand in for link-library.sh make the same link', async () => {
  const guide = readFileSync(join(REPO, 'docs', 'DEPLOY.md'), 'utf8');
  const block = /these two lines do the same:\n\n```sh\n([^`]*)```/.exec(guide);
  assert.ok(block, 'docs/DEPLOY.md: the block after "these two lines do the same:" is missing');
  const root = new Root();
  root.link(inside(PATHS.tnat64), '/usr/local/bin/tnat64');
  // As root already: sudo left out.
  const r = await root.nspawn(['--as-pid2', '/bin/sh', '-ec', block[1]!.replace(/^sudo /gm, '')], { network: 'none' });
  assert.equal(r.code, 0, show(r));
  assert.equal(readlinkSync(root.at(STABLE_LIB)), inside(await selectedLibrary()));
});

/** A stderr line count: lines naming `text` (ld.so's complaint names the library). */
const linesNaming = (stderr: string, text: string) => stderr.split('\n').filter((l) => l.includes(text)).length;

const UNIT = 'example-ipv4-fetch';
const unitText = () => readFileSync(join(DEPLOY, 'systemd', `${UNIT}.service`), 'utf8');
const dropin = () => readFileSync(join(DEPLOY, 'systemd', 'tnat64.conf'), 'utf8');

interface Booted {
  boot: RunResult;
  /** A copy of the example unit: Result, ExecMainCode, ExecMainStatus, and the page it fetched ('' if none). */
  result(name: string): { result?: string; code?: string; status?: string; body: string };
  /** A long-running service: how many mappings of libtnat64 its main process has (`grep -c`'s output). */
  mapped(name: string): string;
}

/**
 * Boot systemd in `root`, in the lab client's network, into a target of the test's own (none of the host's enabled
 * services start): `copies` are copies of the example unit under their own names (%N keeps their state apart), each
 * with its drop-ins; `sleepers` long-running services with theirs. A unit of the test then reports each one's
 * outcome through a bind-mounted directory and powers the container off.
 */
async function bootServices(root: Root, copies: Record<string, string[]>, sleepers: Record<string, string[]>): Promise<Booted> {
  const etc = '/etc/systemd/system';
  for (const [name, dropins] of Object.entries(copies)) {
    root.write(`${etc}/${name}.service`, unitText());
    dropins.forEach((d, i) => root.write(`${etc}/${name}.service.d/${i}-test.conf`, d));
  }
  for (const [name, dropins] of Object.entries(sleepers)) {
    root.write(`${etc}/${name}.service`, '[Service]\nType=exec\nExecStart=/bin/sleep 120\n');
    dropins.forEach((d, i) => root.write(`${etc}/${name}.service.d/${i}-test.conf`, d));
  }
  const names = [...Object.keys(copies), ...Object.keys(sleepers)].map((n) => `${n}.service`).join(' ');
  root.write(`${etc}/deploy-test.target`, `[Unit]\nWants=${names} deploy-report.service\n`);
  root.write(
    '/usr/local/libexec/deploy-report',
    `#!/bin/sh\nfor u in ${Object.keys(copies).join(' ')}; do\n` +
      '  systemctl show -p Result -p ExecMainCode -p ExecMainStatus "$u.service" > "/report/$u.show"\n' +
      '  [ ! -f "/var/lib/private/$u/body" ] || cp "/var/lib/private/$u/body" "/report/$u.body"\n' +
      `done\nfor u in ${Object.keys(sleepers).join(' ')}; do\n` +
      '  pid=$(systemctl show -p MainPID --value "$u")\n' +
      // Preloads are mapped before libc: once libc is there, ld.so is done with them.
      '  for i in $(seq 50); do grep -q "/libc\\.so" "/proc/$pid/maps" && break; sleep 0.1; done\n' +
      '  grep -c libtnat64 "/proc/$pid/maps" > "/report/$u.maps"\n' +
      'done\nsystemctl poweroff --no-block\n',
    0o755,
  );
  root.write(
    `${etc}/deploy-report.service`,
    `[Unit]\nAfter=${names}\n[Service]\nType=oneshot\nExecStart=/usr/local/libexec/deploy-report\n`,
  );
  for (const u of ['timers.target', 'systemd-timesyncd.service', 'systemd-pstore.service']) root.link('/dev/null', `${etc}/${u}`);
  const report = join(root.up, '..', 'report');
  mkdirSync(report, { recursive: true });
  const boot = await root.nspawn(['--bind', `${report}:/report`, '-b', '--', '--unit=deploy-test.target'], { timeoutMs: 90_000 });
  const file = (name: string) => (existsSync(join(report, name)) ? readFileSync(join(report, name), 'utf8') : '');
  return {
    boot,
    result(name) {
      const kv = Object.fromEntries(file(`${name}.show`).trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
      return { result: kv.Result, code: kv.ExecMainCode, status: kv.ExecMainStatus, body: file(`${name}.body`) };
    },
    mapped: (name) => file(`${name}.maps`),
  };
}

describe('systemd: the drop-in and the launcher form under a real systemd', () => {
  const launcher = () => readFileSync(join(DEPLOY, 'systemd', `${UNIT}-launcher.conf`), 'utf8');
  /** Hardening that leaves the service without AF_INET6 (a seccomp filter): tnat64 must change nothing. */
  const RESTRICT = '[Service]\nRestrictAddressFamilies=AF_UNIX AF_INET\n';
  const PRIVATE_NET = '[Service]\nPrivateNetwork=yes\n';
  /** The library out of the service's sight, as ProtectHome= does to one under /home. */
  const HIDDEN = '[Service]\nInaccessiblePaths=/usr/local/lib/tnat64\n';
  let root: Root;
  let booted: Booted;
  const result = (name: string) => booted.result(name);
  const mapped = (name: string) => booted.mapped(name);

  before(async () => {
    root = new Root();
    await install(root);
    root.write('/etc/tnat64.conf', `nat64_prefix = ${lab.addresses.prefix}\n`);
    booted = await bootServices(
      root,
      {
        [UNIT]: [dropin()], // the guide's own case: the unit and the drop-in as committed
        [`${UNIT}-launcher`]: [launcher()],
        [`${UNIT}-plain`]: [],
        [`${UNIT}-restricted-plain`]: [RESTRICT],
        [`${UNIT}-restricted`]: [dropin(), RESTRICT],
        [`${UNIT}-privnet`]: [dropin(), PRIVATE_NET],
        [`${UNIT}-hidden`]: [dropin(), HIDDEN],
      },
      // For the guide's check of a running service (is the library mapped?), with the drop-in and without.
      { 'deploy-sleeper': [dropin()], 'deploy-sleeper-plain': [] },
    );
  });

  test('systemd-analyze verify: the unit with the drop-in, and with the launcher drop-in, without a complaint', async () => {
    for (const name of [UNIT, `${UNIT}-launcher`]) {
      const verify = 'systemd-analyze verify "$1.service" 2>&1; echo "exit $?"';
      const r = await root.nspawn(['--as-pid2', '/bin/sh', '-c', verify, 'sh', name], { network: 'none' });
      assert.equal(r.stdout, 'exit 0\n', `${name}: ${show(r)}`);
    }
    // The check can fail: a misspelt key in a drop-in is reported.
    root.write(`/etc/systemd/system/${UNIT}-plain.service.d/9-typo.conf`, '[Service]\nEnviroment=LD_PRELOAD=/x\n');
    const bad = await root.nspawn(['--as-pid2', '/bin/sh', '-c', `systemd-analyze verify ${UNIT}-plain.service 2>&1`], { network: 'none' });
    assert.match(bad.stdout, /Enviroment/, show(bad));
  });

  test('the container booted and powered off', () => {
    assert.equal(booted.boot.code, 0, show(booted.boot));
    assert.equal(booted.boot.timedOut, false);
  });

  test('the guide\'s drop-in: the service (DynamicUser, curl -4) reaches the IPv4-only server through NAT64', () => {
    const r = result(UNIT);
    assert.deepEqual([r.result, r.code, r.status], ['success', '1', '0'], JSON.stringify(r));
    assert.equal(lab.poolOf(r.body), 0, `the server saw ${r.body}`);
  });

  test('the launcher drop-in (ExecStart=/usr/local/bin/tnat64 …) does the same', () => {
    const r = result(`${UNIT}-launcher`);
    assert.deepEqual([r.result, r.code, r.status], ['success', '1', '0'], JSON.stringify(r));
    assert.equal(lab.poolOf(r.body), 0, `the server saw ${r.body}`);
  });

  test('without tnat64 the same service fails: curl exits 7, the network is IPv6-only', () => {
    const r = result(`${UNIT}-plain`);
    assert.deepEqual([r.result, r.code, r.status, r.body], ['exit-code', '1', '7', ''], JSON.stringify(r));
  });

  test('RestrictAddressFamilies= without AF_INET6: with tnat64 the service fails exactly as without it (exit 7, no crash)', () => {
    const plain = result(`${UNIT}-restricted-plain`);
    const tn = result(`${UNIT}-restricted`);
    assert.deepEqual([plain.result, plain.code, plain.status], ['exit-code', '1', '7'], JSON.stringify(plain));
    assert.deepEqual(tn, plain);
  });

  test('PrivateNetwork=yes: with tnat64 the service fails as it would without it (exit 7: only loopback)', () => {
    const r = result(`${UNIT}-privnet`);
    assert.deepEqual([r.result, r.code, r.status, r.body], ['exit-code', '1', '7', ''], JSON.stringify(r));
  });

  test('the library out of sight (InaccessiblePaths=): the service runs, without tnat64 (exit 7, not a failure to start)', () => {
    const r = result(`${UNIT}-hidden`);
    assert.deepEqual([r.result, r.code, r.status, r.body], ['exit-code', '1', '7', ''], JSON.stringify(r));
  });

  test('a setuid program started with the drop-in\'s LD_PRELOAD runs without tnat64 (glibc ignores the path); a plain one with it', async () => {
    cpSync('/usr/bin/curl', root.at('/usr/local/bin/curl-setuid'));
    chmodSync(root.at('/usr/local/bin/curl-setuid'), 0o4755);
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const asNobody = ['--as-pid2', ...nobody, 'env', '-i', `LD_PRELOAD=${STABLE_LIB}`];
    const url = `http://${SERVER_IPV4}/whoami`;
    const plain = await root.nspawn([...asNobody, 'curl', '-sS', '--max-time', '10', url]);
    assert.equal(plain.code, 0, show(plain));
    assert.equal(lab.poolOf(plain.stdout), 0, plain.stdout);
    const suid = await root.nspawn([...asNobody, '/usr/local/bin/curl-setuid', '-sS', '--max-time', '10', url]);
    assert.deepEqual([suid.code, suid.stdout], [7, ''], show(suid));
  });

  test('the guide\'s check of a running service: libtnat64 in its /proc/PID/maps with the drop-in, not without', () => {
    assert.ok(Number(mapped('deploy-sleeper')) > 0, mapped('deploy-sleeper'));
    assert.equal(mapped('deploy-sleeper-plain'), '0\n');
  });
});

describe('systemd: DefaultEnvironment= (every service) instead of a drop-in', () => {
  let booted: Booted;
  before(async () => {
    const root = new Root();
    await install(root);
    root.write('/etc/tnat64.conf', `nat64_prefix = ${lab.addresses.prefix}\n`);
    root.write('/etc/systemd/system.conf.d/tnat64.conf', `[Manager]\nDefaultEnvironment=LD_PRELOAD=${STABLE_LIB}\n`);
    booted = await bootServices(root, { [UNIT]: [] }, { 'deploy-sleeper': [] });
  });

  test('systemd, its own services under tnat64 too, boots and powers off; the unit without a drop-in gets the page', () => {
    assert.equal(booted.boot.code, 0, show(booted.boot));
    const r = booted.result(UNIT);
    assert.deepEqual([r.result, r.code, r.status], ['success', '1', '0'], JSON.stringify(r));
    assert.equal(lab.poolOf(r.body), 0, `the server saw ${r.body}`);
    assert.ok(Number(booted.mapped('deploy-sleeper')) > 0, booted.mapped('deploy-sleeper'));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The Dockerfile, step by step, without a Docker engine.

interface Stage {
  name: string;
  root: Root;
  env: Record<string, string>;
  cmd: string[];
  entrypoint: string[];
}

/** Dockerfile lines, continuations joined, comments and blank lines dropped. */
function instructions(text: string): Array<[string, string]> {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l);
      assert.ok(m, `Dockerfile line without arguments: ${l}`);
      return [m[1]!.toUpperCase(), m[2]!.trim()];
    });
}

/** A RUN that only installs Debian packages: their names (update and list removal aside), or null. */
function aptPackages(cmd: string): string[] | null {
  const parts = cmd.split('&&').map((p) => p.trim());
  if (!parts.some((p) => /^apt-get\s+install\b/.test(p))) return null;
  const pkgs: string[] = [];
  for (const p of parts) {
    if (p === 'apt-get update' || p === 'rm -rf /var/lib/apt/lists/*') continue;
    const m = /^apt-get\s+install\s+(.*)$/.exec(p);
    assert.ok(m, `a RUN mixing apt-get with other commands cannot be carried out here: ${cmd}`);
    pkgs.push(...m[1]!.split(/\s+/).filter((w) => !w.startsWith('-')));
  }
  return pkgs;
}

/**
 * Carry out a Dockerfile (context: the repository). FROM debian:bookworm-slim is this host's Debian 12 under an
 * overlay; a RUN that installs packages checks they are installed here instead (the host has more, never less); any
 * other RUN runs in the stage's container without a network; COPY and ENV/CMD/ENTRYPOINT are done as Docker does.
 * An instruction this cannot carry out fails the test rather than being skipped.
 */
async function buildImage(dockerfile: string): Promise<Stage> {
  const stages: Stage[] = [];
  let cur: Stage | undefined;
  for (const [op, arg] of instructions(readFileSync(dockerfile, 'utf8'))) {
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(arg);
      assert.ok(m && m[1] === 'debian:bookworm-slim', `only FROM debian:bookworm-slim can be reproduced here: ${arg}`);
      assert.match(readFileSync('/etc/os-release', 'utf8'), /^VERSION_CODENAME=bookworm$/m, 'the host is not Debian 12');
      cur = { name: m[2] ?? String(stages.length), root: new Root(), env: {}, cmd: [], entrypoint: [] };
      stages.push(cur);
      continue;
    }
    assert.ok(cur, `${op} before FROM`);
    if (op === 'RUN') {
      const pkgs = aptPackages(arg);
      if (pkgs) {
        assert.ok(pkgs.length > 0, arg);
        const r = await run(['dpkg-query', '-W', '-f', '${Package} ${db:Status-Status}\n', ...pkgs]);
        assert.equal(r.code, 0, show(r));
        for (const p of pkgs) assert.match(r.stdout, new RegExp(`^${p} installed$`, 'm'), `${p} is not installed on this host`);
        continue;
      }
      const setenv = Object.entries(cur.env).map(([k, v]) => `--setenv=${k}=${v}`);
      const r = await cur.root.nspawn([...setenv, '--as-pid2', '/bin/sh', '-c', arg], { network: 'none', timeoutMs: 120_000 });
      assert.equal(r.code, 0, `RUN ${arg}: ${show(r)}`);
    } else if (op === 'COPY') {
      const words = arg.split(/\s+/);
      const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
      assert.equal(words.length, 2, `COPY with one source: ${arg}`);
      const [src, dest] = words as [string, string];
      let source: string;
      if (from !== undefined) {
        const stage = stages.find((s) => s.name === from);
        assert.ok(stage, `COPY --from=${from}: no such stage`);
        source = stage.root.at(src);
      } else {
        source = join(REPO, src);
      }
      assert.ok(existsSync(source), `COPY: ${source} is missing`);
      mkdirSync(dirname(cur.root.at(dest)), { recursive: true });
      cpSync(source, cur.root.at(dest), { recursive: true });
    } else if (op === 'ENV') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/.exec(arg);
      assert.ok(m, `ENV KEY=VALUE, one per line: ${arg}`);
      cur.env[m[1]!] = m[2]!;
    } else if (op === 'CMD' || op === 'ENTRYPOINT') {
      const argv = JSON.parse(arg) as string[];
      assert.ok(Array.isArray(argv), `${op} in exec form: ${arg}`);
      if (op === 'CMD') cur.cmd = argv;
      else cur.entrypoint = argv;
    } else {
      assert.fail(`${op} is not carried out by this test: teach buildImage() or change the Dockerfile`);
    }
  }
  assert.ok(cur, 'no FROM');
  return cur;
}

describe('container: deploy/container/Dockerfile on an IPv6-only network', () => {
  let image: Stage;
  /** `docker run IMAGE [CMD…]`: the image's ENV only, its ENTRYPOINT, its CMD unless one is given. */
  const dockerRun = (cmd?: string[], env = image.env) =>
    image.root.nspawn([
      ...Object.entries(env).map(([k, v]) => `--setenv=${k}=${v}`),
      '--as-pid2', ...image.entrypoint, ...(cmd ?? image.cmd),
    ]);

  before(async () => {
    image = await buildImage(join(DEPLOY, 'container', 'Dockerfile'));
  });

  test('the image holds the library its build stage compiled, of this package\'s version, and LD_PRELOAD names it', () => {
    assert.equal(image.env.LD_PRELOAD, STABLE_LIB);
    const elf = readFileSync(image.root.at(STABLE_LIB));
    assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF');
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    assert.ok(elf.includes(`tnat64-version=${version}\0`), `no version marker ${version} in the image's library`);
  });

  test('docker run IMAGE: its CMD (curl -4) gets the IPv4-only server\'s page, no prefix configured (DNS64 discovery)', async () => {
    const r = await dockerRun();
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, HTTP_BODY);
  });

  test('another IPv4-only program by name: python3 AF_INET to the A record; the server sees the NAT64 pool', async () => {
    // The program's file through the checkout's mount in the container.
    const r = await dockerRun(pyFile('tcp-whoami-by-name.py', SERVER_NAME).map(inside));
    assert.equal(r.code, 0, show(r));
    const out = JSON.parse(r.stdout) as { peer: [string, number]; seen: string };
    assert.deepEqual(out.peer, [SERVER_IPV4, 80]);
    assert.equal(lab.poolOf(out.seen), 0, out.seen);
  });

  test('the same container with LD_PRELOAD emptied (docker run -e LD_PRELOAD=) cannot reach IPv4 (curl exits 7)', async () => {
    const r = await dockerRun(undefined, { ...image.env, LD_PRELOAD: '' });
    assert.equal(r.code, 7, show(r));
    assert.equal(r.stdout, '');
  });

  test('Dockerfile.alpine\'s build stage, musl-gcc standing in for Alpine\'s gcc: its library takes a musl program through NAT64', async () => {
    // COPY package.json /src/package.json, COPY lib /src/lib, RUN make -C /src/lib; linux-headers is the kernel's
    // linux/, asm/ and asm-generic/ in a directory of their own, as on Alpine.
    const dir = join(lab.dir, 'alpine');
    const headers = join(dir, 'linux-headers');
    mkdirSync(headers, { recursive: true });
    symlinkSync('/usr/include/linux', join(headers, 'linux'));
    symlinkSync('/usr/include/asm-generic', join(headers, 'asm-generic'));
    const multiarch = spawnSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(`/usr/include/${multiarch}/asm`, join(headers, 'asm'));
    cpSync(join(REPO, 'package.json'), join(dir, 'src', 'package.json'));
    cpSync(join(REPO, 'lib'), join(dir, 'src', 'lib'), { recursive: true });
    const make = await run(['make', '-s', '-C', join(dir, 'src', 'lib'), `CC=musl-gcc -isystem ${headers}`], { timeoutMs: 180_000 });
    assert.equal(make.code, 0, show(make));
    const lib = join(dir, 'src', 'build', 'libtnat64.so');
    // An IPv4-only client for musl: AF_INET, the server's address, GET /whoami; the body or the connect errno.
    writeFileSync(join(dir, 'client.c'), [
      '#include <arpa/inet.h>', '#include <errno.h>', '#include <stdio.h>', '#include <string.h>',
      '#include <sys/socket.h>', '#include <unistd.h>',
      'int main(void) {',
      '  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };',
      `  inet_pton(AF_INET, "${SERVER_IPV4}", &a.sin_addr);`,
      '  int s = socket(AF_INET, SOCK_STREAM, 0);',
      '  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { printf("errno %d\\n", errno); return 2; }',
      '  const char *q = "GET /whoami HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n";',
      '  if (write(s, q, strlen(q)) < 0) return 3;',
      '  char buf[4096]; size_t n = 0; ssize_t r;',
      '  while (n < sizeof buf - 1 && (r = read(s, buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;',
      '  buf[n] = 0;',
      '  char *body = strstr(buf, "\\r\\n\\r\\n");',
      '  printf("%s", body ? body + 4 : "");',
      '  return 0;',
      '}', '',
    ].join('\n'));
    const cc = await run(['musl-gcc', '-O2', '-o', join(dir, 'client'), join(dir, 'client.c')]);
    assert.equal(cc.code, 0, show(cc));
    const without = await lab.run([join(dir, 'client')]);
    assert.deepEqual([without.code, without.stdout], [2, 'errno 101\n'], `ENETUNREACH without tnat64: ${show(without)}`);
    // Through env(1), so that only the musl program gets the musl library (not `ip netns exec`, a glibc program).
    const withLib = await lab.run(['env', `LD_PRELOAD=${lib}`, join(dir, 'client')]);
    assert.equal(withLib.code, 0, show(withLib));
    assert.equal(lab.poolOf(withLib.stdout), 0, withLib.stdout);
  });

  test('musl (Alpine): a musl program with the glibc library in LD_PRELOAD does not start at all (exit 127)', async () => {
    const dir = join(lab.dir, 'musl');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("started"); return 0; }\n');
    const cc = await run(['musl-gcc', '-o', join(dir, 'hello'), join(dir, 'hello.c')]);
    assert.equal(cc.code, 0, show(cc));
    const plain = await lab.run([join(dir, 'hello')]);
    assert.deepEqual([plain.code, plain.stdout], [0, 'started\n'], show(plain));
    const glibcLib = await lab.run(['env', `LD_PRELOAD=${PATHS.library}`, join(dir, 'hello')]);
    assert.deepEqual([glibcLib.code, glibcLib.stdout], [127, ''], show(glibcLib));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// /etc/ld.so.preload: system-wide.

describe('/etc/ld.so.preload', () => {
  const PRELOAD = `${STABLE_LIB}\n`;
  const curlWhoami = ['curl', '-sS', '--max-time', '10', `http://${SERVER_IPV4}/whoami`];

  describe('naming the installed library, with the prefix in /etc/tnat64.conf', () => {
    let root: Root;
    before(async () => {
      root = new Root();
      await install(root);
      root.write('/etc/tnat64.conf', `nat64_prefix = ${lab.addresses.prefix}\n`);
      root.write('/etc/ld.so.preload', PRELOAD);
      // A setuid-root program (a copy of curl): glibc preloads for it too; tnat64 then ignores the environment.
      cpSync('/usr/bin/curl', root.at('/usr/local/bin/curl-setuid'));
      chmodSync(root.at('/usr/local/bin/curl-setuid'), 0o4755);
    });

    test('an unmodified program with an empty environment reaches the IPv4-only server through NAT64', async () => {
      const r = await root.nspawn(['--as-pid2', 'env', '-i', ...curlWhoami]);
      assert.equal(r.code, 0, show(r));
      assert.equal(lab.poolOf(r.stdout), 0, r.stdout);
      const page = await root.nspawn(['--as-pid2', 'env', '-i', 'curl', '-sS', '--max-time', '10', `http://${SERVER_NAME}/`]);
      assert.deepEqual([page.code, page.stdout], [0, HTTP_BODY], show(page));
    });

    test('the guide\'s checks, themselves under the preloaded library: tnat64 check, doctor TARGET, doctor --program', async () => {
      const tn = ['--as-pid2', 'env', '-i', 'PATH=/usr/local/bin:/usr/bin:/bin', 'tnat64'];
      const check = await root.nspawn([...tn, 'check']);
      assert.equal(check.code, 0, show(check));
      const doctor = await root.nspawn([...tn, 'doctor', SERVER_IPV4]);
      assert.equal(doctor.code, 0, show(doctor));
      const dynamic = await root.nspawn([...tn, 'doctor', '--program', '/usr/bin/curl']);
      assert.equal(dynamic.code, 0, show(dynamic));
      // A static program: the file never reaches it; the doctor says tnat64 PROGRAM would run it under the seccomp engine.
      const statik = await root.nspawn([...tn, 'doctor', '--program', '/sbin/ldconfig', '--json']);
      assert.equal(statik.code, 0, show(statik));
      const program = (JSON.parse(statik.stdout) as { checks: Array<{ id: string; data: { engine?: string } }> }).checks.find((c) => c.id === 'program');
      assert.equal(program?.data.engine, 'seccomp', show(statik));
    });

    test('setuid: the environment\'s TNAT64_PREFIX is ignored, /etc/tnat64.conf counts; a plain program follows the variable', async () => {
      const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
      const asNobody = ['--as-pid2', ...nobody, 'env', '-i', `TNAT64_PREFIX=${EXTRA}`];
      const plain = await root.nspawn([...asNobody, ...curlWhoami]);
      assert.equal(plain.code, 0, show(plain));
      assert.equal(lab.poolOf(plain.stdout), 1, `plain curl: the server saw ${plain.stdout}`);
      const suid = await root.nspawn([...asNobody, '/usr/local/bin/curl-setuid', ...curlWhoami.slice(1)]);
      assert.equal(suid.code, 0, show(suid));
      assert.equal(lab.poolOf(suid.stdout), 0, `setuid curl: the server saw ${suid.stdout}`);
    });
  });

  /** A root whose ld.so.preload names a library that cannot be loaded: `file` put there (or nothing: missing). */
  const broken = (file?: (path: string) => void) => {
    const root = new Root();
    root.write('/etc/ld.so.preload', PRELOAD);
    if (file) {
      mkdirSync(dirname(root.at(STABLE_LIB)), { recursive: true });
      file(root.at(STABLE_LIB));
    }
    return root;
  };
  const SCRIPT = ['env', '-i', 'sh', '-c', 'printf out; /bin/true; exit 3'];

  for (const [what, make] of [
    ['missing', undefined],
    ['for another architecture', (p: string) => {
      // This host's library with another ELF machine (EM_AARCH64 183, on arm64 EM_X86_64 62): a wrong-architecture copy.
      const elf = readFileSync(PATHS.library);
      elf.writeUInt16LE(process.arch === 'arm64' ? 62 : 183, 18);
      writeFileSync(p, elf);
    }],
    ['truncated', (p: string) => writeFileSync(p, readFileSync(PATHS.library).subarray(0, 100))],
    ['empty', (p: string) => writeFileSync(p, '')],
  ] as Array<[string, ((p: string) => void) | undefined]>) {
    test(`a library that is ${what}: each dynamic program runs as without it and says so once on stderr`, async () => {
      const root = broken(make);
      // env, sh and true: three dynamic programs, three lines.
      const r = await root.nspawn(['--as-pid2', ...SCRIPT]);
      assert.deepEqual([r.code, r.stdout], [3, 'out'], show(r));
      assert.equal(linesNaming(r.stderr, STABLE_LIB), 3, show(r));
      // Without tnat64, an IPv4-only program fails as on any IPv6-only host.
      const c = await root.nspawn(['--as-pid2', 'env', '-i', ...curlWhoami]);
      assert.deepEqual([c.code, c.stdout], [7, ''], show(c));
      // A static program does not read /etc/ld.so.preload.
      const s = await root.nspawn(['--as-pid2', '/sbin/ldconfig', '--version']);
      assert.equal(s.code, 0, show(s));
      assert.equal(linesNaming(s.stderr, STABLE_LIB), 0, show(s));
    });
  }

  test('a library built for another libc (musl): no dynamic program starts (127); a running shell repairs it with a builtin', async () => {
    const dir = join(lab.dir, 'musl-lib');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'x.c'), 'int tnat64_placeholder(void) { return 0; }\n');
    const cc = await run(['musl-gcc', '-shared', '-fPIC', '-o', join(dir, 'libx.so'), join(dir, 'x.c')]);
    assert.equal(cc.code, 0, show(cc));
    const root = broken((p) => cpSync(join(dir, 'libx.so'), p));
    const r = await root.nspawn(['--as-pid2', ...SCRIPT]);
    assert.deepEqual([r.code, r.stdout], [127, ''], show(r));
    // A shell started before the file broke keeps working: a builtin empties ld.so.preload, programs start again.
    const clean = new Root();
    mkdirSync(dirname(clean.at(STABLE_LIB)), { recursive: true });
    cpSync(join(dir, 'libx.so'), clean.at(STABLE_LIB));
    const fix = await clean.nspawn([
      '--as-pid2', '/bin/sh', '-c',
      `echo ${STABLE_LIB} > /etc/ld.so.preload; /bin/true; echo "broken $?"; : > /etc/ld.so.preload; /bin/true; echo "repaired $?"`,
    ]);
    assert.equal(fix.stdout, 'broken 127\nrepaired 0\n', show(fix));
  });
});
