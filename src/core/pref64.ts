/**
 * PREF64 (RFC 8781): the NAT64 prefix a router announces in its Router Advertisements, and the small cache file that
 * lets the library use it without privileges (docs/DESIGN.md, "PREF64").
 *
 * - parsePref64Option / parseRouterAdvertisement: the option and the RA message, from bytes.
 * - parsePref64Cache / formatPref64Cache: the cache file; the library's reader (lib/core/prefix/pref64.c) follows the same
 *   rules, and testdata/pref64.tsv holds vectors both halves check.
 * - learnPref64: what the doctor and `tnat64 discover` show: the cache, and (as root, on request) a fresh Router
 *   Solicitation on every interface with IPv6, its Router Advertisements captured with tcpdump.
 */

import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, closeSync, fsyncSync, lstatSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { formatIPv6, maskIPv6, parseIPv6 } from './ipv6.js';
import { formatPrefix, parsePrefix, Prefix, PrefixLength, UnusableCode, unusablePrefix } from './rfc6052.js';

export const PREF64_OPTION_TYPE = 38;
/** Where `tnat64 discover --save-pref64` writes and the library reads, unless TNAT64_PREF64_FILE says otherwise. */
export const DEFAULT_PREF64_FILE = '/run/tnat64/pref64';
/** The library reads at most this much of the cache; a larger file is refused whole. */
export const PREF64_FILE_MAX = 4096;
/** At most this many entries; more make the file invalid. */
export const PREF64_MAX_ENTRIES = 8;

/** PLC (prefix length code) → prefix length, RFC 8781 §4. */
const PLC_LENGTHS: readonly PrefixLength[] = [96, 64, 56, 48, 40, 32];

export interface Pref64 {
  prefix: Prefix;
  /** Seconds it may still be used: the advertised lifetime for 'ra', what is left until expiry for 'cache'. */
  lifetime: number;
  source: 'cache' | 'ra' | 'networkd';
  interface?: string;
  router?: string;
}

export type OptionProblem = 'not-pref64' | 'bad-length' | 'bad-plc' | 'prefix-u-octet' | UnusableCode;

/**
 * One PREF64 option (its type and length bytes included). The lifetime is the scaled lifetime × 8 s (0: the router
 * withdraws the prefix). Bits of the 96-bit field beyond the prefix length are ignored (masked), as a receiver must.
 * Refused: another type, a length field other than 2 or fewer than 16 bytes (RFC 8781: ignore it), a PLC of 6 or 7
 * (ignore it), a /96 whose bits 64–71 are set (not an RFC 6052 prefix: nothing could be synthesized in it), and a
 * prefix no NAT64 can have (unusablePrefix: ::ffff:0:0/96, the all-zero ::, ff00::/8), which the cache would refuse.
 */
export function parsePref64Option(option: Uint8Array): { prefix: Prefix; lifetime: number } | { problem: OptionProblem } {
  if (option[0] !== PREF64_OPTION_TYPE) return { problem: 'not-pref64' };
  if (option.length < 16 || option[1] !== 2) return { problem: 'bad-length' };
  const word = ((option[2] ?? 0) << 8) | (option[3] ?? 0);
  const length = PLC_LENGTHS[word & 7];
  if (length === undefined) return { problem: 'bad-plc' };
  const bytes = new Uint8Array(16);
  bytes.set(option.subarray(4, 16));
  const prefix = maskIPv6(bytes, length);
  if (length === 96 && prefix[8] !== 0) return { problem: 'prefix-u-octet' };
  const unusable = unusablePrefix({ bytes: prefix, length });
  if (unusable) return { problem: unusable.code };
  return { prefix: { bytes: prefix, length }, lifetime: (word >>> 3) * 8 };
}

