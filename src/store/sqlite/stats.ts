// The on-time report in SQL (domain.md "On time"): each dossier counted in exactly one bucket by
// `COUNT(*) FILTER (WHERE …)` over the columns of a covering index (migration 3); no dossier row is read and
// nothing is loaded into memory. The pure reference is src/calendar/ontime.ts (ontimeBucket); test/stats checks
// that both agree on random data.
//
// Day granularity in +07:00 without date functions: local day = (ms + 7 h) / 1 day in integer arithmetic. The
// instants are first shifted by a whole number of days so that integer division (which truncates toward zero)
// is floor division also before 1970; comparing shifted day numbers is the same as comparing day numbers.
// "Due on a local date before the report end's" needs no division: due_at < the instant that date starts.
//
// Grouping never sorts the rows (a GROUP BY over a million rows costs ~0.6 s in its sorter): by month it is one
// range scan of dossiers_ontime per month; by agency or procedure one range scan of dossiers_ontime_agency or
// dossiers_ontime_procedure per key, the keys found by a loose index scan (one seek per key).
import type Database from 'better-sqlite3';
import type { Dossier } from '../../canonical/types.js';
import { HubError } from '../../errors.js';
import { ONTIME_BUCKETS, ONTIME_EXTRA, type Bucket } from '../../calendar/ontime.js';
import { fromLocalParts, parseRfc3339, toLocalParts } from '../../util/time.js';
import type { OntimeCounts, OntimeQuery, OntimeResult } from '../../stats/types.js';
import { ontimeFilter } from '../filters.js';

const DAY = 86_400_000;
const SHIFT = 7 * 3_600_000 + 100_000 * DAY;
const finishDay = `((finished_at + ${SHIFT}) / ${DAY})`;
const dueDay = `((judged_due_at + ${SHIFT}) / ${DAY})`;
/** The most groups a report answers (issue 8): beyond, 400 naming groupBy. */
export const MAX_GROUPS = 400;

/**
 * The rule of each bucket (domain.md table) over judged_due_at (judgedDueAt, else dueAt); a NULL date makes a
 * comparison NULL, i.e. not counted. Status 5 is expired when the report end's date is later than the round's date
 * plus 15 days, that is when the round started before 00:00 of (the report end's date − 15 days): @expiredBefore.
 */
export const BUCKET_SQL: Record<Bucket, string> = {
  early: `status IN (9, 10) AND ${finishDay} < ${dueDay}`,
  onTime: `status IN (9, 10) AND (judged_due_at IS NULL OR finished_at IS NULL OR ${finishDay} = ${dueDay})`,
  late: `status IN (9, 10) AND ${finishDay} > ${dueDay}`,
  inProgress: 'status IN (2, 4) AND (judged_due_at IS NULL OR judged_due_at >= @endDayStart)',
  overdue: 'status IN (2, 4) AND judged_due_at < @endDayStart',
  paused: '(status IN (6, 8) OR (status = 5 AND (supplement_since IS NULL OR supplement_since >= @expiredBefore)))',
  supplementExpired: 'status = 5 AND supplement_since < @expiredBefore',
  withdrawn: 'status = 7',
  refused: 'status = 3',
  submitted: 'status = 1',
};
export const EXTRA_SQL = { extended: 'extensions >= 1', extendedTwice: 'extensions >= 2' } as const;
const COUNTED = [...ONTIME_BUCKETS, ...ONTIME_EXTRA] as const;
const COUNTS_SQL = ['COUNT(*) AS total', ...ONTIME_BUCKETS.map((b) => `COUNT(*) FILTER (WHERE ${BUCKET_SQL[b]}) AS ${b}`),
  ...ONTIME_EXTRA.map((e) => `COUNT(*) FILTER (WHERE ${EXTRA_SQL[e]}) AS ${e}`)].join(', ');

const msOf = (iso: string | null | undefined) => (iso ? parseRfc3339(iso) : null);

/** The report's columns of a dossier row, written with every revision. */
export function clockColumns(d: Dossier): { judged_due_at: number | null; supplement_since: number | null; extensions: number; due_provisional: number } {
  let since: number | null = null;
  if (d.status === 5) {
    const open = [...(d.supplements ?? [])].reverse().find((r) => !r.resubmittedAt);
    const moves = (d.steps ?? []).filter((s) => s.status === 5).map((s) => msOf(s.at) ?? -Infinity);
    since = msOf(open?.requestedAt) ?? (moves.length ? Math.max(...moves) : null);
  }
  return {
    judged_due_at: msOf(d.judgedDueAt ?? d.dueAt),
    supplement_since: since,
    extensions: d.dueAtExtensions?.length ?? 0,
    due_provisional: d.dueAtProvisional ? 1 : 0,
  };
}

type Row = Record<string, number | string | null>;
export type Group = { key: string } & OntimeCounts;

export function counts(row: Row | undefined): OntimeCounts {
  const c = { total: Number(row?.total ?? 0) } as OntimeCounts;
  for (const b of COUNTED) c[b] = Number(row?.[b] ?? 0);
  return c;
}

export function sum(groups: readonly OntimeCounts[]): OntimeCounts {
  const s = counts(undefined);
  for (const g of groups) {
    s.total += g.total;
    for (const b of COUNTED) s[b] += g[b];
  }
  return s;
}

