/** `tnat64 lab [OPTIONS] [-- CMD…]`: a simulated IPv6-only network with NAT64, to try programs in. */

import { constants } from 'node:os';
import { Command, EXIT_OK, EXIT_PROBLEM, Io, UsageError } from '../command.js';
import { DEFAULT_PREFIX, Lab, type LabOptions } from '../../lab/lab.js';
import { demonstrate } from '../../lab/demo.js';

const usage = `Usage: tnat64 lab [OPTIONS] [-- CMD [ARGS…]]
       tnat64 lab --cleanup [--all]

Builds a simulated network in Linux network namespaces (needs root): an IPv6-only client host, a NAT64
gateway (TAYGA, with unbound doing DNS64) and an IPv4-only server 203.0.113.2 (server.lab.example) with
HTTP on 80 and 8080 (/, /whoami, /bytes/N), TCP and UDP echo on 7, a whoami port 9000 and DNS. Nothing is
connected to this host's own network. Everything is removed afterwards, also on Ctrl-C.

Without CMD, runs a short demonstration: an IPv4-only program fails on the IPv6-only client, then works
under tnat64. With CMD, runs it in the client host (the terminal is passed through) and exits with its
status. CMD runs without tnat64 unless you write it: \`tnat64 lab -- tnat64 curl http://203.0.113.2/\`
(the repository's bin/ is first on PATH in the lab; your TNAT64_* variables are passed on).
\`tnat64 lab -- bash\` gives a shell to explore.

Options:
  --prefix P      the NAT64 prefix, any RFC 6052 length (default ${DEFAULT_PREFIX})
  --no-dns64      the gateway's resolver does not synthesize AAAA records (no prefix discovery)
  --no-nat64      no translator: the prefix leads nowhere
  --ipv4          the client has IPv4 too (192.0.2.2/24, routed to the server)
  --ipv4-only     the client has IPv4 only (no IPv6 at all)
  --timeout SEC   stop CMD after SEC seconds (default: no limit)
  --cleanup       remove namespaces and files left by lab runs whose process is gone
                  (only tn64-PID-N-cli/gw/srv, never other tn64-* names)
  --all           with --cleanup: remove every tn64-* lab, also those of running processes
  -h, --help      show this help

Exit status: CMD's own (128+N if a signal N ended it); without CMD 0 if the demonstration worked;
1 the lab could not be built (not root, a tool missing); 2 usage error. See docs/LAB.md.
`;

interface Parsed {
  options: LabOptions;
  cleanup: boolean;
  all: boolean;
  help: boolean;
  timeoutSec: number;
  cmd: string[];
}

function parse(args: string[]): Parsed {
  const p: Parsed = { options: {}, cleanup: false, all: false, help: false, timeoutSec: 0, cmd: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--') {
      p.cmd = args.slice(i + 1);
      break;
    } else if (!a.startsWith('-')) {
      p.cmd = args.slice(i);
      break;
    } else if (a === '--prefix') p.options.prefix = value();
    else if (a.startsWith('--prefix=')) p.options.prefix = a.slice('--prefix='.length);
    else if (a === '--no-dns64') p.options.dns64 = false;
    else if (a === '--no-nat64') p.options.nat64 = false;
    else if (a === '--ipv4') p.options.clientIPv4 = true;
    else if (a === '--ipv4-only') Object.assign(p.options, { clientIPv4: true, clientIPv6: false });
    else if (a === '--timeout') {
      p.timeoutSec = Number(value());
      if (!(p.timeoutSec > 0)) throw new UsageError(`--timeout needs a number of seconds > 0`);
    } else if (a === '--cleanup') p.cleanup = true;
    else if (a === '--all') p.all = true;
    else if (a === '-h' || a === '--help') p.help = true;
    else throw new UsageError(`unknown option ${a}`);
  }
  if (p.all && !p.cleanup) throw new UsageError('--all goes with --cleanup');
  if (p.cleanup && p.cmd.length > 0) throw new UsageError('--cleanup takes no command');
  return p;
}

export const command: Command = {
  name: 'lab',
  summary: 'try a program on a simulated IPv6-only network with NAT64 (needs root)',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const p = parse(args);
    if (p.help) {
      io.out(usage);
      return EXIT_OK;
    }
    if (process.getuid?.() !== 0) {
      io.err('tnat64 lab: needs root (network namespaces); try: sudo tnat64 lab\n');
      return EXIT_PROBLEM;
    }
    if (p.cleanup) {
      const removed = await Lab.cleanup(p.all);
      io.out(removed.length ? `removed ${removed.join(' ')}\n` : 'nothing to remove\n');
      return EXIT_OK;
    }
    let lab: Lab;
    try {
      lab = await Lab.create(p.options);
    } catch (e) {
      io.err(`tnat64 lab: cannot build the lab: ${(e as Error).message}\n`);
      return EXIT_PROBLEM;
    }
    try {
      if (p.cmd.length === 0) return await demonstrate(lab, io);
      // The lab strips TNAT64_* from what commands inherit (tests must not see the developer's); here the user set
      // them for this command on purpose: `TNAT64_DEBUG=1 tnat64 lab -- tnat64 curl …`.
      const mine = Object.fromEntries(Object.entries(io.env).filter(([k]) => k.startsWith('TNAT64_')));
      const r = await lab.run(p.cmd, { stdio: 'inherit', timeoutMs: p.timeoutSec * 1000, env: mine });
      if (r.code === 127 && r.stderr) io.err(r.stderr);
      if (r.signal) return 128 + (constants.signals[r.signal] ?? 0);
      return r.code ?? EXIT_PROBLEM;
    } finally {
      await lab.destroy();
    }
  },
};
