// Random dossier rows for the on-time report's tests and benchmark: a seeded PRNG, realistic shares of statuses,
// due dates and finish dates spread around the due date (so day boundaries in +07:00 are hit), written straight
// into the store's tables in one transaction. Not a test file itself (no .test.ts).
import type Database from 'better-sqlite3';
import { localDateCode } from '../../src/util/time.js';
import { prng } from '../helpers/prng.js';


export interface SynthRow {
  code: string;
  agency: string;
  procedure: string;
  status: number;
  receivedAt: number;
  dueAt: number | null;
  /** finishedAt, else returnedAt: the store's finished_at column. */
  finishedAt: number | null;
  /** The judged due date (judged_due_at); absent: dueAt (a dossier stored before judgedDueAt, or not extended twice). */
  judgedDueAt?: number | null;
  /** Status 5: the open round's requestedAt (supplement_since). */
  supplementSince?: number | null;
  /** Number of extensions (dueAtExtensions). */
  extensions?: number;
}

export interface SynthOptions {
  seed: number;
  count: number;
  /** Receipt instants uniform in [from, to). */
  from: number;
  to: number;
  agencies?: number;
  procedures?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Status shares of a province a few months into the year: most returned, some in progress, a few of the rest.
const STATUS_WEIGHTS: [number, number][] = [[1, 2], [2, 6], [3, 2], [4, 16], [5, 4], [6, 1], [7, 1], [8, 1], [9, 9], [10, 58]];
const STATUS_TOTAL = STATUS_WEIGHTS.reduce((s, [, w]) => s + w, 0);

export const agencyCode = (i: number) => `000.00.${String(10 + i).padStart(2, '0')}.H12`;
export const procedureCode = (i: number) => `1.00${String(4200 + i * 7).padStart(4, '0')}`;

export function* synthRows(o: SynthOptions): Generator<SynthRow> {
  const rnd = prng(o.seed);
  const agencies = o.agencies ?? 50;
  const procedures = o.procedures ?? 30;
  const pick = (n: number) => Math.floor(rnd() * n);
  for (let i = 0; i < o.count; i++) {
    // Skewed: a few large agencies and common procedures take most dossiers.
    const agency = agencyCode(Math.floor(agencies * rnd() ** 2));
    const procedure = procedureCode(Math.floor(procedures * rnd() ** 1.5));
    const receivedAt = o.from + pick(o.to - o.from);
    let r = rnd() * STATUS_TOTAL;
    let status = 10;
    for (const [s, w] of STATUS_WEIGHTS) { if ((r -= w) < 0) { status = s; break; } }
    // 5% without a due date; otherwise 1 to 30 days after receipt, at any time of day.
    const dueAt = rnd() < 0.05 ? null : receivedAt + (1 + pick(30)) * DAY + pick(DAY);
    let finishedAt: number | null = null;
    if (status === 9 || status === 10) {
      // 3% with no finish time recorded; otherwise around the due date: mostly before, some on the day, some late.
      if (rnd() >= 0.03) {
        const base = dueAt ?? receivedAt + 10 * DAY;
        finishedAt = Math.max(receivedAt + pick(HOUR), base + Math.round((rnd() * 6 - 4.5) * DAY));
      }
    }
    // 10% extended once, 4% twice: dueAt is the last promise, the judged date the first extension's.
    const x = rnd();
    const extensions = dueAt === null ? 0 : x < 0.04 ? 2 : x < 0.14 ? 1 : 0;
    const judgedDueAt = extensions === 2 && dueAt !== null ? dueAt - (1 + pick(5)) * DAY : dueAt;
    // Status 5 since 0 to 40 days after receipt: some within the applicant's 15 days, some past them.
    const supplementSince = status === 5 ? receivedAt + pick(40 * DAY) : null;
    yield {
      code: `${agency}-${localDateCode(receivedAt)}-${String(i).padStart(7, '0')}`, agency, procedure, status, receivedAt, dueAt, finishedAt,
      judgedDueAt, supplementSince, extensions,
    };
  }
}

/** Writes rows straight into `dossiers` (and `dossier_scope`), in one transaction; `seqBase` keeps seq unique. */
export function insertRows(db: Database.Database, rows: Iterable<SynthRow>, opts: { seqBase?: number; scope?: boolean; docPad?: number } = {}): number {
  const ins = db.prepare(`INSERT INTO dossiers (code, agency, status, procedure, received_at, due_at, finished_at, updated_at, revision, seq, doc,
    judged_due_at, supplement_since, extensions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`);
  const scope = db.prepare('INSERT INTO dossier_scope (agency, code) VALUES (?, ?)');
  const pad = 'x'.repeat(opts.docPad ?? 0);
  let n = 0;
  db.transaction(() => {
    for (const r of rows) {
      n++;
      const doc = `{"code":"${r.code}","status":${r.status},"pad":"${pad}"}`;
      ins.run(r.code, r.agency, r.status, r.procedure, r.receivedAt, r.dueAt, r.finishedAt, r.finishedAt ?? r.receivedAt, (opts.seqBase ?? 1_000_000_000) + n, doc,
        r.judgedDueAt === undefined ? r.dueAt : r.judgedDueAt, r.supplementSince ?? null, r.extensions ?? 0);
      if (opts.scope) scope.run(r.agency, r.code);
    }
  })();
  return n;
}