/** The bytes of a PREF64 option for `prefix` and `lifetime` seconds (rounded up to 8 s units, at most 65528 s). */
export function encodePref64Option(prefix: Prefix, lifetime: number): Uint8Array {
  const scaled = Math.min(8191, Math.ceil(Math.max(0, lifetime) / 8));
  const out = new Uint8Array(16);
  out[0] = PREF64_OPTION_TYPE;
  out[1] = 2;
  const word = (scaled << 3) | PLC_LENGTHS.indexOf(prefix.length);
  out[2] = word >>> 8;
  out[3] = word & 0xff;
  out.set(prefix.bytes.subarray(0, 12), 4);
  return out;
}

export interface AdvertisedPref64 {
  prefix: Prefix;
  lifetime: number;
}

/**
 * The PREF64 options of a Router Advertisement (the ICMPv6 message: type 134, 16 bytes of header, then options).
 * Options the RFC says to ignore are reported in `problems` and skipped; a zero-length or overrunning option ends
 * the walk (RFC 4861 §4.6: the whole message would be discarded by a host).
 */
export function parseRouterAdvertisement(icmp: Uint8Array): { pref64: AdvertisedPref64[]; problems: string[] } {
  const pref64: AdvertisedPref64[] = [];
  const problems: string[] = [];
  if (icmp.length < 16 || icmp[0] !== 134 || icmp[1] !== 0) return { pref64, problems: ['not a Router Advertisement'] };
  for (let at = 16; at < icmp.length; ) {
    const units = icmp[at + 1] ?? 0;
    if (at + 2 > icmp.length || units === 0 || at + units * 8 > icmp.length) {
      problems.push(`malformed option at byte ${at}: the rest of the advertisement is ignored`);
      break;
    }
    if (icmp[at] === PREF64_OPTION_TYPE) {
      const parsed = parsePref64Option(icmp.subarray(at, at + units * 8));
      if ('problem' in parsed) problems.push(`PREF64 option ignored: ${parsed.problem}`);
      else pref64.push(parsed);
    }
    at += units * 8;
  }
  return { pref64, problems };
}

export interface CacheEntry {
  prefix: Prefix;
  /** Unix seconds after which the entry is not used. */
  expires: number;
  interface?: string;
  router?: string;
}

export type CacheParse = { ok: true; entries: CacheEntry[] } | { ok: false; line: number; problem: string };

const IFNAME = /^[^\s/]{1,15}$/;

/**
 * The cache file's text, strictly (the library's reader applies the same rules): at most 4096 bytes; lines end in
 * \n; a line is empty, a comment (`#` first), or `PREFIX EXPIRES INTERFACE ROUTER` separated by spaces or tabs, where
 * PREFIX is `addr/len` (an RFC 6052 prefix), EXPIRES 1–12 decimal digits (Unix seconds), INTERFACE `-` or a name of
 * 1–15 bytes without `/` or blanks, ROUTER `-` or an IPv6 address; at most 8 entries. Anything else (a CR, a NUL,
 * a ninth entry) makes the whole file invalid: it is not used at all.
 */
