/**
 * The configuration file: parser for the grammar in docs/DESIGN.md (the original tnat64.conf syntax plus CIDR and
 * prefix lengths) and the canonical dump both halves print. Pure: the text comes in, a Config or errors go out.
 */

import { formatIPv4, formatNet, maskLength, maskOf, Net, parseIPv4 } from './ipv4.js';
import { formatPrefix, parsePrefix, Prefix } from './rfc6052.js';

export interface Subnet extends Net {
  portLow: number;
  portHigh: number;
}

export interface Path {
  /** Line of `path {`. */
  line: number;
  prefix: Prefix;
  subnets: Subnet[];
}

export interface Config {
  prefix?: Prefix;
  /** `ipv4_identity`: the IPv4 address getsockname() shows for a socket talking through NAT64 (default 192.0.0.2). */
  identity?: number;
  /** `standin_pool`: the IPv4 range stand-ins come from (default 198.19.0.0/16). */
  standinPool?: Net;
  locals: Net[];
  paths: Path[];
}

export type ErrorCode =
  | 'bad-prefix'
  | 'bad-prefix-length'
  | 'prefix-host-bits'
  | 'prefix-u-octet'
  | 'prefix-mapped'
  | 'prefix-zero'
  | 'prefix-multicast'
  | 'bad-net'
  | 'bad-mask'
  | 'net-host-bits'
  | 'bad-port'
  | 'bad-identity'
  | 'duplicate-identity'
  | 'bad-standin-pool'
  | 'standin-pool-host-bits'
  | 'standin-pool-reserved'
  | 'duplicate-standin-pool'
  | 'unknown-key'
  | 'missing-equals'
  | 'duplicate-prefix'
  | 'path-no-subnet'
  | 'path-no-prefix'
  | 'path-duplicate-prefix'
  | 'nested-path'
  | 'unexpected-close'
  | 'unclosed-path'
  | 'missing-value'
  | 'nul-byte'
  | 'not-a-file'
  | 'file-too-large'
  | 'unreadable';

export interface ConfigError {
  file: string;
  /** 1-based; 0 for problems with the file as a whole. */
  line: number;
  code: ErrorCode;
  /** The offending line without its comment, trimmed ('' for whole-file problems). */
  text: string;
  /** What is wrong and what was expected. */
  message: string;
}

export type ParseResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

/** Files larger than this are refused (the C half reads the file into memory inside someone else's process). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** `file:line: "text": message`, or `file: message` for whole-file problems. */
export function formatError(error: ConfigError): string {
  if (error.line === 0) return `${error.file}: ${error.message}`;
  return `${error.file}:${error.line}: "${error.text}": ${error.message}`;
}

type Problem = { code: ErrorCode; message: string };

/**
 * The blanks a line may hold around its tokens, the library's is_space(): ASCII only, so a byte order mark, a
 * no-break space or any other Unicode space is text (and makes its line invalid) in both halves.
 */
const BLANK = '[ \\t\\r\\v\\f]';
const BLANKS = new RegExp(`${BLANK}+`);
const EDGE_BLANKS = new RegExp(`^${BLANK}+|${BLANK}+$`, 'g');
const PATH_OPEN = new RegExp(`^path${BLANK}*\\{$`);

/** s without leading and trailing blanks (not String.prototype.trim(), which also removes Unicode spaces). */
function trimBlanks(s: string): string {
  return s.replace(EDGE_BLANKS, '');
}

/** `a.b.c.d/MASK` (MASK dotted or 0..32), optionally with `:PORT[-PORT]` after the address when ports are allowed. */
function parseNet(value: string, allowPorts: boolean): { subnet: Subnet } | Problem {
  const example = allowPorts ? 'a.b.c.d[:PORT[-PORT]]/MASK, e.g. 150.0.0.0:80-1024/255.255.0.0' : 'a.b.c.d/MASK, e.g. 10.0.0.0/255.0.0.0 or 10.0.0.0/8';
  const slash = value.indexOf('/');
  if (slash < 0) return { code: 'bad-net', message: `missing "/MASK"; expected ${example}` };
  const left = value.slice(0, slash);
  const maskText = value.slice(slash + 1);
  const colon = left.indexOf(':');
  const addressText = colon < 0 ? left : left.slice(0, colon);
  const address = parseIPv4(addressText);
  if (address === undefined) {
    const why = colon >= 0 && !allowPorts ? 'a local net takes no port' : `"${addressText}" is not a dotted-quad IPv4 address`;
    return { code: 'bad-net', message: `${why}; expected ${example}` };
  }
  let portLow = 0;
  let portHigh = 65535;
  if (colon >= 0) {
    if (!allowPorts) return { code: 'bad-net', message: `a local net takes no port; expected ${example}` };
    const portText = left.slice(colon + 1);
    const match = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(portText);
    const low = match ? Number(match[1]) : NaN;
    const high = match && match[2] !== undefined ? Number(match[2]) : low;
    if (!match || low > 65535 || high > 65535) {
      return { code: 'bad-port', message: `"${portText}" is not a port or port range; expected PORT or LOW-HIGH with ports 0-65535` };
    }
    if (low > high) return { code: 'bad-port', message: `port range ${portText} is empty; expected LOW-HIGH with LOW <= HIGH` };
    if (match[2] === undefined && low === 0) {
      portLow = 0; // a single port 0 means "any port"
      portHigh = 65535;
    } else {
      portLow = low;
      portHigh = high;
    }
  }
  let length: number | undefined;
  if (/^[0-9]{1,2}$/.test(maskText)) {
    length = Number(maskText) <= 32 ? Number(maskText) : undefined;
  } else {
    const mask = parseIPv4(maskText);
    length = mask === undefined ? undefined : maskLength(mask);
  }
  if (length === undefined) {
    return { code: 'bad-mask', message: `"${maskText}" is not a contiguous dotted mask or a length 0-32; expected e.g. 255.255.0.0 or 16` };
  }
  if (((address & maskOf(length)) >>> 0) !== address) {
    const fixed = { address: (address & maskOf(length)) >>> 0, length };
    return { code: 'net-host-bits', message: `${formatIPv4(address)} has host bits set for /${length}; expected ${formatNet(fixed)}` };
  }
  return { subnet: { address, length, portLow, portHigh } };
}

