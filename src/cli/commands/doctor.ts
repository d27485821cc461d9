/** `tnat64 doctor [--json] [--verbose] [--program PATH] [TARGET]`: why tnat64 does or does not work here. */

import { spawnSync } from 'node:child_process';
import { Command, Io, UsageError } from '../command.js';
import { parseOptions } from '../args.js';
import { reportText, runDoctor } from '../../doctor/run.js';
import { systemDoctorWorld } from '../../doctor/system.js';
import { DoctorWorld } from '../../doctor/world.js';
import { systemWorld, World } from '../../core/system.js';

const usage = `Usage: tnat64 doctor [--json] [-v] [--program PATH] [TARGET]

Inspects this host and its network and says, one line per check, whether tnat64 can work here
and, for each problem, what to do: the IPv6 and IPv4 default routes; the configuration file; the
interposer library and its version; net.ipv6.bindv6only; DNS64 (RFC 7050) asked of each
nameserver in /etc/resolv.conf separately (every answer, TTL, whether they disagree); a
router-advertised prefix (PREF64, RFC 8781; as root a router solicitation is sent); the prefix
tnat64 uses and whether TNAT64_PREFIX, the file, PREF64 and DNS64 agree; IPv4-only nameservers on
a host without IPv4; and whether the NAT64 really forwards: a TCP connect through it to TARGET.

TARGET is HOST[:PORT] (an IPv4 address, or a name resolved to one; PORT defaults to 80), else
$TNAT64_PROBE. Without either, nothing is contacted and the forwarding check is skipped.
Every network step is bounded (DNS 2 s, router solicitation 1.5 s, connect 3 s).

Marks: ok, warn (works, but worth fixing), FAIL (blocks tnat64), skip (not checked).

Options:
  --program PATH  also check whether LD_PRELOAD can reach PATH at all (a command name is looked
                  up on PATH): statically linked, Go, setuid/setgid, file capabilities, not
                  executable, another machine or C library; a script is judged by its interpreter
  --json          print one JSON object (schema in docs/DOCTOR.md)
  -v, --verbose   also print each check's details (every answer, source and reason)
  -h, --help      show this help

Exit status: 0 nothing blocks tnat64 (warnings allowed), 1 a check failed, 2 usage error.
`;

/**
 * The doctor looks at the host as a program without tnat64 sees it. Run under the interposer (from a `tnat64`
 * shell), node's own IPv4 sockets (its DNS queries to IPv4 nameservers) would go through the NAT64 and make them
 * look reachable, so it runs itself again without the library: the exit status, or undefined when it is not
 * preloaded (or this is not the real process).
 */
function rerunWithoutInterposer(io: Io): number | undefined {
  if (io.env !== process.env) return undefined;
  const entries = (process.env.LD_PRELOAD ?? '').split(/[\s:]+/).filter(Boolean);
  const kept = entries.filter((entry) => !/(^|\/)libtnat64\.so$/.test(entry));
  if (kept.length === entries.length) return undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, LD_PRELOAD: kept.join(' ') };
  if (kept.length === 0) delete env.LD_PRELOAD;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
  return child.status ?? 1;
}

export function create(world: World, doctorWorld: (base: World) => Promise<DoctorWorld> = systemDoctorWorld): Command {
  return {
    name: 'doctor',
    summary: 'check this host, its network and a program for what tnat64 needs',
    usage,
    async run(args: string[], io: Io): Promise<number> {
      const { values, positionals } = parseOptions(
        args,
        { json: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, program: { type: 'string' } },
        true,
      );
      if (positionals.length > 1) throw new UsageError(`expected at most one TARGET, got ${positionals.length}`);
      if (values.program === '') throw new UsageError('--program needs a PATH');
      const rerun = rerunWithoutInterposer(io);
      if (rerun !== undefined) return rerun;
      const report = await runDoctor(await doctorWorld(world), {
        env: io.env,
        ...(positionals[0] !== undefined ? { target: positionals[0] } : {}),
        ...(values.program !== undefined ? { program: values.program } : {}),
      });
      io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report, values.verbose === true));
      return report.ok ? 0 : 1;
    },
  };
}

export const command = create(systemWorld());
