// The office calendar (domain.md "Deadlines"): office hours, working weekdays, and the yearly holiday files.
// Loaded and checked once at start; a bad file stops the hub with a sentence naming the file and the entry,
// because a wrong calendar silently moves every computed deadline.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { VN_OFFSET_MINUTES, parseClock, validParts } from '../util/time.js';

export const DAY_MS = 86_400_000;
const OFFSET_MS = VN_OFFSET_MINUTES * 60_000;

export type HolidayType = 'off' | 'work';

export interface HolidayEntry {
  date: string;
  type: HolidayType;
  name?: string;
  note?: string;
}

/** An office interval in minutes after local midnight, half-open: [start, end). */
export interface OfficeInterval {
  readonly start: number;
  readonly end: number;
}

export interface Calendar {
  readonly timezone: 'Asia/Ho_Chi_Minh';
  /** ISO weekday numbers (1 Monday … 7 Sunday) that are working days unless a holiday file closes them. */
  readonly workdays: ReadonlySet<number>;
  /** Ordered, non-overlapping office intervals of a working day. */
  readonly hours: readonly OfficeInterval[];
  /** Office minutes in one working day (480 with the default calendar): the length of one working day. */
  readonly dayMinutes: number;
  /** Every holiday entry by local date `YYYY-MM-DD`. */
  readonly holidays: ReadonlyMap<string, HolidayEntry>;
  /** Years covered by a holiday file; other years are counted by weekday only. */
  readonly years: readonly number[];
  /** Local day numbers (days since 1970-01-01 in +07:00) of `off` days, ascending. */
  readonly offDays: readonly number[];
  /** Local day numbers of `work` (make-up) days, ascending. */
  readonly workDays: readonly number[];
  readonly offSet: ReadonlySet<number>;
  readonly workSet: ReadonlySet<number>;
  /** `off` and `work` day numbers together, ascending: the days where the weekday rule does not hold. */
  readonly exceptionDays: readonly number[];
}

/** A configuration file that cannot be used; `file` is relative to the configuration directory. */
export class ConfigError extends Error {
  readonly code = 'HUB_CONFIG_INVALID';
  readonly file: string;
  readonly entry: string | undefined;
  readonly reason: string;

  constructor(file: string, entry: string | undefined, reason: string) {
    super(`${file}: ${entry ? `${entry}: ` : ''}${reason}`);
    this.name = 'ConfigError';
    this.file = file;
    this.entry = entry;
    this.reason = reason;
  }
}

// ---- local day numbers -------------------------------------------------------------------------------------------

/** The local (+07:00) day number of an instant: days since 1970-01-01 local. */
export const localDayNumber = (epochMs: number): number => Math.floor((epochMs + OFFSET_MS) / DAY_MS);
/** The instant of local midnight that starts a day number. */
export const dayStartMs = (day: number): number => day * DAY_MS - OFFSET_MS;
/** ISO weekday (1 Monday … 7 Sunday) of a day number; 1970-01-01 was a Thursday. */
export const isoWeekday = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of a local date `YYYY-MM-DD`, or null when the date is malformed or impossible. */
export function dayNumberOfDate(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const parts = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: 0, minute: 0, second: 0, ms: 0 };
  if (!validParts(parts)) return null;
  return Date.UTC(parts.year, parts.month - 1, parts.day) / DAY_MS;
}

/** `YYYY-MM-DD` of a day number. */
export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

// ---- schemas -------------------------------------------------------------------------------------------------------

const CLOCK = { type: 'string', pattern: '^\\d{1,2}:\\d{2}$' };
const calendarSchema = {
  $id: 'https://lgsp-hub.local/schemas/config-calendar.json',
  type: 'object',
  additionalProperties: false,
  required: ['timezone', 'workdays', 'hours'],
  properties: {
    timezone: { const: 'Asia/Ho_Chi_Minh' },
    workdays: { type: 'array', minItems: 1, maxItems: 7, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 7 } },
    hours: { type: 'array', minItems: 1, maxItems: 12, items: { type: 'array', prefixItems: [CLOCK, CLOCK], minItems: 2, items: false } },
    note: { type: 'string' },
  },
};
const holidaySchema = {
  $id: 'https://lgsp-hub.local/schemas/config-holidays.json',
  type: 'object',
  additionalProperties: false,
  required: ['year', 'days'],
  properties: {
    year: { type: 'integer', minimum: 1900, maximum: 2999 },
    note: { type: 'string' },
    days: {
      type: 'array',
      maxItems: 366,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['date', 'type'],
        properties: {
          date: { type: 'string' },
          type: { enum: ['off', 'work'] },
          name: { type: 'string' },
          note: { type: 'string' },
        },
      },
    },
  },
};

const ajv = new Ajv2020({ strict: true, allErrors: false });
const validateCalendarFile = ajv.compile(calendarSchema);
const validateHolidayFile = ajv.compile(holidaySchema);

/** Parse a file's text, naming the file (and the line) when it is not JSON. */
export function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, undefined, `malformed JSON (${(e as Error).message})`);
  }
}

