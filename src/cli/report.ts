/**
 * Shared presentation for check, explain and discover: the configuration summary, one decision, and the documented
 * JSON shapes (docs/CONFIG.md "JSON output").
 */

import { dump, formatError } from '../core/config.js';
import { LoadedConfig } from '../core/config-file.js';
import { Decision } from '../core/decide.js';
import { Discovery } from '../core/discover.js';
import { formatIPv4, formatNet } from '../core/ipv4.js';
import { PrefixSource } from '../core/prefix-source.js';
import { formatPrefix, Prefix } from '../core/rfc6052.js';

const FROM: Record<LoadedConfig['from'], string> = {
  option: 'given with -f',
  env: 'from TNAT64_CONF_FILE',
  default: 'the default; TNAT64_CONF_FILE is not set',
};

/** Lines describing the configuration file and what the library makes of it. */
export function configLines(loaded: LoadedConfig): string[] {
  const head = `configuration file: ${loaded.file} (${FROM[loaded.from]})`;
  if (loaded.status === 'absent') return [head, 'status: no such file, so no configuration: only TNAT64_PREFIX or discovery give a prefix'];
  if (loaded.status === 'invalid') {
    return [
      head,
      `status: INVALID (${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}); the library ignores the whole file and uses TNAT64_PREFIX or discovery`,
      ...loaded.errors.map((error) => `  ${formatError(error)}`),
    ];
  }
  const text = dump({ ok: true, config: loaded.config });
  const { config } = loaded;
  const summary = `${config.prefix ? '1 default prefix' : 'no default prefix'}, ${config.locals.length} local net(s), ${config.paths.length} path(s)`;
  return [head, `status: valid: ${summary}`, ...text.split('\n').filter(Boolean).map((line) => `  ${line}`)];
}

export function prefixText(prefix: Prefix | undefined): string | null {
  return prefix ? formatPrefix(prefix) : null;
}

/** Lines for one decision. */
export function decisionLines(address: number, port: number, decision: Decision): string[] {
  const head = `${formatIPv4(address)}:${port}: ${decision.method} (${decision.reason})`;
  const via = decision.method === 'nat64' ? [`  prefix ${prefixText(decision.prefix)}, connect to [${decision.synthesized}]:${port}`] : [];
  return [head, ...via, `  why: ${decision.explanation}`, `  ${decision.runtime}`];
}

export function configJson(loaded: LoadedConfig) {
  return { file: loaded.file, from: loaded.from, status: loaded.status, errors: loaded.errors };
}

export function decisionJson(address: number, port: number, decision: Decision) {
  return {
    address: formatIPv4(address),
    port,
    method: decision.method,
    reason: decision.reason,
    prefix: prefixText(decision.prefix),
    synthesized: decision.synthesized ?? null,
    explanation: decision.explanation,
    runtime: decision.runtime,
    standin: decision.standin ? { range: formatNet(decision.standin.range), origin: decision.standin.origin, role: decision.standin.role } : null,
  };
}

export function discoveryJson(discovery: Discovery) {
  return {
    status: discovery.status,
    prefixes: discovery.prefixes.map((prefix) => ({ prefix: formatPrefix(prefix), length: prefix.length })),
    ttl: discovery.ttl ?? null,
    resolvers: discovery.resolvers,
    answers: discovery.answers,
    error: discovery.errorCode ?? null,
    message: discovery.message,
    hint: discovery.hint ?? null,
    warnings: discovery.warnings,
  };
}

export function prefixSourceJson(source: PrefixSource, lookedUp: boolean) {
  return {
    prefix: prefixText(source.prefix),
    origin: source.origin,
    lookedUp,
    detail: source.detail,
    envProblem: source.envProblem ?? null,
    discovery: source.discovery ? discoveryJson(source.discovery) : null,
    pref64: source.pref64
      ? { prefix: formatPrefix(source.pref64.prefix), expires: source.pref64.expires, interface: source.pref64.interface ?? null, router: source.pref64.router ?? null, file: source.pref64.file }
      : null,
    pref64Problem: source.pref64Problem ?? null,
  };
}
