// Due dates for the ingest rules (domain.md "Deadlines"): the calendar and the procedure catalogue from
// HUB_CONFIG_DIR, loaded once at start. Without a calendar.json the hub computes no due dates.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Dossier } from '../canonical/types.js';
import type { Clock, Computed } from '../dossiers/clock.js';
import { formatVn, parseRfc3339 } from '../util/time.js';
import { loadCalendar, type Calendar } from './calendar.js';
import { loadProcedures, type Procedure } from './catalogue.js';
import { addOfficeTime, computeDue, type DueComputation } from './deadline.js';

export interface DeadlineConfig {
  calendar: Calendar;
  procedures: Map<string, Procedure>;
}

/** Loads and validates the calendar and catalogue; throws a message naming the file and entry when malformed. */
export function loadDeadlineConfig(configDir: string): DeadlineConfig | undefined {
  if (!existsSync(path.join(configDir, 'calendar.json'))) return undefined;
  return { calendar: loadCalendar(configDir), procedures: existsSync(path.join(configDir, 'procedures')) ? loadProcedures(configDir) : new Map() };
}

const out = (c: DueComputation): Computed => ({ at: formatVn(c.at), provisional: c.provisional });

/**
 * The clock's arithmetic over the loaded calendar. A count the calendar cannot finish (a RangeError: no opening
 * within 20 years) computes nothing rather than refusing the change: the due date is the hub's, not the source's.
 */
export function dueDates({ calendar, procedures }: DeadlineConfig): Clock {
  const procedureOf = (d: Dossier) => (d.procedure ? procedures.get(d.procedure.code) : undefined);
  const safely = (f: () => DueComputation): Computed | null => {
    try {
      return out(f());
    } catch (e) {
      if (e instanceof RangeError) return null;
      throw e;
    }
  };
  return {
    options(d) {
      const p = procedureOf(d);
      return p ? { clock: p.clock, excludeFinancialObligation: p.excludeFinancialObligation } : null;
    },
    dueFrom(d, start) {
      const p = procedureOf(d);
      const startMs = parseRfc3339(start);
      if (!p || startMs === null) return null;
      return safely(() => computeDue(calendar, startMs, p.processingTime));
    },
    addOfficeTime(d, due, from, to) {
      const p = procedureOf(d);
      const [dueMs, fromMs, toMs] = [parseRfc3339(due), parseRfc3339(from), parseRfc3339(to)];
      if (!p || dueMs === null || fromMs === null || toMs === null || toMs < fromMs) return null;
      return safely(() => addOfficeTime(calendar, dueMs, fromMs, toMs, p.processingTime.unit));
    },
  };
}

/** What /readyz and /metrics warn about (domain.md rule 9); never a reason to be unready. */
export interface CalendarWarnings {
  missingYears: number[];
  provisionalDueDates: number;
}

const DAY_MS = 86_400_000;
const yearVn = (ms: number) => new Date(ms + 7 * 3_600_000).getUTCFullYear();

/** The years from the current one to the one 120 days ahead (+07:00) with no holiday file; none without a calendar. */
export function missingYears(config: DeadlineConfig | undefined, now: number): number[] {
  if (!config) return [];
  const out: number[] = [];
  for (let y = yearVn(now); y <= yearVn(now + 120 * DAY_MS); y++) if (!config.calendar.years.includes(y)) out.push(y);
  return out;
}