export function parsePref64Cache(text: string): CacheParse {
  if (Buffer.byteLength(text, 'utf8') > PREF64_FILE_MAX) return { ok: false, line: 0, problem: `larger than ${PREF64_FILE_MAX} bytes` };
  const entries: CacheEntry[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const number = index + 1;
    const fail = (problem: string): CacheParse => ({ ok: false, line: number, problem });
    if (/[^\t\x20-\x7e]/.test(line)) return fail('a character other than printable ASCII, space or tab');
    if (line.startsWith('#')) continue;
    const fields = line.split(/[ \t]+/).filter((f) => f !== '');
    if (fields.length === 0) continue;
    if (fields.length !== 4) return fail(`expected PREFIX EXPIRES INTERFACE ROUTER, found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    const [prefixText, expiresText, ifname, routerText] = fields as [string, string, string, string];
    if (!prefixText.includes('/')) return fail(`"${prefixText}" is not addr/len`);
    const parsed = parsePrefix(prefixText);
    if ('problem' in parsed) return fail(parsed.problem.message);
    if (!/^[0-9]{1,12}$/.test(expiresText)) return fail(`"${expiresText}" is not a time in Unix seconds`);
    if (ifname !== '-' && !IFNAME.test(ifname)) return fail(`"${ifname}" is not an interface name`);
    const router = routerText === '-' ? undefined : parseIPv6(routerText);
    if (routerText !== '-' && router === undefined) return fail(`"${routerText}" is not an IPv6 address`);
    if (entries.length === PREF64_MAX_ENTRIES) return fail(`more than ${PREF64_MAX_ENTRIES} entries`);
    entries.push({
      prefix: parsed.prefix,
      expires: Number(expiresText),
      ...(ifname !== '-' ? { interface: ifname } : {}),
      ...(router ? { router: formatIPv6(router) } : {}),
    });
  }
  return { ok: true, entries };
}

/** The entry the library uses at `now` (Unix seconds): the first one, in file order, that has not expired. */
export function cachedPrefix(entries: CacheEntry[], now: number): CacheEntry | undefined {
  return entries.find((entry) => now < entry.expires);
}

export function formatPref64Cache(entries: CacheEntry[], now: number): string {
  const head = [
    '# tnat64 PREF64 cache (RFC 8781): the NAT64 prefixes routers advertise, written by `tnat64 discover --save-pref64`',
    `# at ${now} (${new Date(now * 1000).toISOString()}). The library uses the first entry that has not expired.`,
    '# prefix expires(unix seconds) interface router',
  ];
  const lines = entries.slice(0, PREF64_MAX_ENTRIES).map((e) => `${formatPrefix(e.prefix)} ${e.expires} ${e.interface ?? '-'} ${e.router ?? '-'}`);
  return [...head, ...lines].map((line) => `${line}\n`).join('');
}

/** The cache file the library reads: TNAT64_PREF64_FILE when set and not empty, else /run/tnat64/pref64. */
export function pref64File(env: NodeJS.ProcessEnv): string {
  const file = env.TNAT64_PREF64_FILE;
  return file !== undefined && file !== '' ? file : DEFAULT_PREF64_FILE;
}

export type CacheRead =
  | { status: 'absent'; file: string }
  | { status: 'invalid'; file: string; problem: string }
  | { status: 'ok'; file: string; entries: CacheEntry[] };

/** Read the cache as the library does (not following a symlink, a regular file, bounded size). */
export function readPref64Cache(file: string): CacheRead {
  let text: string;
  try {
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) return { status: 'invalid', file, problem: 'it is a symbolic link (the library does not follow it)' };
    if (!stat.isFile()) return { status: 'invalid', file, problem: 'not a regular file' };
    if (stat.size > PREF64_FILE_MAX) return { status: 'invalid', file, problem: `larger than ${PREF64_FILE_MAX} bytes` };
    text = readFileSync(file, 'latin1');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'absent', file };
    return { status: 'invalid', file, problem: `unreadable (${code ?? (error as Error).message})` };
  }
  const parsed = parsePref64Cache(text);
  if (!parsed.ok) return { status: 'invalid', file, problem: parsed.line > 0 ? `line ${parsed.line}: ${parsed.problem}` : parsed.problem };
  return { status: 'ok', file, entries: parsed.entries };
}

/** Write the cache atomically (a temporary file in the same directory, renamed over it), mode 0644. */
export function writePref64Cache(file: string, entries: CacheEntry[], now: number): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o644);
  try {
    writeSync(fd, formatPref64Cache(entries, now));
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, file);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

/** The entries the cache should hold for what the routers just said, in the order found. */
export function cacheEntries(found: Pref64[], now: number): CacheEntry[] {
  return found
    .filter((p) => p.source !== 'cache' && p.lifetime > 0)
    .map((p) => ({ prefix: p.prefix, expires: now + p.lifetime, ...(p.interface ? { interface: p.interface } : {}), ...(p.router ? { router: p.router } : {}) }));
}

