// Date patterns of mapping.md §5.2: token strings scanned token by token, never turned into a regular expression.
import { fromLocalParts, toLocalParts, parseRfc3339, formatVn, type LocalParts } from '../../../src/util/time.js';

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';
export type DateToken = { readonly field: Field; readonly min: number; readonly max: number } | { readonly sep: string };
export interface DatePattern { readonly text: string; readonly tokens: readonly DateToken[]; readonly hasTime: boolean }

const TOKENS: readonly [string, Field, number, number][] = [
  ['yyyy', 'year', 4, 4], ['MM', 'month', 2, 2], ['M', 'month', 1, 2], ['dd', 'day', 2, 2], ['d', 'day', 1, 2],
  ['HH', 'hour', 2, 2], ['H', 'hour', 1, 2], ['mm', 'minute', 2, 2], ['ss', 'second', 2, 2],
];
const SEPARATORS = new Set(['/', '-', '.', ':', 'T', ' ']);

/** Compile a pattern; a string is the reason it is refused. */
export function compileDatePattern(text: string): DatePattern | string {
  const tokens: DateToken[] = [];
  let i = 0;
  while (i < text.length) {
    const tok = TOKENS.find(([t]) => text.startsWith(t, i));
    if (tok) {
      const prev = tokens[tokens.length - 1];
      if (prev && 'field' in prev && prev.min !== prev.max) return `a 1–2-digit token must be followed by a separator or end the pattern`;
      tokens.push({ field: tok[1], min: tok[2], max: tok[3] });
      i += tok[0].length;
    } else if (SEPARATORS.has(text[i]!)) {
      tokens.push({ sep: text[i]! });
      i++;
    } else return `"${text[i]}" is neither a token (yyyy MM M dd d HH H mm ss) nor a separator (/ - . : T space)`;
  }
  const fields = tokens.flatMap((t) => ('field' in t ? [t.field] : []));
  if (new Set(fields).size !== fields.length) return 'a token appears twice';
  if (!fields.includes('year') || !fields.includes('month') || !fields.includes('day')) return 'a pattern holds a year, a month and a day';
  if (fields.includes('hour') !== fields.includes('minute')) return 'an hour needs minutes (mm) and minutes need an hour';
  if (fields.includes('second') && !fields.includes('minute')) return 'seconds (ss) need minutes (mm)';
  return { text, tokens, hasTime: fields.includes('hour') };
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Read a value with one pattern: undefined when it does not match, the parts otherwise. */
function scan(value: string, p: DatePattern): Partial<Record<Field, number>> | undefined {
  const out: Partial<Record<Field, number>> = {};
  let i = 0;
  for (const t of p.tokens) {
    if ('sep' in t) {
      if (value[i] !== t.sep) return undefined;
      i++;
      continue;
    }
    let n = 0;
    let len = 0;
    while (len < t.max && i < value.length && isDigit(value.charCodeAt(i))) {
      n = n * 10 + value.charCodeAt(i) - 48;
      i++;
      len++;
    }
    if (len < t.min) return undefined;
    out[t.field] = n;
  }
  return i === value.length ? out : undefined;
}

export type DateOutcome = { ok: true; value: string } | { ok: false; message: string };

/** Decode a local date-time (§5.2); `time` is the time of a date alone (dateOnly or timeFrom). */
export function parseWithPatterns(value: string, patterns: readonly DatePattern[], time: { hour: number; minute: number; second?: number }): DateOutcome {
  for (const p of patterns) {
    const f = scan(value, p);
    if (!f) continue;
    const parts: LocalParts = {
      year: f.year!, month: f.month!, day: f.day!, ms: 0,
      hour: p.hasTime ? f.hour! : time.hour, minute: p.hasTime ? f.minute! : time.minute, second: p.hasTime ? (f.second ?? 0) : (time.second ?? 0),
    };
    const ms = fromLocalParts(parts);
    if (ms === null) return { ok: false, message: `"${value}" is not a real date/time (${p.text})` };
    return { ok: true, value: formatVn(ms) };
  }
  const explicit = parseRfc3339(value);
  if (explicit !== null) return { ok: true, value: formatVn(explicit) };
  return { ok: false, message: `"${value}" does not match ${patterns.map((p) => p.text).join(' or ')}` };
}

/** H:mm, HH:mm or HH:mm:ss (timeFrom and dateOnly), or null. */
export function parseTimeOfDay(value: string): { hour: number; minute: number; second: number } | null {
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3) return null;
  const nums: number[] = [];
  for (const [i, s] of parts.entries()) {
    if (s.length < (i === 0 ? 1 : 2) || s.length > 2) return null;
    for (let k = 0; k < s.length; k++) if (!isDigit(s.charCodeAt(k))) return null;
    nums.push(Number(s));
  }
  const [hour, minute, second = 0] = nums as [number, number, number?];
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Encode an RFC 3339 value with a pattern, in local time (§10); null when the value is not a date-time. */
export function formatWithPattern(value: string, p: DatePattern): { date: string; time: string } | null {
  const ms = parseRfc3339(value);
  if (ms === null) return null;
  const parts = toLocalParts(ms);
  let out = '';
  for (const t of p.tokens) out += 'sep' in t ? t.sep : pad(parts[t.field], t.min);
  return { date: out, time: `${pad(parts.hour, 2)}:${pad(parts.minute, 2)}` };
}
