// Per-system, per-day traffic counters (api.md "Conformance report"): one shape for a day in the buffer, a day in
// the store and a window summed over days, so the buffer's pending second and the stored days add up the same way.
import type { CodeCount, DayTraffic } from '../store/types.js';

export const emptyDay = (): DayTraffic => ({
  accepted: 0, refused: 0, duplicates: 0, authOk: 0, authFailed: 0,
  lastAuthAt: null, lastAuthKey: null, lastFailedAt: null, statuses: 0, codes: [],
});

/** What one request (or one authentication) adds to a day. */
export interface TrafficDelta {
  accepted?: number;
  refused?: number;
  duplicates?: number;
  /** Refused items by code (and rule), each with its offending code, or null. */
  codes?: { code: string; rule: string; example: string | null }[];
  /** Statuses of the accepted changes: top-level `status` and every `steps[].status`. */
  statuses?: number[];
  auth?: { ok: true; keyId: string | null } | { ok: false };
}

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a >= b ? a : b);

/** Adds a delta into a day (mutates it). `at` is the local RFC 3339 time of the request. */
export function addDelta(day: DayTraffic, d: TrafficDelta, at: string): void {
  day.accepted += d.accepted ?? 0;
  day.refused += d.refused ?? 0;
  day.duplicates += d.duplicates ?? 0;
  for (const s of d.statuses ?? []) if (Number.isInteger(s) && s >= 0 && s < 31) day.statuses |= 1 << s;
  for (const c of d.codes ?? []) addCode(day.codes, { ...c, count: 1, exampleAt: c.example === null ? null : at });
  if (d.auth?.ok) {
    day.authOk++;
    if (day.lastAuthAt === null || at >= day.lastAuthAt) { day.lastAuthAt = at; day.lastAuthKey = d.auth.keyId; }
  } else if (d.auth) {
    day.authFailed++;
    day.lastFailedAt = later(day.lastFailedAt, at);
  }
}

function addCode(codes: CodeCount[], c: CodeCount): void {
  const hit = codes.find((x) => x.code === c.code && x.rule === c.rule);
  if (!hit) return void codes.push({ ...c });
  hit.count += c.count;
  if (c.exampleAt !== null && (hit.exampleAt === null || c.exampleAt >= hit.exampleAt)) { hit.example = c.example; hit.exampleAt = c.exampleAt; }
}

/** The sum of two days or windows (a new object). */
export function sumDays(a: DayTraffic, b: DayTraffic): DayTraffic {
  const out: DayTraffic = {
    accepted: a.accepted + b.accepted, refused: a.refused + b.refused, duplicates: a.duplicates + b.duplicates,
    authOk: a.authOk + b.authOk, authFailed: a.authFailed + b.authFailed,
    lastAuthAt: later(a.lastAuthAt, b.lastAuthAt), lastAuthKey: null, lastFailedAt: later(a.lastFailedAt, b.lastFailedAt),
    statuses: a.statuses | b.statuses, codes: a.codes.map((c) => ({ ...c })),
  };
  out.lastAuthKey = out.lastAuthAt === null ? null : out.lastAuthAt === a.lastAuthAt ? a.lastAuthKey : b.lastAuthKey;
  for (const c of b.codes) addCode(out.codes, c);
  return out;
}

/** The statuses of a bit set, ascending. */
export function statusList(bits: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < 31; s++) if (bits & (1 << s)) out.push(s);
  return out;
}