/** Interfaces that can hear a router: up, not loopback, with an IPv6 link-local address. */
export function ipv6Interfaces(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([, addresses]) => (addresses ?? []).some((a) => a.family === 'IPv6' && !a.internal && a.address.toLowerCase().startsWith('fe80:')))
    .map(([name]) => name)
    .sort();
}

/**
 * The Router Advertisements in `tcpdump -n -x` output (the hex dump starts at the IPv6 header): the router (the IPv6
 * source) and the ICMPv6 message of each, for packets whose next header is ICMPv6 and whose type is 134.
 */
export function parseTcpdumpHex(output: string): { router: string; icmp: Uint8Array }[] {
  const packets: number[][] = [];
  for (const line of output.split('\n')) {
    const m = /^\s+0x([0-9a-f]{4}):\s+((?:[0-9a-f]{2,4}\s?)+)/i.exec(line);
    if (!m) continue;
    if (parseInt(m[1] ?? '', 16) === 0) packets.push([]);
    const current = packets[packets.length - 1];
    if (!current) continue;
    for (const group of (m[2] ?? '').trim().split(/\s+/)) {
      for (let i = 0; i + 2 <= group.length; i += 2) current.push(parseInt(group.slice(i, i + 2), 16));
    }
  }
  const out: { router: string; icmp: Uint8Array }[] = [];
  for (const bytes of packets) {
    const packet = Uint8Array.from(bytes);
    if (packet.length < 40 + 16 || packet[0]! >> 4 !== 6 || packet[6] !== 58 || packet[40] !== 134) continue;
    const payload = (packet[4]! << 8) | packet[5]!;
    out.push({ router: formatIPv6(packet.subarray(8, 24)), icmp: packet.subarray(40, Math.min(packet.length, 40 + payload)) });
  }
  return out;
}

