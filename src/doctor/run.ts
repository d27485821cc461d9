/**
 * The doctor as a whole: the checks in two rounds (the ones that need nothing, in parallel; then the ones that need
 * the prefix), every network step bounded, so a run takes a few seconds at most. The report is the JSON of
 * docs/DOCTOR.md; `reportText` is its one-line-per-check form.
 */

import { loadConfig } from '../core/config-file.js';
import { bindv6onlyCheck } from './bindv6only.js';
import { bounded, Check, CheckId, CHECK_IDS, SCHEMA, Status } from './check.js';
import { configCheck } from './config.js';
import { askResolvers, dns64Check } from './dns64.js';
import { forwardCheck } from './forward.js';
import { libraryCheck } from './library.js';
import { nameserversCheck } from './nameservers.js';
import { agreeCheck, effectivePrefix, fixedPrefix, originWords, pref64Check, Pref64Result, prefixCheck, sourcesOf } from './prefix.js';
import { programCheck } from './program.js';
import { ipv4RouteCheck, ipv6RouteCheck, readRoutes } from './routes.js';
import { DoctorWorld } from './world.js';

/** Bounds of the network steps (ms): one DNS try per server, the router solicitation, the TCP connect. */
export const TIMEOUTS = { dns: 2000, pref64: 1500, connect: 3000 };

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  target?: string;
  program?: string;
  timeouts?: Partial<typeof TIMEOUTS>;
}

export interface Report {
  schema: typeof SCHEMA;
  version: string;
  /** false when a check failed: something blocks tnat64 (exit status 1). */
  ok: boolean;
  /** The ids of the failed checks. */
  blocking: CheckId[];
  checks: Check[];
}

async function pref64Of(world: DoctorWorld, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Pref64Result> {
  const solicited = world.isRoot();
  const learned = await bounded(
    world.learnPref64({ solicit: solicited, timeoutMs, env }).catch((error: unknown) => ({ found: [], problems: [`reading PREF64 failed: ${(error as Error).message}`] })),
    timeoutMs + 1000,
    () => ({ found: [], problems: [`no PREF64 result within ${timeoutMs + 1000} ms`] }),
  );
  return { solicited, found: learned.found.filter((a) => a.lifetime > 0), problems: learned.problems };
}

export async function runDoctor(world: DoctorWorld, options: DoctorOptions): Promise<Report> {
  const { env } = options;
  const timeouts = { ...TIMEOUTS, ...options.timeouts };
  const routes = readRoutes(world.base);
  const loaded = loadConfig(world.base.readBytes, env);
  const servers = world.base.nameservers();
  const disabled = env.TNAT64_DISCOVERY === '0';
  const [answers, pref64, program] = await Promise.all([
    askResolvers(world, servers, timeouts.dns),
    pref64Of(world, env, timeouts.pref64),
    programCheck(world, options.program, env.PATH),
  ]);
  const fixed = fixedPrefix(env, loaded.config, pref64, disabled);
  const effective = effectivePrefix(fixed, answers, disabled);
  const target = options.target !== undefined ? { text: options.target, from: 'argument' as const } : env.TNAT64_PROBE ? { text: env.TNAT64_PROBE, from: 'TNAT64_PROBE' as const } : undefined;
  const [forward, nameservers] = await Promise.all([
    forwardCheck(world, { ...(target ? { target } : {}), config: loaded.config, effective, ipv4Route: routes.ipv4, timeoutMs: timeouts.connect }),
    nameserversCheck(world, { servers, readText: world.base.readText, config: loaded.config, ...(effective.prefix ? { prefix: effective.prefix } : {}), timeoutMs: timeouts.dns }),
  ]);
  const byId: Record<CheckId, Check> = {
    'ipv6-route': ipv6RouteCheck(routes),
    'ipv4-route': ipv4RouteCheck(routes),
    config: configCheck(loaded),
    library: libraryCheck(world),
    bindv6only: bindv6onlyCheck(world.base),
    dns64: dns64Check(servers, answers, fixed.prefix ? originWords(fixed.origin) : undefined, disabled, routes.ipv4),
    pref64: pref64Check(pref64),
    prefix: prefixCheck(effective, routes.ipv4, disabled),
    'prefixes-agree': agreeCheck(sourcesOf(env, loaded.config, pref64, answers), effective),
    nameservers,
    forward,
    program,
  };
  const checks = CHECK_IDS.map((id) => byId[id]);
  const blocking = checks.filter((c) => c.status === 'fail').map((c) => c.id);
  return { schema: SCHEMA, version: world.version, ok: blocking.length === 0, blocking, checks };
}

const MARK: Record<Status, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function reportText(report: Report, verbose: boolean): string {
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const indent = ' '.repeat(4 + 2 + width + 2);
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status].padEnd(4)}  ${c.id.padEnd(width)}  ${c.summary}`);
    if (verbose && c.detail) for (const line of c.detail.split('\n')) lines.push(`${indent}${line}`);
    if (c.fix && (c.status === 'fail' || c.status === 'warn')) lines.push(`${indent}fix: ${c.fix}`);
  }
  const warnings = report.checks.filter((c) => c.status === 'warn').length;
  const also = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : '';
  lines.push(
    '',
    report.ok
      ? `nothing blocks tnat64${also}`
      : `${report.blocking.length} problem${report.blocking.length === 1 ? '' : 's'} block${report.blocking.length === 1 ? 's' : ''} tnat64: ${report.blocking.join(', ')}${also}`,
  );
  return lines.map((line) => `${line}\n`).join('');
}
