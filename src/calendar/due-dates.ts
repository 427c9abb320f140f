// Due dates for the ingest rules (domain.md "Deadlines"): the calendar and the procedure catalogue from
// HUB_CONFIG_DIR, loaded once at start. Without a calendar.json the hub computes no due dates.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Dossier } from '../canonical/types.js';
import type { DueDates } from '../ingest/pipeline.js';
import { formatVn, parseRfc3339 } from '../util/time.js';
import { loadCalendar, type Calendar } from './calendar.js';
import { loadProcedures, type Procedure } from './catalogue.js';
import { computeDueAt, extendForSupplement } from './deadline.js';

export interface DeadlineConfig {
  calendar: Calendar;
  procedures: Map<string, Procedure>;
}

/** Loads and validates the calendar and catalogue; throws a message naming the file and entry when malformed. */
export function loadDeadlineConfig(configDir: string): DeadlineConfig | undefined {
  if (!existsSync(path.join(configDir, 'calendar.json'))) return undefined;
  return { calendar: loadCalendar(configDir), procedures: existsSync(path.join(configDir, 'procedures')) ? loadProcedures(configDir) : new Map() };
}

export function dueDates({ calendar, procedures }: DeadlineConfig): DueDates {
  return {
    computeDueAt(d: Dossier): string | null {
      const procedure = procedures.get(d.procedure.code);
      const received = parseRfc3339(d.receivedAt);
      if (!procedure || received === null) return null;
      return formatVn(computeDueAt(calendar, received, procedure.processingTime));
    },
    extendDueAt(dueAt: string, pausedFrom: string, resumedAt: string): string {
      const due = parseRfc3339(dueAt);
      const from = parseRfc3339(pausedFrom);
      const to = parseRfc3339(resumedAt);
      if (due === null || from === null || to === null || to < from) return dueAt;
      return formatVn(extendForSupplement(calendar, due, from, to));
    },
  };
}
