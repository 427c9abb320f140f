// The on-time report in SQL on PostgreSQL (domain.md "On time"): the buckets' rules are SQLite's (BUCKET_SQL,
// the same integer day arithmetic in +07:00), counted with `COUNT(*) FILTER` in one statement; grouping is a
// GROUP BY (a hash aggregate: PostgreSQL has no per-row sorter cost to avoid, unlike SQLite's). Group keys sort
// in byte order (COLLATE "C"), as SQLite's loose index scan gives them.
import type pg from 'pg';
import { ONTIME_BUCKETS, ONTIME_EXTRA } from '../../calendar/ontime.js';
import type { OntimeQuery, OntimeResult } from '../../stats/types.js';
import { BUCKET_SQL, EXTRA_SQL, MAX_GROUPS, counts, monthsBetween, sum, tooManyGroups, type Group } from '../sqlite/stats.js';
import { ontimeFilter } from '../filters.js';
import { named, one, rows } from './db.js';

const COUNTS_SQL = ['COUNT(*) AS total', ...ONTIME_BUCKETS.map((b) => `COUNT(*) FILTER (WHERE ${BUCKET_SQL[b]}) AS "${b}"`),
  ...ONTIME_EXTRA.map((e) => `COUNT(*) FILTER (WHERE ${EXTRA_SQL[e]}) AS "${e}"`)].join(', ');
const HOUR7 = 7 * 3_600_000;
const GROUP_KEY = {
  month: `to_char(to_timestamp((received_at + ${HOUR7}) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')`,
  agency: 'agency',
  procedure: 'procedure',
} as const;

export async function ontimeReport(pool: pg.Pool, q: OntimeQuery): Promise<OntimeResult> {
  const { where, params } = ontimeFilter(q);
  if (q.scope) { where.push('code IN (SELECT code FROM dossier_scope WHERE agency = ANY(@scope::text[]))'); params.scope = [...q.scope]; }
  if (!q.groupBy) {
    const { text, values } = named(`SELECT ${COUNTS_SQL} FROM dossiers WHERE ${where.join(' AND ')}`, params);
    return counts(await one(pool, text, values));
  }
  if (q.groupBy === 'month') {
    // The same bound as SQLite's: a span of more than MAX_GROUPS months is refused before anything is counted.
    const b = await one<{ lo: number | null; hi: number | null }>(pool, 'SELECT MIN(received_at) AS lo, MAX(received_at) AS hi FROM dossiers');
    const lo = Math.max(q.from ?? -Infinity, b?.lo ?? Infinity);
    const hi = Math.min(q.to - 1, b?.hi ?? -Infinity);
    if (lo <= hi && monthsBetween(lo, hi) > MAX_GROUPS) throw tooManyGroups();
  }
  const key = GROUP_KEY[q.groupBy];
  const { text, values } = named(`SELECT ${key} AS key, ${COUNTS_SQL} FROM dossiers WHERE ${where.join(' AND ')}
    GROUP BY 1 ORDER BY ${key} COLLATE "C" LIMIT ${MAX_GROUPS + 1}`, params);
  const found = await rows<Record<string, number | string | null>>(pool, text, values);
  if (found.length > MAX_GROUPS) throw tooManyGroups();
  const groups: Group[] = found.map((r) => ({ key: String(r.key), ...counts(r) }));
  return { ...sum(groups), groups };
}
