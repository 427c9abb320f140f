// Query parameters of the statistics: instants as RFC 3339 or local dates.
import { HubError } from '../errors.js';
import { dayNumberOfDate, dayStartMs } from '../calendar/calendar.js';
import { parseRfc3339 } from '../util/time.js';

/** An RFC 3339 instant, or `YYYY-MM-DD` = 00:00 at +07:00 that day; 400 HUB_QUERY_INVALID naming the parameter. */
export function parseReportInstant(name: string, value: string): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayNumberOfDate(value) : undefined;
  const ms = day === undefined ? parseRfc3339(value) : day === null ? null : dayStartMs(day);
  if (ms === null) {
    throw new HubError('HUB_QUERY_INVALID', `${name} must be an RFC 3339 date-time or a date YYYY-MM-DD`, [{ path: `query:/${name}`, message: 'invalid date-time or date' }]);
  }
  return ms;
}

/** The oldest instant a report serves: 1990-01-01 00:00 +07:00 (nothing the hub holds is older). */
export const REPORT_MIN = dayStartMs(dayNumberOfDate('1990-01-01')!);
const TEN_YEARS_MS = 3653 * 86_400_000;

/** from/to outside 1990-01-01 .. now + 10 years: 400 HUB_QUERY_INVALID naming the parameter (issue 8). */
export function checkReportRange(from: number | undefined, to: number, now: number): void {
  for (const [name, v] of [['from', from], ['to', to]] as const) {
    if (v !== undefined && (v < REPORT_MIN || v > now + TEN_YEARS_MS)) {
      throw new HubError('HUB_QUERY_INVALID', `${name} must lie between 1990-01-01 and ten years from now`, [{ path: `query:/${name}`, message: 'outside 1990-01-01 .. now + 10 years' }]);
    }
  }
}
