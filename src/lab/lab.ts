/**
 * The network lab: an IPv6-only client, a NAT64 gateway (TAYGA + unbound DNS64) and an IPv4-only server, each in its
 * own network namespace, wired by veth pairs created directly inside the namespaces (nothing touches the host's
 * namespace, nothing routes out). See docs/LAB.md for the drawing.
 *
 *   const lab = await Lab.create({ prefix: '2001:db8:100::/40' });
 *   try { const r = await lab.run(['tnat64', 'curl', '-s', 'http://203.0.113.2/']); } finally { await lab.destroy(); }
 *
 * Every external command has a deadline; destroy() (and, for a process that dies, its exit/signal handlers) removes
 * the namespaces, processes, /etc/netns files and temporary files. `Lab.cleanup()` removes what a crashed run left.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, must, type RunOptions, type RunResult } from './exec.js';
import { formatIPv6, overlaps, parseIPv6, parsePrefix, synthesize, type Prefix } from './addr.js';
import { startPref64Router, type Pref64Advert } from './pref64-router.js';

export interface LabOptions {
  /**
   * NAT64 prefix of TAYGA and the DNS64, any RFC 6052 length. Default 2001:db8:64::/96: TAYGA 0.9.2 refuses every
   * prefix in 0::/8 except exactly 64:ff9b::/96 ("reserved address"), so RFC 8215's 64:ff9b:1::/48 cannot be used.
   */
  prefix?: string;
  /** More TAYGA instances on the same gateway, one per prefix, each with its own quarter of the pool (max 3). */
  extraPrefixes?: string[];
  /** The gateway's resolver synthesizes AAAA records (DNS64). Default true; false = a plain resolver. */
  dns64?: boolean;
  /** TAYGA runs. Default true; false = the prefix leads nowhere (the gateway answers "unreachable"). */
  nat64?: boolean;
  /** The client has IPv6 (address and default route via the gateway). Default true. */
  clientIPv6?: boolean;
  /** The client has IPv4 too (192.0.2.2/24, default route via the gateway, which routes to the server). Default false. */
  clientIPv4?: boolean;
  /**
   * The client's resolv.conf nameservers. Default: the gateway's resolver (its IPv6 address, and its IPv4 one with
   * clientIPv4). E.g. ['203.0.113.2'] gives an IPv6-only client an IPv4-only nameserver that glibc cannot reach.
   */
  nameservers?: string[];
  /** A `search` line in the client's resolv.conf (e.g. ['lab.example']: `v6only` means v6only.lab.example). */
  search?: string[];
  /** Bound on building the lab and waiting for every service. Default 20 s. */
  readyTimeoutMs?: number;
  /**
   * A 464XLAT CLAT on the client (the alternative to tnat64): a second TAYGA in the client namespace, tun `clat`,
   * client IPv4 192.0.0.2/29 on it with the IPv4 default route into it; TAYGA maps 192.0.0.2 to the client's CLAT
   * IPv6 address (in its own /64, routed to the client by the gateway) and everything else into the lab prefix.
   * Needs clientIPv6 and nat64, excludes clientIPv4. Default false.
   */
  clat?: boolean;
  /**
   * A router on the gateway's client link advertising this NAT64 prefix in PREF64 options (RFC 8781;
   * src/lab/pref64-router.ts). TAYGA serves it only if it is `prefix` or one of `extraPrefixes`. Needs clientIPv6.
   * Default false.
   */
  pref64?: Pref64Advert | false;
}

export type Host = 'client' | 'gateway' | 'server';

/**
 * The names of lab.example beyond the server's own, for name-resolution tests. `v6only`, `alias` (a CNAME to it),
 * `multi` and `v6n` have AAAA records only, of the IPv6-only host (which the DNS64 passes through unchanged).
 */
export const LAB_NAMES = {
  /** A 203.0.113.2 only. */
  v4: 'v4.lab.example',
  /** A 203.0.113.2 and AAAA the IPv6-only host's main address. */
  dual: 'dual.lab.example',
  /** AAAA the IPv6-only host's main address. */
  v6only: 'v6only.lab.example',
  /** CNAME v6only.lab.example. */
  alias: 'alias.lab.example',
  /** AAAA the main address and the first extra one. */
  multi: 'multi.lab.example',
  /** AAAA 203.0.113.2 synthesized with the lab prefix, no A: what a DNS64 answer looks like, written in the zone. */
  embedded: 'embedded.lab.example',
  /** v6-1 … v6-4: AAAA one extra address each (different ones: enough distinct names to exhaust a small pool). */
  v6n: ['v6-1.lab.example', 'v6-2.lab.example', 'v6-3.lab.example', 'v6-4.lab.example'],
} as const;