const monthStart = (year: number, month: number) => fromLocalParts({ year, month, day: 1, hour: 0, minute: 0, second: 0, ms: 0 })!;

/** Months from lo's to hi's (+07:00), both counted. */
export function monthsBetween(lo: number, hi: number): number {
  const a = toLocalParts(lo);
  const b = toLocalParts(hi);
  return (b.year - a.year) * 12 + (b.month - a.month) + 1;
}

/**
 * The months (+07:00) holding an instant of [lo, hi]: [key YYYY-MM, start, next month's start]. At most `max`
 * months: the loop is bounded whatever dates the store holds (issue 8); beyond, a RangeError.
 */
export function monthsCovering(lo: number, hi: number, max = MAX_GROUPS): [string, number, number][] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError('monthsCovering needs finite instants');
  if (monthsBetween(lo, hi) > max) throw new RangeError(`more than ${max} months`);
  const out: [string, number, number][] = [];
  let { year, month } = toLocalParts(lo);
  for (let start = monthStart(year, month); start <= hi && out.length < max;) {
    const [ny, nm] = month === 12 ? [year + 1, 1] : [year, month + 1];
    const next = monthStart(ny, nm);
    out.push([`${year}-${String(month).padStart(2, '0')}`, start, next]);
    [year, month, start] = [ny, nm, next];
  }
  return out;
}

export const tooManyGroups = () => new HubError('HUB_QUERY_INVALID', `The report would have more than ${MAX_GROUPS} groups: narrow from/to or filter`,
  [{ path: 'query:/groupBy', message: `more than ${MAX_GROUPS} groups` }]);

export class OntimeStats {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.cache.size > 64) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Every statement a report runs, with its parameter sets (the report itself, and the tests' plan check). */
  private plan(q: OntimeQuery): { sql: string; runs: { key: string; params: Record<string, unknown> }[] } {
    const { where, params } = ontimeFilter(q);
    if (q.scope) {
      // rowid is in every index entry: the scope's dossiers are looked up once, the scan itself stays covered.
      where.push('rowid IN (SELECT d.rowid FROM dossier_scope s JOIN dossiers d ON d.code = s.code WHERE s.agency IN (SELECT value FROM json_each(@scope)))');
      params.scope = JSON.stringify(q.scope);
    }

    if (q.groupBy === 'month') {
      const bounds = this.stmt('SELECT MIN(received_at) AS lo, MAX(received_at) AS hi FROM dossiers').get() as { lo: number | null; hi: number | null };
      const lo = Math.max(q.from ?? -Infinity, bounds.lo ?? Infinity);
      const hi = Math.min(q.to - 1, bounds.hi ?? -Infinity);
      if (lo <= hi && monthsBetween(lo, hi) > MAX_GROUPS) throw tooManyGroups();
      return {
        sql: `SELECT ${COUNTS_SQL} FROM dossiers WHERE ${where.join(' AND ')} AND received_at >= @monthStart AND received_at < @monthEnd`,
        runs: lo <= hi ? monthsCovering(lo, hi).map(([key, monthStart, monthEnd]) => ({ key, params: { ...params, monthStart, monthEnd } })) : [],
      };
    }
    if (q.groupBy === 'agency' || q.groupBy === 'procedure') {
      const col = q.groupBy;
      const fixed = q[col];
      return {
        sql: `SELECT ${COUNTS_SQL} FROM dossiers WHERE ${where.join(' AND ')} AND ${col} = @groupKey`,
        runs: (fixed !== undefined ? [fixed] : this.keys(col)).map((key) => ({ key, params: { ...params, groupKey: key } })),
      };
    }
    return { sql: `SELECT ${COUNTS_SQL} FROM dossiers WHERE ${where.join(' AND ')}`, runs: [{ key: '', params }] };
  }

  /** The distinct values of an indexed column by a loose index scan: one seek per value. */
  private keys(col: 'agency' | 'procedure'): string[] {
    const next = this.stmt(`SELECT MIN(${col}) FROM dossiers WHERE ${col} > ?`).pluck();
    const out: string[] = [];
    for (let k = next.get('') as string | null; k !== null; k = next.get(k) as string | null) out.push(k);
    return out;
  }

  report(q: OntimeQuery): OntimeResult {
    const { sql, runs } = this.plan(q);
    const stmt = this.stmt(sql);
    // Synchronous on the store's one connection: no write interleaves, the groups are of one state.
    if (!q.groupBy) return counts(stmt.get(runs[0]!.params) as Row);
    const groups: Group[] = [];
    for (const run of runs) {
      const c = counts(stmt.get(run.params) as Row);
      if (c.total) groups.push({ key: run.key, ...c });
      if (groups.length > MAX_GROUPS) throw tooManyGroups();
    }
    return { ...sum(groups), groups };
  }

  /** EXPLAIN QUERY PLAN of the report's statement (tests: it must read covering indexes only). */
  explain(q: OntimeQuery): string[] {
    const { sql, runs } = this.plan(q);
    const params = runs[0]?.params ?? { to: q.to, endDayStart: 0, expiredBefore: 0, monthStart: 0, monthEnd: 0, groupKey: '' };
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
  }
}
