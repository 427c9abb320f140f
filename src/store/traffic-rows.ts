// The bookkeeping flush's rows, shared by both stores: one upsert per (system, day) and one per (system, day,
// code, rule), written once in SQL both dialects read the same way (named `@` parameters, the conflicting row
// named by its table, CASE instead of SQLite's scalar MAX or PostgreSQL's GREATEST). Later instants win by text
// order: the columns hold local RFC 3339 times of one offset (PostgreSQL's are COLLATE "C", SQLite's BINARY).
import type { Bookkeeping } from './types.js';

/** `a` (the incoming value) wins when it is set and not older than the stored `b`. */
const newer = (a: string, b: string) => `excluded.${a} IS NOT NULL AND (${b} IS NULL OR excluded.${a} >= ${b})`;
const pick = (when: string, col: string, table: string) => `CASE WHEN ${when} THEN excluded.${col} ELSE ${table}.${col} END`;

const dayNewer = newer('last_auth_at', 'traffic.last_auth_at');
export const TRAFFIC_UPSERT = `INSERT INTO traffic (system_id, day, accepted, refused, duplicates, auth_ok, auth_failed, last_auth_at,
    last_auth_key, last_failed_at, statuses) VALUES (@systemId, @day, @accepted, @refused, @duplicates, @authOk, @authFailed, @lastAuthAt,
    @lastAuthKey, @lastFailedAt, @statuses)
  ON CONFLICT (system_id, day) DO UPDATE SET accepted = traffic.accepted + excluded.accepted, refused = traffic.refused + excluded.refused,
  duplicates = traffic.duplicates + excluded.duplicates, auth_ok = traffic.auth_ok + excluded.auth_ok,
  auth_failed = traffic.auth_failed + excluded.auth_failed,
  last_auth_key = ${pick(dayNewer, 'last_auth_key', 'traffic')}, last_auth_at = ${pick(dayNewer, 'last_auth_at', 'traffic')},
  last_failed_at = ${pick(newer('last_failed_at', 'traffic.last_failed_at'), 'last_failed_at', 'traffic')},
  statuses = traffic.statuses | excluded.statuses`;

const codeNewer = newer('example_at', 'traffic_codes.example_at');
export const CODE_UPSERT = `INSERT INTO traffic_codes (system_id, day, code, rule, count, example, example_at)
    VALUES (@systemId, @day, @code, @rule, @count, @example, @exampleAt)
  ON CONFLICT (system_id, day, code, rule) DO UPDATE SET count = traffic_codes.count + excluded.count,
  example = ${pick(codeNewer, 'example', 'traffic_codes')}, example_at = ${pick(codeNewer, 'example_at', 'traffic_codes')}`;

export interface TrafficRow {
  day: Record<string, string | number | null>;
  codes: Record<string, string | number | null>[];
}

/**
 * A batch's counters as the upserts' parameters, in key order: two instances flushing the same days lock their
 * rows in one order (no deadlock on PostgreSQL).
 */
export function trafficRows(b: Bookkeeping): TrafficRow[] {
  return [...b.traffic].sort(([a], [z]) => (a < z ? -1 : a > z ? 1 : 0)).map(([k, c]) => {
    const [systemId, day] = k.split('\u0000') as [string, string];
    const { codes, ...counts } = c;
    return {
      day: { systemId, day, ...counts },
      codes: [...codes].sort((x, y) => (x.code + '\u0000' + x.rule < y.code + '\u0000' + y.rule ? -1 : 1))
        .map((x) => ({ systemId, day, code: x.code, rule: x.rule, count: x.count, example: x.example, exampleAt: x.exampleAt })),
    };
  });
}