export interface LabAddresses {
  /** The main NAT64 prefix (TAYGA and DNS64), `addr/len`. */
  prefix: string;
  extraPrefixes: string[];
  server: { ipv4: string; name: string };
  /** Client addresses (absent when that family is off). */
  client: { ipv6?: string; ipv4?: string; ipv6Link?: string };
  gateway: { ipv6?: string; ipv4?: string; serverSide: string };
  /**
   * The IPv6-only host (on the gateway, reachable from the client over IPv6 only): its main address and the extra
   * ones (extra[i] is LAB_NAMES.v6n[i]'s), each running every service of services.ts.
   */
  ipv6Host: { address: string; extra: string[] };
  /** With `clat`: the client's IPv4 address on the CLAT tun and the IPv6 address TAYGA maps it to. */
  clat?: { ipv4: string; ipv6: string; tayga: string };
  /** The resolver the client's resolv.conf names (the gateway's unbound). */
  resolvers: string[];
  /** TAYGA's dynamic pools, in prefix order: the source the server sees for NAT64 traffic. */
  pools: string[];
  namespaces: Record<Host, string>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Killed after this long (default 5 min): a background process cannot outlive its deadline either. */
  timeoutMs?: number;
}

/** A process running in the background in a lab namespace. */
export interface Background {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<RunResult>;
  /** SIGTERM, then SIGKILL after a second; resolves when it has exited. */
  stop(): Promise<RunResult>;
}

export const SERVER_IPV4 = '203.0.113.2';
export const SERVER_NAME = 'server.lab.example';
export const DEFAULT_PREFIX = '2001:db8:64::/96';
const GATEWAY_SERVER_SIDE = '203.0.113.1';
const CLIENT_IPV4 = '192.0.2.2';
const GATEWAY_IPV4 = '192.0.2.1';
/**
 * Candidate client links, first one not overlapping any lab prefix wins: a prefix 2001:db8::/32 covers the first, so
 * the second is in 3fff::/20 (documentation too, RFC 9637; TAYGA rejects sources in 0::/8, so not 64:ff9b:1::/48).
 */
const CLIENT_LINKS = ['2001:db8:1::', '3fff:1::'];
/** Candidate /64s for the CLAT's IPv6 side (::1 its TAYGA, ::2 the address 192.0.0.2 maps to), same rule. */
const CLAT_NETS = ['2001:db8:464::', '3fff:464::'];
/** RFC 7335's IPv4 service continuity prefix, 192.0.0.0/29: the CLAT's host side and TAYGA's own address. */
const CLAT_IPV4 = '192.0.0.2';
const CLAT_TAYGA_IPV4 = '192.0.0.1';
/** Candidate /64s for TAYGA's own IPv6 addresses (its ICMPv6 source), same rule. */
const TAYGA_NETS = ['2001:db8:ff64::', '3fff:64::'];
/** Candidate /64s for the IPv6-only host (::6 main, ::11… extra), same rule. */
const IPV6_HOST_NETS = ['2001:db8:6::', '3fff:6::'];
const NS_PREFIX = 'tn64-';
/** Exactly the names a lab uses (tn64-<pid>-<n>-cli|gw|srv, temp dir tn64-<pid>-<n>-XXXXXX): cleanup touches no other tn64-*. */
const LAB_NS = /^tn64-\d+-\d+-(cli|gw|srv)$/;
const LAB_DIR = /^tn64-\d+-\d+-[A-Za-z0-9]{6}$/;

/** The repository root, from dist/src/lab/lab.js. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
export const PATHS = {
  repo: REPO,
  bin: join(REPO, 'bin'),
  tnat64: join(REPO, 'bin', 'tnat64'),
  library: join(REPO, 'build', 'libtnat64.so'),
  services: join(REPO, 'dist', 'src', 'lab', 'services.js'),
  probe: join(REPO, 'dist', 'src', 'lab', 'probe.js'),
};

const live = new Set<Lab>();
let handlersInstalled = false;

/** On exit or a fatal signal, remove every lab this process still has (synchronously), then die as asked. */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => live.forEach((lab) => lab.destroySync()));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      live.forEach((lab) => lab.destroySync());
      process.exitCode = 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[sig];
      process.exit();
    });
  }
}

