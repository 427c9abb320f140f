// Times the hub cannot have seen (canonical.md "Dates and times", "Range"): something that happened lies from
// 1990-01-01 (+07:00) to 5 minutes after the hub's clock; a due date from 1990-01-01 to 10 years after it. A time
// outside would freeze a dossier (no later change could be newer) or make reports loop over centuries.
import { HubError, type FieldError } from '../errors.js';
import type { DossierChange } from '../canonical/types.js';
import { parseRfc3339 } from '../util/time.js';

export const EARLIEST = Date.parse('1990-01-01T00:00:00+07:00');
export const CLOCK_SKEW_MS = 5 * 60_000;
const TEN_YEARS_MS = 3653 * 86_400_000;

type Kind = 'happened' | 'due';
const TOP: Record<string, Kind> = { receivedAt: 'happened', submittedAt: 'happened', finishedAt: 'happened', returnedAt: 'happened', dueAt: 'due' };
const LISTS: Record<string, Record<string, Kind>> = {
  steps: { at: 'happened', startedAt: 'happened', dueAt: 'due', deadlineAt: 'due' },
  supplements: { requestedAt: 'happened', resubmittedAt: 'happened', previousDueAt: 'due', newDueAt: 'due' },
  fees: { paidAt: 'happened' },
  participants: { finishedAt: 'happened', dueAt: 'due' },
};

function check(value: unknown, kind: Kind, path: string, now: number, errors: FieldError[]): void {
  if (typeof value !== 'string') return;
  const t = parseRfc3339(value);
  if (t === null) return; // a malformed time is the shape check's (HUB_DATE_INVALID / HUB_VALIDATION)
  const latest = kind === 'happened' ? now + CLOCK_SKEW_MS : now + TEN_YEARS_MS;
  if (t < EARLIEST) errors.push({ path, message: 'before 1990-01-01T00:00:00+07:00' });
  else if (t > latest) errors.push({ path, message: kind === 'happened' ? 'more than 5 minutes after the hub\'s clock' : 'more than 10 years after the hub\'s clock' });
}

/** The range errors of a normalised change (canonical paths), in document order. */
export function timeRangeErrors(change: DossierChange, now: number): FieldError[] {
  const errors: FieldError[] = [];
  const c = change as Record<string, unknown>;
  for (const [field, kind] of Object.entries(TOP)) check(c[field], kind, `/${field}`, now, errors);
  for (const [list, fields] of Object.entries(LISTS)) {
    const items = c[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item, i) => {
      if (!item || typeof item !== 'object') return;
      for (const [field, kind] of Object.entries(fields)) check((item as Record<string, unknown>)[field], kind, `/${list}/${i}/${field}`, now, errors);
    });
  }
  return errors;
}

/** Throws 422 HUB_DATE_OUT_OF_RANGE naming every field out of range. */
export function checkTimeRange(change: DossierChange, now: number): void {
  const errors = timeRangeErrors(change, now);
  if (errors.length) throw new HubError('HUB_DATE_OUT_OF_RANGE', `${errors[0]!.path} is out of range: ${errors[0]!.message}`, errors);
}
