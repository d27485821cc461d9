/**
 * Readiness probe, run with node inside a lab namespace: `node probe.js DEADLINE_MS CHECKS_JSON`.
 * Retries every check until all pass (exit 0) or the deadline passes (exit 1, the last failures on stderr).
 *   {"tcp": ["HOST", PORT]}                 a TCP connect succeeds
 *   {"dns": ["SERVER", "NAME", "A"|"AAAA"]} the server answers the query with at least one record
 */
import * as net from 'node:net';
import { Resolver } from 'node:dns/promises';

export type Check = { tcp: [string, number] } | { dns: [string, string, 'A' | 'AAAA'] };

function tcp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, timeout: 500 });
    s.on('connect', () => {
      s.destroy();
      resolve();
    });
    s.on('timeout', () => {
      s.destroy();
      reject(new Error(`tcp ${host} ${port}: timeout`));
    });
    s.on('error', (e) => reject(new Error(`tcp ${host} ${port}: ${e.message}`)));
  });
}

async function dns(server: string, name: string, type: 'A' | 'AAAA'): Promise<void> {
  const r = new Resolver({ timeout: 500, tries: 1 });
  r.setServers([server]);
  const answers = type === 'A' ? await r.resolve4(name) : await r.resolve6(name);
  if (answers.length === 0) throw new Error(`dns ${name} ${type}: no answer`);
}

async function main(): Promise<number> {
  const deadline = Date.now() + Number(process.argv[2]);
  let pending = JSON.parse(process.argv[3] ?? '[]') as Check[];
  const errors = new Map<Check, string>();
  while (pending.length > 0) {
    const results = await Promise.all(
      pending.map((c) =>
        ('tcp' in c ? tcp(...c.tcp) : dns(...c.dns)).then(
          () => true,
          (e: Error) => (errors.set(c, e.message), false),
        ),
      ),
    );
    pending = pending.filter((_, i) => !results[i]);
    if (pending.length === 0) return 0;
    if (Date.now() > deadline) {
      for (const c of pending) process.stderr.write(`not ready: ${errors.get(c)}\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return 0;
}

main().then((code) => (process.exitCode = code));