let counter = 0;

export class Lab {
  readonly addresses: LabAddresses;
  readonly prefix: Prefix;
  readonly extraPrefixes: Prefix[];
  readonly dir: string;
  /** The /64 TAYGA's own IPv6 addresses come from (::1, ::2 … one per instance). */
  private readonly taygaNet: bigint;
  /** The /64 of the CLAT's IPv6 side (clat only). */
  private readonly clatNet: bigint;
  /** The client's TAYGA (clat only): its pid is what a benchmark reads the CLAT's CPU time from. */
  clatTayga?: Background;
  private readonly children = new Set<ChildProcess>();
  private readonly created: string[] = [];
  private destroyed = false;

  private constructor(
    readonly options: Required<LabOptions>,
    readonly id: string,
  ) {
    this.prefix = parsePrefix(options.prefix);
    this.extraPrefixes = options.extraPrefixes.map(parsePrefix);
    const prefixes = [this.prefix, ...this.extraPrefixes];
    const free = (candidates: string[], what: string) => {
      const net = candidates.find((c) => prefixes.every((p) => !overlaps(parseIPv6(c), 64, p.value, p.length)));
      if (!net) throw new Error(`no ${what} outside the prefixes ${prefixes.map((p) => p.text).join(' ')}`);
      return parseIPv6(net);
    };
    const link = free(CLIENT_LINKS, 'client link');
    const v6net = free(IPV6_HOST_NETS, 'IPv6-only host');
    const ns = (role: string) => `${NS_PREFIX}${id}-${role}`;
    this.addresses = {
      prefix: this.prefix.text,
      extraPrefixes: this.extraPrefixes.map((p) => p.text),
      server: { ipv4: SERVER_IPV4, name: SERVER_NAME },
      client: {
        ...(options.clientIPv6 ? { ipv6: formatIPv6(link + 2n), ipv6Link: `${formatIPv6(link)}/64` } : {}),
        ...(options.clientIPv4 ? { ipv4: CLIENT_IPV4 } : {}),
      },
      gateway: {
        ...(options.clientIPv6 ? { ipv6: formatIPv6(link + 1n) } : {}),
        ...(options.clientIPv4 ? { ipv4: GATEWAY_IPV4 } : {}),
        serverSide: GATEWAY_SERVER_SIDE,
      },
      resolvers: [
        ...(options.clientIPv6 ? [formatIPv6(link + 1n)] : []),
        ...(options.clientIPv4 ? [GATEWAY_IPV4] : []),
      ],
      pools: prefixes.map((_, i) => `198.51.100.${64 * i}/26`),
      ipv6Host: {
        address: formatIPv6(v6net + 6n),
        extra: LAB_NAMES.v6n.map((_, i) => formatIPv6(v6net + 0x11n + BigInt(i))),
      },
      namespaces: { client: ns('cli'), gateway: ns('gw'), server: ns('srv') },
    };
    this.taygaNet = free(TAYGA_NETS, 'TAYGA address');
    this.clatNet = options.clat ? free(CLAT_NETS, 'CLAT network') : 0n;
    if (options.clat) {
      this.addresses.clat = { ipv4: CLAT_IPV4, ipv6: formatIPv6(this.clatNet + 2n), tayga: formatIPv6(this.clatNet + 1n) };
    }
    this.dir = mkdtempSync(join(tmpdir(), `${NS_PREFIX}${id}-`));
  }

