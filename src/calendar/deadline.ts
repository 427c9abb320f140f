// Deadlines in office time (domain.md "Deadlines"). Pure: no I/O, no clock. Times are epoch milliseconds; days are
// local (+07:00) day numbers. Whole days and weeks are skipped arithmetically, so a 60-working-day count costs a
// few dozen steps, not a minute loop. Dates outside the holiday files are counted by weekday only.
import { DAY_MS, dayNumberOfDate, dayStartMs, isoWeekday, localDayNumber, type Calendar } from './calendar.js';

export const PROCESSING_UNITS = ['working_days', 'days', 'hours'] as const;
export type ProcessingUnit = (typeof PROCESSING_UNITS)[number];

export interface ProcessingTime {
  value: number;
  unit: ProcessingUnit;
}

const MINUTE_MS = 60_000;
/** Far enough for any real procedure (years); guards a calendar that would never open. */
const MAX_DAYS_SCANNED = 20 * 366;

function isWorkingDayNumber(cal: Calendar, day: number): boolean {
  if (cal.workSet.has(day)) return true;
  return cal.workdays.has(isoWeekday(day)) && !cal.offSet.has(day);
}

/** Whether a local date `YYYY-MM-DD` is a working day (a working weekday not closed, or a make-up day). */
export function isWorkingDay(cal: Calendar, localDate: string): boolean {
  const day = dayNumberOfDate(localDate);
  if (day === null) throw new RangeError(`not a local date YYYY-MM-DD: ${localDate}`);
  return isWorkingDayNumber(cal, day);
}

/** Whether an instant lies inside office hours, [opening, closing), of a working day. */
export function isWithinOfficeHours(cal: Calendar, atMs: number): boolean {
  const day = localDayNumber(atMs);
  if (!isWorkingDayNumber(cal, day)) return false;
  const minute = (atMs - dayStartMs(day)) / MINUTE_MS;
  return cal.hours.some((h) => minute >= h.start && minute < h.end);
}

/** First index in an ascending array whose value is ≥ x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Working days among the day numbers [from, to). */
function workingDaysIn(cal: Calendar, from: number, to: number): number {
  if (to <= from) return 0;
  const span = to - from;
  const weeks = Math.floor(span / 7);
  let n = weeks * cal.workdays.size;
  for (let d = from + weeks * 7; d < to; d++) if (cal.workdays.has(isoWeekday(d))) n++;
  // Each off day closes a working weekday, each work day opens a weekend day (the loader checks both).
  n -= lowerBound(cal.offDays, to) - lowerBound(cal.offDays, from);
  n += lowerBound(cal.workDays, to) - lowerBound(cal.workDays, from);
  return n;
}

/** Office milliseconds of day `day` that lie in [fromMs, toMs). */
function officeMsOfDay(cal: Calendar, day: number, fromMs: number, toMs: number): number {
  if (!isWorkingDayNumber(cal, day)) return 0;
  const base = dayStartMs(day);
  let ms = 0;
  for (const h of cal.hours) {
    const a = Math.max(fromMs, base + h.start * MINUTE_MS);
    const b = Math.min(toMs, base + h.end * MINUTE_MS);
    if (b > a) ms += b - a;
  }
  return ms;
}

function officeMsBetween(cal: Calendar, aMs: number, bMs: number): number {
  const da = localDayNumber(aMs);
  const db = localDayNumber(bMs);
  if (da === db) return officeMsOfDay(cal, da, aMs, bMs);
  return officeMsOfDay(cal, da, aMs, Infinity) +
    workingDaysIn(cal, da + 1, db) * cal.dayMinutes * MINUTE_MS +
    officeMsOfDay(cal, db, -Infinity, bMs);
}

/** Office minutes between two instants (negative when b is before a); fractions when seconds are involved. */
export function officeMinutesBetween(cal: Calendar, aMs: number, bMs: number): number {
  if (!Number.isFinite(aMs) || !Number.isFinite(bMs)) throw new RangeError('officeMinutesBetween needs finite instants');
  return bMs >= aMs ? officeMsBetween(cal, aMs, bMs) / MINUTE_MS : -officeMsBetween(cal, bMs, aMs) / MINUTE_MS;
}

/**
 * The instant at which `minutes` office minutes counted from `startMs` are complete. A start outside office hours
 * counts from the next opening; a count that ends exactly at a closing (11:30, 17:00) is due then.
 */
export function addOfficeHours(cal: Calendar, startMs: number, minutes: number): number {
  if (!Number.isFinite(startMs)) throw new RangeError('addOfficeHours needs a finite start');
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`office minutes must be ≥ 0, got ${minutes}`);
  if (cal.dayMinutes <= 0) throw new RangeError('the calendar has no office hours');
  let remaining = Math.round(minutes * MINUTE_MS);
  const dayMs = cal.dayMinutes * MINUTE_MS;
  const weekMs = cal.workdays.size * dayMs;
  let day = localDayNumber(startMs);
  let t = startMs;
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned++) {
    if (isWorkingDayNumber(cal, day)) {
      const base = dayStartMs(day);
      for (const h of cal.hours) {
        const end = base + h.end * MINUTE_MS;
        if (t >= end) continue;
        const from = Math.max(t, base + h.start * MINUTE_MS);
        const available = end - from;
        if (remaining <= available) return from + remaining;
        remaining -= available;
        t = end;
      }
    }
    day++;
    t = dayStartMs(day);
    // Skip whole weeks up to the next holiday-file exception, keeping a remainder so the last day is walked.
    if (weekMs > 0 && remaining > weekMs) {
      const next = cal.exceptionDays[lowerBound(cal.exceptionDays, day)] ?? Infinity;
      const weeks = Math.min(Math.floor((next - day) / 7), Math.ceil(remaining / weekMs) - 1);
      if (weeks > 0) {
        day += weeks * 7;
        t = dayStartMs(day);
        remaining -= weeks * weekMs;
        scanned += weeks * 7;
      }
    }
  }
  throw new RangeError('the office-hour count does not end within 20 years');
}

