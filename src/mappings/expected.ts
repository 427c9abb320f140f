// mapping.md §17's one format of expected results, and how a result is matched against it: ok items by canonical
// JSON of ref and change, refused ones by their {code, native} pairs (messages are not compared).
import { canonicalJson } from '../util/canonical-json.js';

/** What a decoder's answer gives (the dry-run's shape, mapping.md §16). */
export interface DryAnswer {
  refused?: { code: string };
  items: { ok: boolean; ref?: unknown; change?: unknown; errors?: { code: string; native: string }[]; roundTrip?: { equal: boolean } }[];
}

export type Expected = { refused?: { code: string }; items?: ({ ok: true; ref: unknown; change: unknown } | { ok: false; errors: { code: string; native: string }[] })[] };
/** The JSON Schema of an `expected` object given to `POST …/samples` (exactly one of `refused` and `items`). */
export const EXPECTED_SCHEMA = {
  type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: false,
  properties: {
    refused: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: 100 } } },
    items: {
      type: 'array', maxItems: 500,
      items: {
        type: 'object', required: ['ok'], additionalProperties: false,
        properties: {
          ok: { type: 'boolean' }, ref: { type: 'object' }, change: { type: 'object' },
          errors: { type: 'array', maxItems: 1000, items: { type: 'object', required: ['code', 'native'], properties: { code: { type: 'string' }, native: { type: 'string' } } } },
        },
        if: { properties: { ok: { const: false } } }, then: { required: ['errors'] }, else: { required: ['ref', 'change'] },
      },
    },
  },
} as const;

export type DiffRow = { item: number | null; path: string; expected: unknown; actual: unknown };

/** The approved form of a decoder's answer (mapping.md §17's one format of expected results). */
export function expectedOf(a: DryAnswer): Expected {
  if (a.refused) return { refused: { code: a.refused.code } };
  return { items: a.items.map((i) => (i.ok ? { ok: true as const, ref: i.ref, change: i.change } : { ok: false as const, errors: (i.errors ?? []).map((e) => ({ code: e.code, native: e.native })) })) };
}

const pairs = (errs: { code: string; native: string }[]) => errs.map((e) => `${e.code} ${e.native}`).sort();

/** Rows where the actual result differs: ok items by canonical JSON of ref and change, refused ones by {code, native} pairs. */
export function sampleDiff(expected: Expected, actual: Expected): DiffRow[] {
  if (expected.refused || actual.refused) {
    return expected.refused?.code === actual.refused?.code ? [] : [{ item: null, path: '/refused/code', expected: expected.refused?.code ?? null, actual: actual.refused?.code ?? null }];
  }
  const rows: DiffRow[] = [];
  const n = Math.max(expected.items?.length ?? 0, actual.items?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const e = expected.items?.[i];
    const a = actual.items?.[i];
    if (!e || !a || e.ok !== a.ok) { rows.push({ item: i, path: '/ok', expected: e?.ok ?? null, actual: a?.ok ?? null }); continue; }
    if (e.ok && a.ok) {
      for (const k of ['ref', 'change'] as const) if (canonicalJson(e[k]) !== canonicalJson(a[k])) rows.push({ item: i, path: `/${k}`, expected: e[k], actual: a[k] });
    } else if (!e.ok && !a.ok && canonicalJson(pairs(e.errors)) !== canonicalJson(pairs(a.errors))) {
      rows.push({ item: i, path: '/errors', expected: e.errors, actual: a.errors });
    }
  }
  return rows;
}

export const sampleOk = (e: Expected): boolean => !e.refused && (e.items ?? []).every((i) => i.ok);