  /** Build a lab and wait until every service answers. Throws (after removing what it built) on any failure. */
  static async create(opts: LabOptions = {}): Promise<Lab> {
    const options: Required<LabOptions> = {
      prefix: DEFAULT_PREFIX,
      extraPrefixes: [],
      dns64: true,
      nat64: true,
      clientIPv6: true,
      clientIPv4: false,
      nameservers: [],
      search: [],
      readyTimeoutMs: 20_000,
      clat: false,
      pref64: false,
      ...(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as LabOptions),
    };
    if (!options.clientIPv6 && !options.clientIPv4) throw new Error('lab: the client needs IPv6, IPv4 or both');
    if (options.extraPrefixes.length > 3) throw new Error('lab: at most 3 extra prefixes');
    if (options.clat && (!options.clientIPv6 || !options.nat64 || options.clientIPv4)) {
      throw new Error('lab: clat needs clientIPv6 and nat64, and no clientIPv4');
    }
    if (options.pref64 && !options.clientIPv6) throw new Error('lab: pref64 needs clientIPv6');
    installHandlers();
    const lab = new Lab(options, `${process.pid}-${counter++}`);
    live.add(lab);
    try {
      await lab.build();
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  /** The address of `ipv4` synthesized with the lab's prefix (or another prefix). */
  synthesize(ipv4: string = SERVER_IPV4, prefix: string = this.prefix.text): string {
    return synthesize(parsePrefix(prefix), ipv4);
  }

  /** Which TAYGA pool (0 = the main prefix's, 1… the extra prefixes') holds this IPv4 address; -1 if none. */
  poolOf(address: string): number {
    const m = /^198\.51\.100\.(\d+)$/.exec(address.trim());
    return m ? this.addresses.pools.findIndex((_, i) => Math.floor(Number(m[1]) / 64) === i) : -1;
  }

  /**
   * The environment commands in the lab get: this process's, without any tnat64 variable or LD_PRELOAD (so the
   * developer's shell cannot leak into a test), the repository's bin/ first on PATH, then `extra`.
   */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TNAT64_') && k !== 'LD_PRELOAD') env[k] = v;
    env.PATH = `${PATHS.bin}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'}`;
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  }

  /** Run a command in the client host. */
  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.runIn('client', argv, opts);
  }

  /** Run a command in one of the lab's hosts (environment as env()). */
  runIn(host: Host, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (this.destroyed) throw new Error('lab: already destroyed');
    return run(['ip', 'netns', 'exec', this.addresses.namespaces[host], ...argv], { ...opts, env: this.env(opts.env) });
  }

  /** Start a command in the background in the client host; it is stopped by destroy() at the latest. */
  spawn(argv: readonly string[], opts: SpawnOptions = {}): Background {
    return this.spawnIn('client', argv, opts);
  }

