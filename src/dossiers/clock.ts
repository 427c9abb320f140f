// The dossier's clock (domain.md "Deadlines" rules 1 and 5–9, canonical.md "Accepting a change"): acceptance,
// the hub-computed due date, supplementation rounds, status 6, extensions and the judged due date. Pure: the
// office-time arithmetic comes in through `Clock` (src/calendar/due-dates.ts), the rules call `applyClock` once per
// revision after the merge.
import type { Dossier, DossierChange, Step } from '../canonical/types.js';
import { parseRfc3339 } from '../util/time.js';

/** A hub computation: the due instant (RFC 3339, +07:00) and whether it counted a year with no holiday file. */
export interface Computed {
  at: string;
  provisional: boolean;
}

/** The calendar and catalogue as the rules need them; every method answers null for a procedure it does not know. */
export interface Clock {
  options(d: Dossier): { clock: 'restart' | 'pause'; excludeFinancialObligation: boolean } | null;
  /** The full processing time counted from `start` (rules 1–4). */
  dueFrom(d: Dossier, start: string): Computed | null;
  /** `due` moved on by the office time between `from` and `to` (rules 6 `pause` and 7). */
  addOfficeTime(d: Dossier, due: string, from: string, to: string): Computed | null;
}

type Round = NonNullable<Dossier['supplements']>[number];

const NOT_ACCEPTING = new Set([1, 3, 7]);
const ms = (iso: string | null | undefined): number | null => (iso ? parseRfc3339(iso) : null);
const sameInstant = (a: string | null | undefined, b: string | null | undefined) => (a ?? null) === (b ?? null) || (ms(a) !== null && ms(a) === ms(b));

function newestStep(steps: readonly Step[] | undefined, status?: number): Step | undefined {
  let best: Step | undefined;
  for (const s of steps ?? []) if ((status === undefined || s.status === status) && (!best || (ms(s.at) ?? 0) >= (ms(best.at) ?? 0))) best = s;
  return best;
}

const openRound = (d: Dossier): Round | undefined => [...(d.supplements ?? [])].reverse().find((r) => !r.resubmittedAt);

/**
 * Whether the dossier had been accepted before this change: `acceptedAt`; or a dossier stored before that field
 * existed (no submittedAt either, which every first submission at status 1 now gets) with a step at a status only
 * an accepted dossier reaches: its acceptance time is unknown, so the hub does not invent one later.
 */
function wasAccepted(before: Dossier): boolean {
  if (before.acceptedAt !== undefined) return true;
  return before.submittedAt === undefined && (before.steps ?? []).some((s) => !NOT_ACCEPTING.has(s.status) && s.status !== 5);
}

/** Puts a hub computation in place: dueAt, its source and the provisional mark (absent inside covered years). */
function setHubDue(d: Dossier, c: Computed): void {
  d.dueAt = c.at;
  d.dueAtSource = 'hub';
  if (c.provisional) d.dueAtProvisional = true;
  else delete d.dueAtProvisional;
}

/** A first submission (revision 1): submittedAt, acceptedAt and the first hub-computed due date. */
export function clockOnNew(d: Dossier, change: DossierChange, clock: Clock | undefined): void {
  if (d.status === 1 && !d.submittedAt && d.receivedAt) d.submittedAt = d.receivedAt;
  if (!NOT_ACCEPTING.has(d.status) && d.receivedAt) d.acceptedAt = d.receivedAt;
  if (d.status === 5 && !openRound(d)) {
    d.supplements = [...(d.supplements ?? []), { requestedAt: newestStep(d.steps, 5)?.at ?? d.receivedAt }];
  }
  delete d.dueAtProvisional;
  if (change.dueAt !== undefined) {
    d.dueAtSource = 'source';
  } else if (clock && d.acceptedAt && d.procedure) {
    const c = clock.dueFrom(d, d.acceptedAt);
    if (c) setHubDue(d, c);
  }
  if (d.dueAt) d.judgedDueAt = d.dueAt;
}

