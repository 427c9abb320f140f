// Dates and times (canonical.md, "Dates and times"). Vietnam is UTC+07:00 all year, no daylight saving,
// so local time is a fixed offset and needs no time-zone database.

export const VN_OFFSET_MINUTES = 7 * 60;
const VN_OFFSET_MS = VN_OFFSET_MINUTES * 60_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number }

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Null when the parts do not name a real instant (31/02, 25:00, minute 60): never a silent roll-over. */
export function validParts(p: LocalParts): boolean {
  return Number.isInteger(p.year) && p.year >= 1900 && p.year <= 2999 &&
    p.month >= 1 && p.month <= 12 && p.day >= 1 && p.day <= daysInMonth(p.year, p.month) &&
    p.hour >= 0 && p.hour <= 23 && p.minute >= 0 && p.minute <= 59 && p.second >= 0 && p.second <= 59 &&
    p.ms >= 0 && p.ms <= 999;
}

/** Epoch milliseconds of local (+07:00) wall-clock parts, or null when the parts are impossible. */
export function fromLocalParts(p: LocalParts): number | null {
  if (!validParts(p)) return null;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms) - VN_OFFSET_MS;
}

/** Local (+07:00) wall-clock parts of an instant. */
export function toLocalParts(epochMs: number): LocalParts {
  const d = new Date(epochMs + VN_OFFSET_MS);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), ms: d.getUTCMilliseconds(),
  };
}

/** Parse an RFC 3339 date-time with an explicit offset; null when malformed or impossible. */
export function parseRfc3339(value: string): number | null {
  const m = RFC3339.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const parts = { year: +y!, month: +mo!, day: +d!, hour: +h!, minute: +mi!, second: +s!, ms };
  if (!validParts(parts)) return null;
  let offset = 0;
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const oh = +zone!.slice(1, 3);
    const om = +zone!.slice(4, 6);
    if (oh > 23 || om > 59) return null;
    offset = sign * (oh * 60 + om);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, ms) - offset * 60_000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** RFC 3339 in +07:00 with milliseconds only when there are any: 2026-11-27T08:15:02.123+07:00. */
export function formatVn(epochMs: number): string {
  const p = toLocalParts(epochMs);
  const frac = p.ms ? `.${pad(p.ms, 3)}` : '';
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${frac}+07:00`;
}

/** Re-write an RFC 3339 value in +07:00 (output times always carry +07:00, canonical.md). */
export function toVn(value: string): string | null {
  const t = parseRfc3339(value);
  return t === null ? null : formatVn(t);
}

/** yyyyMMddHHmmss in local time (the DVCQG date form). */
export function formatCompact(epochMs: number): string {
  const p = toLocalParts(epochMs);
  return `${p.year}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
}

/** dd/MM/yyyy and HH:mm in local time (the UNDP and SOAP forms). */
export function formatDmy(epochMs: number): { date: string; time: string; seconds: string } {
  const p = toLocalParts(epochMs);
  return { date: `${pad(p.day)}/${pad(p.month)}/${p.year}`, time: `${pad(p.hour)}:${pad(p.minute)}`, seconds: pad(p.second) };
}

/** yyMMdd of the local date, as in the national dossier code. */
export function localDateCode(epochMs: number): string {
  const p = toLocalParts(epochMs);
  return `${pad(p.year % 100)}${pad(p.month)}${pad(p.day)}`;
}

/**
 * Parse the legacy local forms: `dd/MM/yyyy[ HH:mm[:ss]]` (single-digit day and month allowed),
 * `yyyy-MM-dd[THH:mm[:ss]]`, `yyyyMMddHHmmss`. A value carrying an offset is read as RFC 3339.
 * `dateOnly` decides the time of a date alone: 'start' 00:00 (receipt) or 'endOfOfficeDay' 17:00 (deadlines).
 */
export function parseLocal(value: string, dateOnly: 'start' | 'endOfOfficeDay' = 'start'): number | null {
  const v = value.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(v);
  let parts: LocalParts | null = null;
  if (m) {
    parts = { day: +m[1]!, month: +m[2]!, year: +m[3]!, hour: m[4] ? +m[4] : NaN, minute: m[5] ? +m[5] : NaN, second: m[6] ? +m[6] : 0, ms: 0 };
  } else if ((m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(v))) {
    parts = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: m[4] ? +m[4] : NaN, minute: m[5] ? +m[5] : NaN, second: m[6] ? +m[6] : 0, ms: 0 };
  } else if ((m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v))) {
    parts = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]!, ms: 0 };
  } else if (RFC3339.test(v)) {
    return parseRfc3339(v);
  }
  if (!parts) return null;
  if (Number.isNaN(parts.hour)) {
    parts.hour = dateOnly === 'start' ? 0 : 17;
    parts.minute = 0;
    parts.second = 0;
  }
  return fromLocalParts(parts);
}

/** HH:mm (or H:mm) → minutes after midnight, or null. */
export function parseClock(value: string): { hour: number; minute: number } | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const hour = +m[1]!;
  const minute = +m[2]!;
  if (hour > 23 || minute > 59 || (m[3] !== undefined && +m[3] > 59)) return null;
  return { hour, minute };
}