/** Run argv, collecting output, killed after `timeoutMs`; `ready` (if given) resolves when stderr shows `readyText`. */
function collect(argv: string[], timeoutMs: number, readyText?: string) {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: (ok: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (readyText && stderr.includes(readyText)) markReady(true);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; error?: string }>((resolve) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      markReady(false);
      resolve({ code: null, stdout, stderr, error: (e as NodeJS.ErrnoException).code ?? e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      markReady(false);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, ready, done };
}

/**
 * Solicit on one interface: tcpdump captures Router Advertisements (ICMPv6 type 134) while rdisc6 sends Router
 * Solicitations; whatever arrives until rdisc6 is done (plus a little) or the timeout is parsed.
 */
async function solicitOn(ifname: string, timeoutMs: number): Promise<{ found: Pref64[]; problems: string[]; listened: boolean }> {
  const capture = collect(['tcpdump', '-i', ifname, '-n', '-l', '-x', '--immediate-mode', '-p', 'icmp6 and ip6[40] == 134'], timeoutMs, 'listening on');
  const problems: string[] = [];
  if (!(await capture.ready)) {
    const r = await capture.done;
    const why = r.error === 'ENOENT' ? 'tcpdump is not installed (Debian: apt-get install tcpdump)' : (r.stderr.trim().split('\n').pop() ?? r.error ?? 'no output');
    return { found: [], problems: [`${ifname}: cannot capture router advertisements: ${why}`], listened: false };
  }
  const wait = Math.max(500, timeoutMs - 300);
  const solicit = await collect(['rdisc6', '-q', '-r', '2', '-w', String(Math.min(2000, Math.floor(wait / 2))), ifname], wait).done;
  if (solicit.error === 'ENOENT') problems.push(`${ifname}: rdisc6 is not installed (Debian: apt-get install ndisc6); only unsolicited advertisements were heard`);
  // A multicast answer to the solicitation can come a little after rdisc6's own, which it already saw.
  await new Promise((r) => setTimeout(r, solicit.error === 'ENOENT' ? wait : 200));
  capture.child.kill('SIGTERM');
  const captured = await capture.done;
  const found: Pref64[] = [];
  for (const ra of parseTcpdumpHex(captured.stdout)) {
    const parsed = parseRouterAdvertisement(ra.icmp);
    for (const p of parsed.problems) problems.push(`${ifname}: router ${ra.router}: ${p}`);
    for (const p of parsed.pref64) {
      if (p.lifetime === 0) {
        problems.push(`${ifname}: router ${ra.router} withdraws ${formatPrefix(p.prefix)} (lifetime 0)`);
        continue;
      }
      if (!found.some((f) => f.router === ra.router && formatPrefix(f.prefix) === formatPrefix(p.prefix))) {
        found.push({ prefix: p.prefix, lifetime: p.lifetime, source: 'ra', interface: ifname, router: ra.router });
      }
    }
  }
  return { found, problems, listened: true };
}

/**
 * What this host can learn of PREF64. The cache (`cacheFile`, default per TNAT64_PREF64_FILE or /run/tnat64/pref64):
 * its unexpired entries, the one the library uses first. With `solicit` (needs root: raw capture), a Router
 * Solicitation on every interface with IPv6, in parallel, within `timeoutMs` (default 3000): what the routers say
 * now, after the cache entries. systemd-networkd (252) and NetworkManager (1.42) of Debian 12 do not keep PREF64, so
 * there is no 'networkd' source there (see docs/DESIGN.md). `listened` names the interfaces where advertisements
 * could be captured (none: the solicitation says nothing about the network, and the cache must not be replaced).
 */
export async function learnPref64(opts: {
  solicit: boolean;
  timeoutMs?: number;
  cacheFile?: string;
  env?: NodeJS.ProcessEnv;
  now?: number;
}): Promise<{ found: Pref64[]; problems: string[]; listened: string[] }> {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const found: Pref64[] = [];
  const problems: string[] = [];
  const listened: string[] = [];
  const cache = readPref64Cache(opts.cacheFile ?? pref64File(opts.env ?? process.env));
  if (cache.status === 'invalid') problems.push(`the PREF64 cache ${cache.file} is not used: ${cache.problem}`);
  if (cache.status === 'ok') {
    for (const e of cache.entries) {
      if (now >= e.expires) {
        problems.push(`the PREF64 cache entry ${formatPrefix(e.prefix)} expired ${now - e.expires} s ago`);
        continue;
      }
      found.push({ prefix: e.prefix, lifetime: e.expires - now, source: 'cache', ...(e.interface ? { interface: e.interface } : {}), ...(e.router ? { router: e.router } : {}) });
    }
  }
  if (opts.solicit) {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      problems.push('soliciting router advertisements needs root (a raw capture); only the cache was read');
    } else {
      const interfaces = ipv6Interfaces();
      if (interfaces.length === 0) problems.push('no interface with IPv6 to solicit a router advertisement on');
      const results = await Promise.all(interfaces.map((i) => solicitOn(i, opts.timeoutMs ?? 3000)));
      results.forEach((r, i) => {
        found.push(...r.found);
        problems.push(...r.problems);
        if (r.listened) listened.push(interfaces[i]!);
      });
    }
  }
  return { found, problems, listened };
}

/** The prefix as the library would use it from the cache right now (none when absent, invalid or all expired). */
export function libraryPref64(env: NodeJS.ProcessEnv, now = Math.floor(Date.now() / 1000)): { entry?: CacheEntry; cache: CacheRead } {
  const cache = readPref64Cache(pref64File(env));
  return { cache, ...(cache.status === 'ok' ? { entry: cachedPrefix(cache.entries, now) } : {}) };
}

/** For tests and the lab: the option bytes as hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

