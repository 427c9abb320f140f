// The on-time buckets of domain.md "On time". Pure: the reference that the SQL of the statistics is tested against.
// Dates are compared at local (+07:00) date granularity: finishing at 23:00 on the due date is on time, and a
// dossier still open on its due date is not yet overdue.
import { parseRfc3339 } from '../util/time.js';
import { localDayNumber } from './calendar.js';

export const ONTIME_BUCKETS = ['early', 'onTime', 'late', 'inProgress', 'overdue', 'paused', 'supplementExpired', 'withdrawn', 'refused', 'submitted'] as const;
/** Counts besides the buckets, not part of their sum: dossiers with at least one and at least two extensions. */
export const ONTIME_EXTRA = ['extended', 'extendedTwice'] as const;
/** The applicant has 15 days to complete the dossier (Decree 118 art. 19(5)). */
export const SUPPLEMENT_DAYS = 15;
export type Bucket = (typeof ONTIME_BUCKETS)[number];

/** An instant as epoch milliseconds or an RFC 3339 string; null or undefined when absent. */
export type Instant = number | string | null | undefined;

export interface OntimeInput {
  status: number;
  /** The judged due date: judgedDueAt, else (a dossier stored before that field) dueAt. */
  dueAt: Instant;
  /** Status 5: the open round's requestedAt, else the move to 5. */
  supplementSince?: Instant;
  finishedAt: Instant;
  returnedAt: Instant;
}

function toMs(value: Instant, field: string): number | null {
  if (value === null || value === undefined) return null;
  const ms = typeof value === 'number' ? value : parseRfc3339(value);
  if (ms === null || !Number.isFinite(ms)) throw new RangeError(`${field} is not an instant: ${String(value)}`);
  return ms;
}

/**
 * The bucket of one dossier by its current status, for a report ending at `reportEndMs` (min(to, now)).
 * Finished (9, 10): finish date (finishedAt, else returnedAt) against the due date; no dueAt, or no finish time
 * recorded, counts as onTime. Open (2, 4): overdue when the due date is before the report end's date.
 */
export function ontimeBucket(d: OntimeInput, reportEndMs: number): Bucket {
  switch (d.status) {
    case 1:
      return 'submitted';
    case 3:
      return 'refused';
    case 7:
      return 'withdrawn';
    case 5: {
      const since = toMs(d.supplementSince, 'supplementSince');
      return since !== null && localDayNumber(reportEndMs) > localDayNumber(since) + SUPPLEMENT_DAYS ? 'supplementExpired' : 'paused';
    }
    case 6:
    case 8:
      return 'paused';
    case 2:
    case 4: {
      const due = toMs(d.dueAt, 'dueAt');
      if (due === null) return 'inProgress';
      return localDayNumber(due) < localDayNumber(reportEndMs) ? 'overdue' : 'inProgress';
    }
    case 9:
    case 10: {
      const due = toMs(d.dueAt, 'dueAt');
      const finish = toMs(d.finishedAt, 'finishedAt') ?? toMs(d.returnedAt, 'returnedAt');
      if (due === null || finish === null) return 'onTime';
      const dueDay = localDayNumber(due);
      const finishDay = localDayNumber(finish);
      return finishDay < dueDay ? 'early' : finishDay > dueDay ? 'late' : 'onTime';
    }
    default:
      throw new RangeError(`unknown status ${d.status}`);
  }
}