/** The default stand-in range, 198.19.0.0/16 (RFC 2544's benchmarking block, never routed). */
export const DEFAULT_STANDIN_POOL: Net = { address: 0xc6130000, length: 16 };

/** What each stand-in range problem expects (the library says the same). */
const POOL_EXPECTED: Record<'bad-standin-pool' | 'standin-pool-host-bits' | 'standin-pool-reserved' | 'duplicate-standin-pool', string> = {
  'bad-standin-pool': 'a.b.c.d/LEN with LEN 16-30, e.g. 198.19.0.0/16 (the default, 65534 stand-ins) or 198.19.0.0/24 (254)',
  'standin-pool-host-bits': 'no bits set after LEN (the range\'s first address, e.g. 198.19.0.0/16, not 198.19.0.1/16)',
  'standin-pool-reserved': 'a range outside 0/8, 127/8 and 224/3 (multicast, reserved, broadcast), e.g. 198.19.0.0/16',
  'duplicate-standin-pool': 'one standin_pool only',
};

/**
 * A stand-in range `a.b.c.d/LEN`, LEN 16-30 (the library's table has 65536 slots; /31 and /32 leave no usable
 * address), no bits set past LEN, outside 0/8, 127/8 and 224/3. Shared by the file key and TNAT64_STANDIN_POOL.
 */
export function parseStandinPool(value: string): { net: Net } | Problem {
  const match = /^([^/]*)\/([0-9]{1,2})$/.exec(value);
  const address = match ? parseIPv4(match[1] ?? '') : undefined;
  const length = match ? Number(match[2]) : NaN;
  if (address === undefined || !(length >= 16 && length <= 30)) {
    return { code: 'bad-standin-pool', message: `expected ${POOL_EXPECTED['bad-standin-pool']}` };
  }
  if (((address & maskOf(length)) >>> 0) !== address) {
    return { code: 'standin-pool-host-bits', message: `${formatIPv4(address)} has bits set after /${length}; expected ${POOL_EXPECTED['standin-pool-host-bits']}` };
  }
  const top = address >>> 24;
  if (top === 0 || top === 127 || address >>> 29 === 7) {
    return { code: 'standin-pool-reserved', message: `expected ${POOL_EXPECTED['standin-pool-reserved']}` };
  }
  return { net: { address, length } };
}

interface OpenPath {
  line: number;
  prefix?: Prefix;
  prefixSeen: boolean;
  subnetSeen: boolean;
  subnets: Subnet[];
}

/**
 * Parse configuration text. Every error is collected in reading order (top to bottom; `unclosed-path` is found at
 * the end of the file and names the line of its `path {`). Any error makes the whole file invalid.
 */