/**
 * A later change, after the merge: `d` holds the merged fields and the new status with its steps. Completes the
 * open supplementation round, applies rule 7, sets acceptedAt and the hub due date, records an extension.
 */
export function clockOnChange(before: Dossier, d: Dossier, change: DossierChange, clock: Clock | undefined, nowIso: string): void {
  const moved = d.status !== before.status;
  const statusAt = moved ? newestStep(d.steps, d.status)?.at ?? nowIso : undefined;
  const sourceDue = change.dueAt; // string: a new promise; null: cleared; undefined: the hub may compute
  const hubOwned = sourceDue === undefined && before.dueAtSource !== 'source';
  const opts = clock?.options(d) ?? null;
  const accepted = wasAccepted(before);

  // The round completes with the complete dossier received again (back to 2 or 4); other moves leave it open.
  const round = openRound(d);
  const completes = moved && round !== undefined && (d.status === 2 || d.status === 4);
  // Rule 1: acceptance sets the clock once. A round opened before acceptance (1 → 5) keeps the dossier unaccepted
  // until the change that completes it.
  let setsAcceptance = false;
  if (!accepted && statusAt !== undefined && !NOT_ACCEPTING.has(d.status) && d.status !== 5 && !(round && !completes)) {
    d.acceptedAt = statusAt;
    setsAcceptance = true;
  }

  if (sourceDue !== undefined) {
    d.dueAtSource = 'source';
    delete d.dueAtProvisional;
  } else if (hubOwned && clock && opts && statusAt) {
    if (setsAcceptance) {
      // Rule 1: the first due date counts from acceptance (a stored status-1 promise counted from reception gives way).
      const c = clock.dueFrom(d, statusAt);
      if (c) setHubDue(d, c);
    } else if (completes && round) {
      const c = opts.clock === 'pause' && before.dueAt
        ? clock.addOfficeTime(d, before.dueAt, round.requestedAt, statusAt)
        : clock.dueFrom(d, statusAt);
      if (c) setHubDue(d, c);
    } else if (before.status === 6 && opts.excludeFinancialObligation && before.dueAt && !openRound(before)) {
      // Rule 7; inside an open round the pause or the restart accounts for status 6 instead.
      const since = newestStep(before.steps, 6)?.at;
      if (since && (ms(since) ?? 0) <= (ms(statusAt) ?? 0)) {
        const c = clock.addOfficeTime(d, before.dueAt, since, statusAt);
        if (c) setHubDue(d, c);
      }
    }
  }

  if (completes && round && statusAt) {
    round.resubmittedAt = statusAt;
    if (before.dueAt) round.previousDueAt = before.dueAt;
    else delete round.previousDueAt;
    if (d.dueAt) round.newDueAt = d.dueAt;
    else delete round.newDueAt;
  }

  // Rule 8: extensions and the judged due date.
  const changed = !sameInstant(before.dueAt, d.dueAt);
  const previousJudged = before.judgedDueAt ?? before.dueAt ?? undefined;
  if (!changed || !d.dueAt) {
    // A due date left as it is, or cleared, leaves the judged one (a dossier stored before the field: its dueAt).
    if (previousJudged) d.judgedDueAt = previousJudged;
    return;
  }
  const extension = typeof sourceDue === 'string' && accepted && !setsAcceptance && !completes && before.dueAt &&
    (before.dueAtSource === 'source' || change.extensionReason !== undefined);
  const earlier = before.dueAtExtensions ?? [];
  if (extension) {
    const entry: NonNullable<Dossier['dueAtExtensions']>[number] = {
      at: newestStep(change.steps)?.at ?? nowIso, previousDueAt: before.dueAt!, newDueAt: d.dueAt,
      ...(change.extensionReason ? { reason: change.extensionReason } : {}),
    };
    d.dueAtExtensions = [...earlier, entry];
  }
  if (extension && earlier.length >= 1) {
    if (previousJudged) d.judgedDueAt = previousJudged;
  } else {
    d.judgedDueAt = d.dueAt;
  }
}
