// The on-time report as CSV for the office spreadsheet: RFC 4180 (CRLF, fields with a comma, quote or line
// break quoted, quotes doubled), UTF-8 with a byte-order mark so that Excel reads Vietnamese correctly.
import { ONTIME_BUCKETS, ONTIME_EXTRA } from '../calendar/ontime.js';
import type { GroupBy, OntimeCounts, OntimeResult } from './types.js';

export const CSV_TYPE = 'text/csv; charset=utf-8';
const BOM = '\uFEFF';

/** One field: quoted when needed; a text starting like a formula (= + - @) is prefixed with ' (CSV injection). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (fields: (string | number | null)[]) => `${fields.map(csvField).join(',')}\r\n`;
const countsOf = (c: OntimeCounts) => [c.total, ...ONTIME_BUCKETS.map((b) => c[b]), ...ONTIME_EXTRA.map((e) => c[e])];

/**
 * A header row, then one row per group (first column named after the grouping: agency, procedure or month), or
 * without groupBy one row of totals whose first columns are the report's from and to.
 */
export function ontimeCsv(r: OntimeResult & { from: string | null; to: string }, groupBy: GroupBy | undefined): string {
  const head = ['total', ...ONTIME_BUCKETS, ...ONTIME_EXTRA];
  if (!groupBy) return BOM + line(['from', 'to', ...head]) + line([r.from, r.to, ...countsOf(r)]);
  return BOM + line([groupBy, ...head]) + (r.groups ?? []).map((g) => line([g.key, ...countsOf(g)])).join('');
}

/** Whether the Accept header prefers text/csv to JSON (q-values honoured; JSON wins ties and wildcards). */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let csv = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/csv') csv = Math.max(csv, q);
    else if (type === 'application/json' || type === 'application/*' || type === '*/*') json = Math.max(json, q);
  }
  return csv > 0 && csv > json;
}