/** The ajv error as "entry: reason", naming list entries by index and, for holiday days, by date. */
export function describeAjvError(file: string, data: unknown, err: ErrorObject | undefined): ConfigError {
  if (!err) return new ConfigError(file, undefined, 'invalid');
  const segments = err.instancePath.split('/').slice(1);
  const days = (data as { days?: unknown } | null)?.days;
  // A holiday day is named by its date as well as its index: `days[3] (2026-04-30).type`.
  const date = segments[0] === 'days' && Array.isArray(days) ? (days[Number(segments[1])] as { date?: unknown } | undefined)?.date : undefined;
  const entry = segments.length
    ? segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]${i === 1 && typeof date === 'string' ? ` (${date})` : ''}` : `.${s}`)).join('').replace(/^\./, '')
    : undefined;
  let reason = err.message ?? 'invalid';
  if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(' or ');
    reason = `${JSON.stringify(valueAt(data, segments))} is unknown (expected ${allowed})`;
  } else if (err.keyword === 'additionalProperties') {
    reason = `unknown property "${(err.params as { additionalProperty: string }).additionalProperty}"`;
  } else if (err.keyword === 'const') {
    reason = `must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}`;
  }
  return new ConfigError(file, entry, reason);
}

function valueAt(data: unknown, segments: string[]): unknown {
  let v: unknown = data;
  for (const s of segments) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

// ---- building ------------------------------------------------------------------------------------------------------

export interface HolidayFileInput {
  /** Name used in messages, e.g. `holidays/2026.json`. */
  file: string;
  data: unknown;
}

/**
 * Build a calendar from already parsed files (the loader reads them; tests pass objects). Throws ConfigError.
 */
export function createCalendar(calendarData: unknown, holidayFiles: readonly HolidayFileInput[] = [], calendarFile = 'calendar.json'): Calendar {
  if (!validateCalendarFile(calendarData)) throw describeAjvError(calendarFile, calendarData, validateCalendarFile.errors?.[0]);
  const def = calendarData as { workdays: number[]; hours: [string, string][] };
  const hours: OfficeInterval[] = [];
  def.hours.forEach(([from, to], i) => {
    const entry = `hours[${i}] ${from}–${to}`;
    const a = parseClock(from);
    const b = parseClock(to);
    if (!a || !b) throw new ConfigError(calendarFile, entry, 'not a valid HH:mm time');
    const start = a.hour * 60 + a.minute;
    const end = b.hour * 60 + b.minute;
    if (end <= start) throw new ConfigError(calendarFile, entry, 'the interval ends before it starts');
    const prev = hours[hours.length - 1];
    if (prev && start < prev.end) {
      throw new ConfigError(calendarFile, entry, start < prev.start ? 'office hours are not in order' : 'overlaps the previous interval');
    }
    hours.push({ start, end });
  });
  const workdays = new Set(def.workdays);

  const holidays = new Map<string, HolidayEntry>();
  const years: number[] = [];
  const off: number[] = [];
  const work: number[] = [];
  for (const { file, data } of holidayFiles) {
    if (!validateHolidayFile(data)) throw describeAjvError(file, data, validateHolidayFile.errors?.[0]);
    const { year, days } = data as { year: number; days: HolidayEntry[] };
    const nameYear = /(\d{4})\.json$/.exec(file)?.[1];
    if (nameYear !== undefined && Number(nameYear) !== year) {
      throw new ConfigError(file, 'year', `${year} does not match the file name`);
    }
    if (years.includes(year)) throw new ConfigError(file, 'year', `${year} is covered by another holiday file`);
    years.push(year);
    const seen = new Set<string>();
    days.forEach((d, i) => {
      const entry = `days[${i}] (${d.date})`;
      const day = dayNumberOfDate(d.date);
      if (day === null) throw new ConfigError(file, entry, 'not a valid date YYYY-MM-DD');
      if (Number(d.date.slice(0, 4)) !== year) throw new ConfigError(file, entry, `the date is outside the file's year ${year}`);
      if (seen.has(d.date)) throw new ConfigError(file, entry, 'duplicate date');
      seen.add(d.date);
      const weekday = isoWeekday(day);
      const weekdayName = WEEKDAY_NAMES[weekday - 1];
      if (d.type === 'work' && workdays.has(weekday)) {
        throw new ConfigError(file, entry, `a "work" day must be a day off by weekday, but ${d.date} is a ${weekdayName}, already a working day`);
      }
      if (d.type === 'off' && !workdays.has(weekday)) {
        throw new ConfigError(file, entry, `an "off" day must be a working weekday, but ${d.date} is a ${weekdayName}, already a weekend day (list the compensatory day instead)`);
      }
      holidays.set(d.date, { ...d });
      (d.type === 'off' ? off : work).push(day);
    });
  }
  const asc = (a: number, b: number) => a - b;
  off.sort(asc);
  work.sort(asc);
  return Object.freeze({
    timezone: 'Asia/Ho_Chi_Minh' as const,
    workdays,
    hours: Object.freeze(hours),
    dayMinutes: hours.reduce((n, h) => n + h.end - h.start, 0),
    holidays,
    years: Object.freeze(years.sort(asc)),
    offDays: Object.freeze(off),
    workDays: Object.freeze(work),
    offSet: new Set(off),
    workSet: new Set(work),
    exceptionDays: Object.freeze([...off, ...work].sort(asc)),
  });
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** Read `calendar.json` and every `holidays/<year>.json` under the configuration directory. */
export function loadCalendar(configDir: string): Calendar {
  const calendarFile = 'calendar.json';
  const calendarData = parseJsonFile(calendarFile, readConfigFile(configDir, calendarFile));
  const holidayDir = path.join(configDir, 'holidays');
  let names: string[] = [];
  try {
    names = readdirSync(holidayDir).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const files = names.map((n) => {
    const file = `holidays/${n}`;
    if (!/^\d{4}\.json$/.test(n)) throw new ConfigError(file, undefined, 'a holiday file must be named <year>.json');
    return { file, data: parseJsonFile(file, readConfigFile(configDir, file)) };
  });
  return createCalendar(calendarData, files, calendarFile);
}

/** Read a configuration file, naming it when it is missing or unreadable. */
export function readConfigFile(configDir: string, file: string): string {
  try {
    return readFileSync(path.join(configDir, file), 'utf8');
  } catch (e) {
    throw new ConfigError(file, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