  spawnIn(host: Host, argv: readonly string[], opts: SpawnOptions = {}): Background {
    if (this.destroyed) throw new Error('lab: already destroyed');
    const started = performance.now();
    const child = spawn('ip', ['netns', 'exec', this.addresses.namespaces[host], ...argv], {
      env: this.env(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      void bg.stop();
    }, opts.timeoutMs ?? 300_000);
    deadline.unref();
    const exited = new Promise<RunResult>((resolve) => {
      child.on('error', (e) => (err += `${argv[0]}: ${e.message}\n`));
      child.on('close', (code, signal) => {
        clearTimeout(deadline);
        this.children.delete(child);
        resolve({ code, signal, stdout: out, stderr: err, durationMs: performance.now() - started, timedOut });
      });
    });
    const bg: Background = {
      pid: child.pid ?? -1,
      stdout: () => out,
      stderr: () => err,
      exited,
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 1000).unref();
        }
        return exited;
      },
    };
    return bg;
  }

  /** Wait (bounded) until a background process has printed `text` on stdout or stderr. */
  async waitFor(bg: Background, text: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = () => {
      const all = bg.stdout() + bg.stderr();
      return typeof text === 'string' ? all.includes(text) : text.test(all);
    };
    let done = false;
    void bg.exited.then(() => (done = true));
    while (!seen()) {
      if (done) throw new Error(`lab: process exited before printing ${String(text)}:\n${bg.stderr()}${bg.stdout()}`);
      if (Date.now() > deadline) throw new Error(`lab: no ${String(text)} within ${timeoutMs} ms:\n${bg.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async build(): Promise<void> {
    const o = this.options;
    const a = this.addresses;
    const n = a.namespaces;
    const deadline = Date.now() + o.readyTimeoutMs;
    for (const ns of [n.client, n.gateway, n.server]) {
      await must(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
    }
    // node takes longer to start than the links take to build: the services start now and wait for their addresses.
    // The IPv6-only host's only when the client can reach it (one node process less for IPv4-only clients).
    const services = this.spawnIn('server', ['node', PATHS.services, SERVER_IPV4], { timeoutMs: 24 * 3600_000 });
    const v6services = o.clientIPv6
      ? this.spawnIn('gateway', ['node', PATHS.services, a.ipv6Host.address, ...a.ipv6Host.extra], { timeoutMs: 24 * 3600_000 })
      : undefined;
    const sysctl = (ns: string, ...kv: string[]) => must(['ip', 'netns', 'exec', ns, 'sysctl', '-q', ...kv.flatMap((x) => ['-w', x])]);
    const noDad = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];
    await Promise.all([
      sysctl(
        n.client,
        ...noDad,
        ...(o.clientIPv6 ? [] : ['net.ipv6.conf.default.disable_ipv6=1']),
        // The CLAT's IPv6 packets come out of its tun and go on to eth0: the client forwards IPv6.
        ...(o.clat ? ['net.ipv6.conf.all.forwarding=1'] : []),
      ),
      sysctl(n.gateway, ...noDad, 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'),
      sysctl(n.server, 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'),
    ]);
    await must(['ip', '-n', n.client, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'to-cli', 'netns', n.gateway]);
    await must(['ip', '-n', n.server, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'to-srv', 'netns', n.gateway]);
    const batch = (ns: string, lines: string[]) => must(['ip', '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
    await batch(n.client, [
      'link set lo up',
      'link set eth0 up',
      ...(o.clientIPv6 ? [`addr add ${a.client.ipv6}/64 dev eth0 nodad`, `route add ::/0 via ${a.gateway.ipv6} dev eth0`] : []),
      ...(o.clientIPv4 ? [`addr add ${CLIENT_IPV4}/24 dev eth0`, `route add 0.0.0.0/0 via ${GATEWAY_IPV4} dev eth0`] : []),
    ]);
    await batch(n.gateway, [
      'link set lo up',
      'link set to-cli up',
      'link set to-srv up',
      ...(o.clientIPv6 ? [`addr add ${a.gateway.ipv6}/64 dev to-cli nodad`] : []),
      ...(o.clientIPv4 ? [`addr add ${GATEWAY_IPV4}/24 dev to-cli`] : []),
      `addr add ${GATEWAY_SERVER_SIDE}/24 dev to-srv`,
      // The IPv6-only host's addresses: local to the gateway, so the client reaches them through its default route.
      ...[a.ipv6Host.address, ...a.ipv6Host.extra].map((x) => `addr add ${x}/128 dev lo`),
      ...(o.clat ? [`route add ${formatIPv6(this.clatNet)}/64 via ${a.client.ipv6} dev to-cli`] : []),
    ]);
    await batch(n.server, [
      'link set lo up',
      'link set eth0 up',
      `addr add ${SERVER_IPV4}/24 dev eth0`,
      `route add 0.0.0.0/0 via ${GATEWAY_SERVER_SIDE} dev eth0`,
    ]);

    // /etc/netns/<ns>/resolv.conf is bind-mounted over /etc/resolv.conf by `ip netns exec`.
    const etc = `/etc/netns/${n.client}`;
    mkdirSync(etc, { recursive: true });
    // The client is another machine: hide this host's own /etc/tnat64.conf from it (bind-mounted only if it exists).
    if (existsSync('/etc/tnat64.conf')) writeFileSync(join(etc, 'tnat64.conf'), "# the lab's client has no configuration\n");
    const nameservers = o.nameservers.length > 0 ? o.nameservers : a.resolvers;
    writeFileSync(
      join(etc, 'resolv.conf'),
      nameservers.map((r) => `nameserver ${r}\n`).join('') +
        (o.search.length > 0 ? `search ${o.search.join(' ')}\n` : '') +
        'options timeout:1 attempts:2\n',
    );

    // The lab's daemons, by name: one that exits during the build fails it at once, with everyone's output.
    const daemons = new Map<string, Background>();
    daemons.set('services (server)', services);
    if (v6services) daemons.set('services (IPv6-only host)', v6services);
    daemons.set('unbound (server)', this.startUnbound('server', this.serverUnboundConf(), { 'lab.example.zone': this.labZone() }));
    daemons.set('unbound (gateway)', this.startUnbound('gateway', this.gatewayUnboundConf()));
    if (o.nat64) for (const [i, tayga] of (await this.startTayga()).entries()) daemons.set(`tayga ${i} (gateway)`, tayga);
    if (o.clat) daemons.set('tayga CLAT (client)', (this.clatTayga = await this.startClat()));
    if (o.pref64) daemons.set('PREF64 router (gateway)', await startPref64Router(this, PATHS.repo, 'to-cli', o.pref64, Math.max(1000, deadline - Date.now())));
    const report = (why: string) => {
      const out = [...daemons].map(([name, d]) => `${name}: ${(d.stderr() + d.stdout()).trim() || '(no output)'}`);
      return new Error(`lab: ${why}\n${out.join('\n')}`);
    };
    const died = Promise.race(
      [...daemons].map(([name, d]) => d.exited.then((r) => `${name} exited (${r.signal ?? `status ${r.code}`})`)),
    );
    const orDied = async <T>(p: Promise<T>): Promise<T> => {
      const first = await Promise.race([p.then((v) => ({ v })), died.then((why) => ({ why }))]);
      if ('why' in first) throw report(first.why);
      return first.v;
    };
    const ready = (bg: Background) => this.waitFor(bg, 'ready', Math.max(1000, deadline - Date.now()));
    await orDied(Promise.all([ready(services), ...(v6services ? [ready(v6services)] : [])]));

    // Probe from the client: the resolver (and through it the authoritative server), and each NAT64 path.
    const checks: unknown[] = [];
    const dnsServer = a.resolvers[0]!;
    checks.push({ dns: [dnsServer, SERVER_NAME, 'A'] });
    if (o.dns64) checks.push({ dns: [dnsServer, SERVER_NAME, 'AAAA'] });
    if (o.clientIPv6) {
      checks.push({ dns: [dnsServer, LAB_NAMES.v6only, 'AAAA'] });
      checks.push({ tcp: [a.ipv6Host.address, 80] });
    }
    if (o.nat64 && o.clientIPv6) {
      for (const p of [this.prefix, ...this.extraPrefixes]) {
        // TAYGA refuses a non-global IPv4 address under the well-known prefix (RFC 6052 §3.1): nothing to probe.
        if (p.text !== '64:ff9b::/96') checks.push({ tcp: [synthesize(p, SERVER_IPV4), 80] });
      }
    }
    if (o.clientIPv4 || o.clat) checks.push({ tcp: [SERVER_IPV4, 80] });
    const probe = await orDied(
      run(['ip', 'netns', 'exec', n.client, 'node', PATHS.probe, String(Math.max(500, deadline - Date.now())), JSON.stringify(checks)], {
        timeoutMs: Math.max(1000, deadline - Date.now()) + 3000,
      }),
    );
    if (probe.code !== 0) throw report(`not ready within ${o.readyTimeoutMs} ms:\n${probe.stderr.trim()}`);
  }

  /**
   * unbound's AppArmor profile (Debian, enforcing on real machines) lets it read only /etc/unbound/**: the
   * configuration goes to /etc/netns/<ns>/unbound/, which `ip netns exec` bind-mounts over /etc/unbound.
   */
  private startUnbound(host: Host, conf: string, files: Record<string, string> = {}): Background {
    const dir = `/etc/netns/${this.addresses.namespaces[host]}/unbound`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'unbound.conf'), conf);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return this.spawnIn(host, ['unbound', '-d', '-c', '/etc/unbound/unbound.conf'], { timeoutMs: 24 * 3600_000 });
  }

  private unboundCommon(): string[] {
    return [
      'server:',
      '  port: 53',
      '  do-daemonize: no',
      '  chroot: ""',
      '  username: ""',
      '  directory: "/etc/unbound"',
      '  pidfile: ""',
      '  use-syslog: no',
      '  logfile: ""',
      '  verbosity: 0',
      '  num-threads: 1',
      '  so-reuseport: no',
      '  ip-freebind: yes',
      '  interface-automatic: no',
      '  qname-minimisation: no',
      '  access-control: 0.0.0.0/0 allow',
      '  access-control: ::/0 allow',
    ];
  }

  /**
   * The server's authoritative DNS for lab.example. and ipv4only.arpa. (IPv4 only, like the host). lab.example. is an
   * auth-zone, not local-data: asked directly (the client's IPv4-only nameserver), it answers a CNAME together with
   * the target's records, as an authoritative server does; local-data would give the CNAME alone. Every other name
   * is NXDOMAIN at once, as from a resolver that can reach the root (nothing routes out: recursion would time out).
   */
  private serverUnboundConf(): string {
    const soa = (zone: string) => `  local-data: "${zone} 60 IN SOA ns.lab.example. hostmaster.lab.example. 1 3600 600 86400 60"`;
    return [
      ...this.unboundCommon(),
      `  interface: ${SERVER_IPV4}`,
      '  do-ip6: no',
      '  module-config: "iterator"',
      '  local-zone: "." static',
      // Not static like ".": left to the auth-zone below.
      '  local-zone: "lab.example." transparent',
      '  local-zone: "ipv4only.arpa." static',
      soa('ipv4only.arpa.'),
      '  local-data: "ipv4only.arpa. 60 IN A 192.0.0.170"',
      '  local-data: "ipv4only.arpa. 60 IN A 192.0.0.171"',
      'auth-zone:',
      '  name: "lab.example."',
      '  zonefile: "/etc/unbound/lab.example.zone"',
      '  for-downstream: yes',
      '  for-upstream: yes',
      '  fallback-enabled: no',
      'remote-control:',
      '  control-enable: no',
      '',
    ].join('\n');
  }

  /** The zone file of lab.example.: the server's names and LAB_NAMES. */
  private labZone(): string {
    const h = this.addresses.ipv6Host;
    const n = LAB_NAMES;
    return [
      'lab.example. 60 IN SOA ns.lab.example. hostmaster.lab.example. 1 3600 600 86400 60',
      'lab.example. 60 IN NS ns.lab.example.',
      `ns.lab.example. 60 IN A ${SERVER_IPV4}`,
      `${SERVER_NAME}. 60 IN A ${SERVER_IPV4}`,
      `www.lab.example. 60 IN A ${SERVER_IPV4}`,
      `${n.v4}. 60 IN A ${SERVER_IPV4}`,
      `${n.dual}. 60 IN A ${SERVER_IPV4}`,
      `${n.dual}. 60 IN AAAA ${h.address}`,
      `${n.v6only}. 60 IN AAAA ${h.address}`,
      `${n.alias}. 60 IN CNAME ${n.v6only}.`,
      `${n.multi}. 60 IN AAAA ${h.address}`,
      `${n.multi}. 60 IN AAAA ${h.extra[0]}`,
      `${n.embedded}. 60 IN AAAA ${this.synthesize(SERVER_IPV4)}`,
      ...n.v6n.map((name, i) => `${name}. 60 IN AAAA ${h.extra[i]}`),
      '',
    ].join('\n');
  }

  /** The gateway's resolver: DNS64 (unless dns64: false) with the lab prefix; only the lab's zones resolve. */
  private gatewayUnboundConf(): string {
    const o = this.options;
    return [
      ...this.unboundCommon(),
      ...this.addresses.resolvers.map((r) => `  interface: ${r}`),
      '  do-ip6: yes',
      o.dns64 ? '  module-config: "dns64 iterator"' : '  module-config: "iterator"',
      ...(o.dns64 ? [`  dns64-prefix: ${this.prefix.text}`] : []),
      // Nothing routes out: refuse everything but the lab's zones instead of timing out on the root servers.
      '  local-zone: "." refuse',
      '  local-zone: "lab.example." transparent',
      '  local-zone: "ipv4only.arpa." transparent',
      'stub-zone:',
      '  name: "lab.example."',
      `  stub-addr: ${SERVER_IPV4}`,
      'stub-zone:',
      '  name: "ipv4only.arpa."',
      `  stub-addr: ${SERVER_IPV4}`,
      'remote-control:',
      '  control-enable: no',
      '',
    ].join('\n');
  }

  /** One TAYGA per prefix: tun nat64 (nat64-1 …), pool quarter i of 198.51.100.0/24, routes on the gateway. */
  private async startTayga(): Promise<Background[]> {
    const started: Background[] = [];
    const gw = this.addresses.namespaces.gateway;
    const prefixes = [this.prefix, ...this.extraPrefixes];
    for (const [i, p] of prefixes.entries()) {
      const tun = i === 0 ? 'nat64' : `nat64-${i}`;
      const pool = this.addresses.pools[i]!;
      const base = 64 * i;
      const ipv6 = formatIPv6(this.taygaNet + BigInt(i + 1));
      const dataDir = join(this.dir, `tayga-${i}`);
      mkdirSync(dataDir);
      const conf = join(this.dir, `tayga-${i}.conf`);
      writeFileSync(
        conf,
        [`tun-device ${tun}`, `ipv4-addr 198.51.100.${base + 1}`, `ipv6-addr ${ipv6}`, `prefix ${p.text}`, `dynamic-pool ${pool}`, `data-dir ${dataDir}`, ''].join('\n'),
      );
      await must(['ip', 'netns', 'exec', gw, 'tayga', '--mktun', '-c', conf]);
      await must(['ip', '-n', gw, '-batch', '-'], {
        input: [`link set ${tun} up`, `route add ${pool} dev ${tun}`, `route add ${p.text} dev ${tun}`, `route add ${ipv6}/128 dev ${tun}`, ''].join('\n'),
      });
      started.push(this.spawnIn('gateway', ['tayga', '--nodetach', '-c', conf], { timeoutMs: 24 * 3600_000 }));
    }
    return started;
  }

  /** The CLAT: TAYGA in the client namespace, 192.0.0.2 <-> the client's CLAT IPv6 address, the rest via the prefix. */
  private async startClat(): Promise<Background> {
    const cli = this.addresses.namespaces.client;
    const c = this.addresses.clat!;
    const dataDir = join(this.dir, 'tayga-clat');
    mkdirSync(dataDir);
    const conf = join(this.dir, 'tayga-clat.conf');
    writeFileSync(
      conf,
      ['tun-device clat', `ipv4-addr ${CLAT_TAYGA_IPV4}`, `ipv6-addr ${c.tayga}`, `prefix ${this.prefix.text}`, `map ${c.ipv4} ${c.ipv6}`, `data-dir ${dataDir}`, ''].join('\n'),
    );
    await must(['ip', 'netns', 'exec', cli, 'tayga', '--mktun', '-c', conf]);
    await must(['ip', '-n', cli, '-batch', '-'], {
      input: [
        // The IPv6 link's MTU minus the 20 bytes IPv6 adds: no fragmentation or PMTU round trip.
        'link set clat mtu 1480 up',
        `addr add ${c.ipv4}/29 dev clat`,
        `route add 0.0.0.0/0 via ${CLAT_TAYGA_IPV4} dev clat`,
        `route add ${formatIPv6(this.clatNet)}/64 dev clat`,
        '',
      ].join('\n'),
    });
    return this.spawnIn('client', ['tayga', '--nodetach', '-c', conf], { timeoutMs: 24 * 3600_000 });
  }

  /** Stop every process, remove the namespaces, /etc/netns files and the temporary directory. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const stopping = [...this.children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill('SIGKILL'), 1000);
          c.once('close', () => (clearTimeout(t), resolve()));
          c.kill('SIGTERM');
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(stopping), new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
    for (const ns of this.created) await removeNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /** destroy() for exit and signal handlers: synchronous, brutal (SIGKILL), still bounded. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.children) c.kill('SIGKILL');
    for (const ns of this.created) removeNamespaceSync(ns);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /**
   * Remove what crashed runs left behind: `tn64-*` namespaces (and their processes, /etc/netns files, temp dirs)
   * whose owning process is gone — or all of them with `all` (this would break labs other processes are using).
   * Returns the namespaces removed.
   */
  static async cleanup(all = false): Promise<string[]> {
    const list = await must(['ip', 'netns', 'list']);
    const names = list.stdout
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => LAB_NS.test(n));
    const owner = (name: string) => Number(/^tn64-(\d+)-/.exec(name)?.[1] ?? 0);
    // A zombie (which a non-reaping init may keep around) is not alive.
    const alive = (pid: number) => {
      try {
        return pid > 0 && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    const ours = new Set([...live].flatMap((l) => Object.values(l.addresses.namespaces)));
    const doomed = names.filter((n) => !ours.has(n) && (all || !alive(owner(n))));
    for (const ns of doomed) await removeNamespace(ns);
    // /etc/netns and temp directories without a namespace.
    const remaining = new Set(names.filter((n) => !doomed.includes(n)));
    for (const [dir, match] of [
      ['/etc/netns', (e: string) => LAB_NS.test(e) && !remaining.has(e)],
      [tmpdir(), (e: string) => LAB_DIR.test(e) && (all || !alive(owner(e))) && ![...live].some((l) => l.dir.endsWith(e))],
    ] as const) {
      if (!existsSync(dir)) continue;
      for (const e of readdirSync(dir)) if (match(e)) rmSync(join(dir, e), { recursive: true, force: true });
    }
    return doomed;
  }
}

async function removeNamespace(ns: string): Promise<void> {
  const pids = await run(['ip', 'netns', 'pids', ns], { timeoutMs: 5000 });
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await run(['ip', 'netns', 'del', ns], { timeoutMs: 5000 });
  rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
}

function removeNamespaceSync(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { timeout: 5000, encoding: 'utf8' });
  for (const pid of (pids.stdout ?? '').split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
  rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
}

/** Build a lab, run fn with it, always destroy it. */
export async function withLab<T>(opts: LabOptions, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await Lab.create(opts);
  try {
    return await fn(lab);
  } finally {
    await lab.destroy();
  }
}
