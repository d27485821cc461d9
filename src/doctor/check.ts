/**
 * The shape of one doctor check and of the whole report (docs/DOCTOR.md pins the JSON form: schema 1). A check never
 * throws for a condition of the host; it reports it.
 */

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

/** Field order in the JSON: id, status, summary, detail, fix, data. */
export interface Check {
  id: CheckId;
  status: Status;
  /** One line, plain words. */
  summary: string;
  /** More lines: every answer, every resolver, every source; null when there is nothing more to say. */
  detail: string | null;
  /** What to do; set for fail and warn, null otherwise. */
  fix: string | null;
  /** Machine-readable facts, one documented shape per check id. */
  data: Record<string, unknown>;
}

/** Every id, in report order; the JSON lists exactly these, in this order. */
export const CHECK_IDS = [
  'ipv6-route',
  'ipv4-route',
  'config',
  'library',
  'bindv6only',
  'dns64',
  'pref64',
  'prefix',
  'prefixes-agree',
  'nameservers',
  'forward',
  'program',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export const SCHEMA = 1;

export function check(id: CheckId, status: Status, summary: string, more: { detail?: string | null; fix?: string | null; data?: Record<string, unknown> } = {}): Check {
  return { id, status, summary, detail: more.detail ?? null, fix: more.fix ?? null, data: more.data ?? {} };
}

/** A promise that settles with `fallback()` if `promise` has not settled within `ms`: no check may hang. */
export function bounded<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    // Not unref'd: a promise with nothing pending behind it must still reach its fallback, not end the process.
    timer = setTimeout(() => resolve(fallback()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