/** The next opening at or after an instant (the instant itself when it is inside office hours). */
export function nextOpening(cal: Calendar, atMs: number): number {
  if (cal.dayMinutes <= 0) throw new RangeError('the calendar has no office hours');
  let day = localDayNumber(atMs);
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned++, day++) {
    if (!isWorkingDayNumber(cal, day)) continue;
    const base = dayStartMs(day);
    for (const h of cal.hours) {
      const end = base + h.end * MINUTE_MS;
      if (atMs < end) return Math.max(atMs, base + h.start * MINUTE_MS);
    }
  }
  throw new RangeError('no opening within 20 years');
}

/** Whether an instant is exactly a closing (11:30, 17:00) of a working day. */
function isClosing(cal: Calendar, atMs: number): boolean {
  const day = localDayNumber(atMs);
  if (!isWorkingDayNumber(cal, day)) return false;
  const minute = (atMs - dayStartMs(day)) / MINUTE_MS;
  return cal.hours.some((h) => h.end === minute);
}

/** Rule 2: a working-day result exactly on a closing is due at the next opening (13:00, or 07:30 the next day). */
const pastClosing = (cal: Calendar, atMs: number): number => (isClosing(cal, atMs) ? nextOpening(cal, atMs) : atMs);

/** A hub computation's result: the instant and whether it counted a year with no holiday file by weekday only. */
export interface DueComputation {
  at: number;
  provisional: boolean;
}

/** Whether some year from `fromMs`'s to `toMs`'s (+07:00) has no holiday file (rule 9). */
export function touchesMissingYear(cal: Calendar, fromMs: number, toMs: number): boolean {
  const a = yearOf(Math.min(fromMs, toMs));
  const b = yearOf(Math.max(fromMs, toMs));
  // Bounded: the instants are at most the 20 years of MAX_DAYS_SCANNED apart, or the count would have thrown.
  for (let y = a; y <= b && y - a <= 25; y++) if (!cal.years.includes(y)) return true;
  return b - a > 25;
}

const yearOf = (ms: number): number => new Date(ms + 7 * 3_600_000).getUTCFullYear();

/**
 * The due time of a processing time counted from `startMs` (domain.md "Deadlines" rules 2–4): `working_days` as
 * value × the office day in office hours (a result on a closing moves to the next opening), `hours` as office hours
 * (a result on a closing stays), `days` as calendar days from the next opening (same time of day, moved to the
 * next working day if needed, a closing to the next opening).
 */
export function computeDue(cal: Calendar, startMs: number, processingTime: ProcessingTime): DueComputation {
  const { value, unit } = processingTime;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`processing time must be positive, got ${value}`);
  let result: number;
  switch (unit) {
    case 'working_days':
      result = pastClosing(cal, addOfficeHours(cal, startMs, value * cal.dayMinutes));
      break;
    case 'hours':
      result = addOfficeHours(cal, startMs, value * 60);
      break;
    case 'days': {
      // Fixed +07:00 offset, no daylight saving: N days later at the same time of day is N × 24 h later.
      let at = nextOpening(cal, startMs) + Math.round(value * DAY_MS);
      for (let i = 0; !isWorkingDayNumber(cal, localDayNumber(at)); i++) {
        if (i > MAX_DAYS_SCANNED) throw new RangeError('no working day within 20 years');
        at += DAY_MS;
      }
      result = pastClosing(cal, at);
      break;
    }
    default:
      throw new RangeError(`unknown processing-time unit: ${String(unit)}`);
  }
  return { at: result, provisional: touchesMissingYear(cal, startMs, result) };
}

/** The due instant alone (see computeDue). */
export function computeDueAt(cal: Calendar, startMs: number, processingTime: ProcessingTime): number {
  return computeDue(cal, startMs, processingTime).at;
}

/**
 * Rules 6 (`pause`) and 7: a hub-computed due time moved on by the office time between `fromMs` and `toMs` (status
 * 5 or 6). The result follows the procedure's unit: on a closing it stays for `hours` and moves to the next opening
 * otherwise.
 */
export function addOfficeTime(cal: Calendar, dueAtMs: number, fromMs: number, toMs: number, unit: ProcessingUnit): DueComputation {
  if (!(toMs >= fromMs)) throw new RangeError('the interval ends before it starts');
  const minutes = officeMinutesBetween(cal, fromMs, toMs);
  if (minutes <= 0) return { at: dueAtMs, provisional: touchesMissingYear(cal, fromMs, toMs) };
  const moved = addOfficeHours(cal, dueAtMs, minutes);
  const at = unit === 'hours' ? moved : pastClosing(cal, moved);
  return { at, provisional: touchesMissingYear(cal, Math.min(fromMs, dueAtMs), Math.max(toMs, at)) };
}

/**
 * A supplementation round (status 5 from `pausedFromMs` to `resumedAtMs`) moves a hub-computed due time on by the
 * office minutes the dossier spent in status 5.
 */
export function extendForSupplement(cal: Calendar, dueAtMs: number, pausedFromMs: number, resumedAtMs: number): number {
  return addOfficeTime(cal, dueAtMs, pausedFromMs, resumedAtMs, 'hours').at;
}