export function parseConfig(text: string, file: string): ParseResult {
  const errors: ConfigError[] = [];
  const config: Config = { locals: [], paths: [] };
  let topPrefixSeen = false;
  let open: OpenPath | undefined;
  const lines = text.split('\n');
  // A NUL ends the library's line early, so a file holding one is refused whole, before any line is read.
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul).split('\n');
    const message = 'a NUL byte follows this text; expected a text file without NUL bytes';
    return { ok: false, errors: [{ file, line: before.length, code: 'nul-byte', text: before[before.length - 1] ?? '', message }] };
  }
  lines.forEach((raw, index) => {
    const line = index + 1;
    const hash = raw.indexOf('#');
    const content = trimBlanks(hash < 0 ? raw : raw.slice(0, hash));
    if (content === '') return;
    const fail = (problem: Problem) => errors.push({ file, line, text: content, ...problem });

    if (/^path\b/.test(content)) {
      if (!PATH_OPEN.test(content)) return fail({ code: 'unknown-key', message: 'expected "path {" alone on its line' });
      if (open) return fail({ code: 'nested-path', message: `a path cannot contain another path; close the path opened at line ${open.line} with "}" first` });
      open = { line, prefixSeen: false, subnetSeen: false, subnets: [] };
      return;
    }
    if (content === '}') {
      if (!open) return fail({ code: 'unexpected-close', message: 'no path is open here; expected "}" only to close a "path {"' });
      if (!open.subnetSeen) {
        fail({ code: 'path-no-subnet', message: `the path opened at line ${open.line} has no subnet; expected at least one "subnet = a.b.c.d[:PORT[-PORT]]/MASK"` });
      }
      if (!open.prefixSeen) {
        fail({ code: 'path-no-prefix', message: `the path opened at line ${open.line} has no nat64_prefix; expected exactly one "nat64_prefix = PREFIX"` });
      }
      if (open.prefix && open.subnets.length > 0) config.paths.push({ line: open.line, prefix: open.prefix, subnets: open.subnets });
      open = undefined;
      return;
    }

    const keys = open ? ['subnet', 'nat64_prefix'] : ['nat64_prefix', 'local', 'ipv4_identity', 'standin_pool'];
    const where = open ? 'inside a path' : 'at top level';
    const equals = content.indexOf('=');
    const key = trimBlanks(equals < 0 ? content.split(BLANKS)[0] ?? '' : content.slice(0, equals));
    if (!keys.includes(key)) {
      const hint =
        key === 'subnet'
          ? '"subnet" belongs inside "path { }"'
          : key === 'local' || key === 'ipv4_identity' || key === 'standin_pool'
            ? `"${key}" belongs at top level, outside "path { }"`
            : `"${key}" is not a keyword`;
      return fail({ code: 'unknown-key', message: `${hint}; expected ${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]} ${where}${open ? ' or "}"' : ' or "path {"'}` });
    }
    if (equals < 0) return fail({ code: 'missing-equals', message: `expected "${key} = VALUE"` });
    const value = trimBlanks(content.slice(equals + 1));
    if (value === '') return fail({ code: 'missing-value', message: `no value after "="; expected "${key} = VALUE"` });

    if (key === 'nat64_prefix') {
      if (open ? open.prefixSeen : topPrefixSeen) {
        return fail(
          open
            ? { code: 'path-duplicate-prefix', message: `the path opened at line ${open.line} already has a nat64_prefix; expected exactly one per path` }
            : { code: 'duplicate-prefix', message: 'nat64_prefix is already set above; expected at most one top-level nat64_prefix' },
        );
      }
      if (open) open.prefixSeen = true;
      else topPrefixSeen = true;
      const parsed = parsePrefix(value);
      if ('problem' in parsed) return fail(parsed.problem);
      if (open) open.prefix = parsed.prefix;
      else config.prefix = parsed.prefix;
      return;
    }
    if (key === 'ipv4_identity') {
      if (config.identity !== undefined) return fail({ code: 'duplicate-identity', message: 'ipv4_identity is already set above; expected at most one' });
      const ip = parseIPv4(value);
      if (ip === undefined || ip >>> 24 === 0 || ip >>> 24 === 127 || ip >>> 29 === 7) {
        return fail({ code: 'bad-identity', message: 'expected a unicast IPv4 address a.b.c.d, not in 0/8, 127/8 or 224/3, e.g. 192.0.0.2' });
      }
      config.identity = ip;
      return;
    }
    if (key === 'standin_pool') {
      if (config.standinPool !== undefined) return fail({ code: 'duplicate-standin-pool', message: `standin_pool is already set above; expected ${POOL_EXPECTED['duplicate-standin-pool']}` });
      const parsed = parseStandinPool(value);
      if ('code' in parsed) return fail(parsed);
      config.standinPool = parsed.net;
      return;
    }
    if (open) open.subnetSeen = true;
    const parsed = parseNet(value, key === 'subnet');
    if ('code' in parsed) return fail(parsed);
    if (open) open.subnets.push(parsed.subnet);
    else config.locals.push({ address: parsed.subnet.address, length: parsed.subnet.length });
  });
  if (open) {
    const line = open.line;
    errors.push({ file, line, code: 'unclosed-path', text: trimBlanks(lines[line - 1]?.replace(/#.*/, '') ?? ''), message: `the file ends inside the path opened at line ${line}; expected "}" alone on a line to close it` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

/** The canonical dump (DESIGN.md): what both halves print and the `.expect` vectors hold. */
export function dump(result: ParseResult): string {
  if (!result.ok) {
    const first = result.errors[0];
    return first ? `error ${first.line} ${first.code}\n` : '';
  }
  const { config } = result;
  const lines: string[] = [];
  if (config.prefix) lines.push(`nat64_prefix ${formatPrefix(config.prefix)}`);
  if (config.identity !== undefined) lines.push(`ipv4_identity ${formatIPv4(config.identity)}`);
  if (config.standinPool !== undefined) lines.push(`standin_pool ${formatNet(config.standinPool)}`);
  for (const local of config.locals) lines.push(`local ${formatNet(local)}`);
  for (const path of config.paths) {
    for (const subnet of path.subnets) lines.push(`path ${formatPrefix(path.prefix)} ${formatNet(subnet)} ${subnet.portLow}-${subnet.portHigh}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}
