/** `tnat64 discover`: the router-advertised prefix (PREF64: the cache, a solicitation, writing the cache) and the RFC 7050 result. */

import { Command, Io, Problem, UsageError } from '../command.js';
import { parseOptions } from '../args.js';
import { discover } from '../../core/discover.js';
import { discoveryJson } from '../report.js';
import { formatPrefix } from '../../core/rfc6052.js';
import { systemWorld, World } from '../../core/system.js';
import { cacheEntries, learnPref64, libraryPref64, Pref64, pref64File, readPref64Cache, writePref64Cache } from '../../core/pref64.js';
import { Prefix } from '../../core/rfc6052.js';

const usage = `Usage: tnat64 discover [--json] [--solicit] [--save-pref64] [--timeout MS]

Shows the NAT64 prefixes the network gives, in the order the library takes them when neither
TNAT64_PREFIX nor the configuration file sets one (RFC 9872):
  PREF64 (RFC 8781)  the prefix routers put in their Router Advertisements. The library cannot
                     hear them itself; it reads the cache that --save-pref64 writes
                     ($TNAT64_PREF64_FILE, default /run/tnat64/pref64), first entry not expired.
  DNS64 (RFC 7050)   the AAAA records of ipv4only.arpa from the nameservers in /etc/resolv.conf:
                     each prefix with its length, the TTL of the answer, and the resolver(s) asked;
                     or why there is none and what to do.
When the cache gives a prefix, the line "in use" says the library takes it over DNS64.

Options:
  --json         print one JSON object (shape in docs/CONFIG.md)
  --solicit      send a Router Solicitation on every interface with IPv6 and show the PREF64
                 options of the advertisements that come back (root: tcpdump and rdisc6)
  --save-pref64  --solicit, then write what the routers said to the cache, atomically (root);
                 run it from a timer to keep the cache fresh (docs/CONFIG.md)
  --timeout MS   how long to listen for advertisements (default 3000)
  -h, --help     show this help

Exit status: 0 a prefix was found (PREF64 or DNS64), 1 none was found or the cache could not be
written, 2 usage error.
`;

export function create(world: World): Command {
  return {
    name: 'discover',
    summary: 'the NAT64 prefix the network gives: PREF64 (RFC 8781) and DNS64 (RFC 7050)',
    usage,
    async run(args: string[], io: Io): Promise<number> {
      const { values } = parseOptions(
        args,
        { json: { type: 'boolean' }, solicit: { type: 'boolean' }, 'save-pref64': { type: 'boolean' }, timeout: { type: 'string' } },
        false,
      );
      const timeoutMs = values.timeout === undefined ? 3000 : /^[0-9]{1,6}$/.test(values.timeout) ? Number(values.timeout) : NaN;
      if (!(timeoutMs >= 100)) throw new UsageError(`--timeout ${values.timeout}: expected milliseconds, at least 100`);
      const save = values['save-pref64'] === true;
      const file = pref64File(io.env);
      if (save && typeof process.getuid === 'function' && process.getuid() !== 0) {
        throw new Problem('not-root', `--save-pref64 needs root (soliciting router advertisements is a raw capture, and ${file} belongs to root)`, 'run it as root, e.g. from a systemd timer (docs/CONFIG.md)');
      }
      const learned = await learnPref64({ solicit: save || values.solicit === true, timeoutMs, env: io.env });
      if (save && learned.listened.length === 0) {
        throw new Problem('pref64-no-capture', `no router advertisement could be listened for, so ${file} is left as it is: ${learned.problems.join('; ')}`);
      }
      if (save) {
        const now = Math.floor(Date.now() / 1000);
        try {
          writePref64Cache(file, cacheEntries(learned.found, now), now);
        } catch (error) {
          throw new Problem('pref64-write', `cannot write the PREF64 cache ${file}: ${(error as Error).message}`);
        }
      }
      const result = await discover(world.resolver(), world.readText);
      const disabled = io.env.TNAT64_DISCOVERY === '0';
      const cached = disabled ? undefined : libraryPref64(io.env).entry;
      const inUse: { prefix: Prefix; origin: 'pref64' | 'discovery' } | undefined = cached
        ? { prefix: cached.prefix, origin: 'pref64' }
        : !disabled && result.prefixes[0]
          ? { prefix: result.prefixes[0], origin: 'discovery' }
          : undefined;
      const status = cached || result.status === 'found' ? 0 : 1;
      const cache = readPref64Cache(file).status;
      if (values.json) {
        const pref64 = {
          file,
          cache,
          found: learned.found.map((p) => ({ prefix: formatPrefix(p.prefix), lifetime: p.lifetime, source: p.source, interface: p.interface ?? null, router: p.router ?? null })),
          problems: learned.problems,
          saved: save,
        };
        const inUseJson = inUse ? { prefix: formatPrefix(inUse.prefix), origin: inUse.origin } : null;
        io.out(`${JSON.stringify({ ...discoveryJson(result), pref64, inUse: inUseJson }, null, 2)}\n`);
        return status;
      }
      const lines: string[] = [];
      const describe = (p: Pref64) =>
        `PREF64: ${formatPrefix(p.prefix)} from ${p.router ? `router ${p.router}` : 'a router'}${p.interface ? ` on ${p.interface}` : ''}, ` +
        (p.source === 'cache' ? `cached in ${file}, ${p.lifetime} s left` : `advertised now, lifetime ${p.lifetime} s`);
      for (const p of learned.found) lines.push(describe(p));
      if (save) lines.push(`PREF64 cache written: ${file} (${cacheEntries(learned.found, 0).length} entr${cacheEntries(learned.found, 0).length === 1 ? 'y' : 'ies'})`);
      else if (values.solicit && learned.found.every((p) => p.source === 'cache')) lines.push('PREF64: no router advertised a NAT64 prefix');
      for (const problem of learned.problems) lines.push(`PREF64 warning: ${problem}`);
      lines.push(`resolver${result.resolvers.length === 1 ? '' : 's'} asked: ${result.resolvers.join(', ') || '(none configured)'}`);
      if (result.status === 'found') {
        for (const prefix of result.prefixes) lines.push(`prefix: ${formatPrefix(prefix)} (length ${prefix.length})`);
        lines.push(`ttl: ${result.ttl ?? '?'} s`, `answers: ${result.answers.join(', ')}`);
      } else {
        lines.push(`no prefix: ${result.message}`);
        if (result.hint && !cached) lines.push(`hint: ${result.hint}`);
      }
      for (const warning of result.warnings) lines.push(`warning: ${warning}`);
      if (cached) lines.push(`in use: ${formatPrefix(cached.prefix)} (PREF64 cache, before DNS64) when neither TNAT64_PREFIX nor the configuration file sets one`);
      io.out(lines.map((line) => `${line}\n`).join(''));
      return status;
    },
  };
}

export const command = create(systemWorld());
