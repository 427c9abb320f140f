// One rule, decoded in the fixed order of mapping.md §5: source → length guard → absence → text → shaping → conversion.
import type { ErrorCode } from '../../../src/errors.js';
import { normaliseText } from '../../../src/util/text.js';
import type { Constant, RulePlan } from './plan.js';
import { readScalar, visit, type Ctx, type NativeNode } from './native.js';
import { matchKey } from './build.js';
import { parseTimeOfDay, parseWithPatterns } from './dates.js';
import { keepDigits, parseNumber } from './numbers.js';

/** In-memory catalogue snapshots for lookups (§5.5); a lookup never does I/O. */
export interface Catalogues {
  readonly agencyLevel?: ReadonlyMap<string, string>;
  readonly procedureName?: ReadonlyMap<string, string>;
}

/** An error of a rule, as §15 gives it (the canonical pointer is added by the caller). */
export interface RuleError { code: ErrorCode; native: string; rule: string; value?: string; message: string }

export type Outcome =
  | { kind: 'absent'; native: string }
  | { kind: 'value'; value: Constant | string[]; raw?: string; native: string }
  | { kind: 'error'; error: RuleError };

const cut = (s: string) => (s.length > 200 ? s.slice(0, 200) : s);
// Blank = nothing left after NFC, zero-width removal and trimming (§5 step 3). A scan, not a normalisation: NFC never
// turns a visible character into nothing, so only white space and the zero-width characters need looking at.
const ZERO_WIDTH = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]);
const SPACE = /\s/;
export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) return false;
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || ZERO_WIDTH.has(c)) continue;
    if (!SPACE.test(s[i]!)) return false;
  }
  return true;
}

function fail(rule: RulePlan, code: ErrorCode, native: string, message: string, raw?: string): Outcome {
  return { kind: 'error', error: { code, native, rule: rule.ptr, ...(raw !== undefined ? { value: cut(raw) } : {}), message } };
}

type SourceRead = { raw?: string; native: string } | Outcome;

function readSource(rule: RulePlan, node: NativeNode, ctx: Ctx): SourceRead {
  const src = rule.source;
  if (src.kind === 'value') return { kind: 'value', value: src.value, native: '' };
  let first: string | undefined;
  const parts: string[] = [];
  let native = '';
  for (const p of src.paths) {
    const r = readScalar(node, p, ctx);
    first ??= r.native;
    if (r.status === 'error') return fail(rule, 'HUB_VALIDATION', r.native, r.message);
    if (r.status === 'missing' || isBlank(r.text)) continue;
    if (src.kind !== 'joinOf') return { raw: r.text, native: r.native };
    if (!native) native = r.native;
    parts.push(r.text.trim());
  }
  if (parts.length) return { raw: parts.join(src.kind === 'joinOf' ? src.with : ''), native };
  return { native: first ?? node.path };
}

/** What an absent value becomes: fallback, default, required, or left out (§5 step 3). */
function absent(rule: RulePlan, node: NativeNode, ctx: Ctx, cats: Catalogues, native: string, why = 'required value is missing'): Outcome {
  if (rule.fallback) {
    const fb = evaluate(rule.fallback, node, ctx, cats);
    if (fb.kind !== 'absent') return fb;
  }
  if (rule.hasDefault) return { kind: 'value', value: rule.default!, native };
  if (rule.required) return fail(rule, 'HUB_VALIDATION', native, why);
  return { kind: 'absent', native };
}

/** Decode one rule at a node. */
export function evaluate(rule: RulePlan, node: NativeNode, ctx: Ctx, cats: Catalogues): Outcome {
  visit(ctx);
  const s = readSource(rule, node, ctx);
  if ('kind' in s) return s;
  const { raw, native } = s;
  if (raw !== undefined && raw.length > rule.rawMax) return fail(rule, 'HUB_VALIDATION', native, `the value is ${raw.length} characters; at most ${rule.rawMax} are read`, raw);
  if (raw === undefined || isBlank(raw)) return absent(rule, node, ctx, cats, native);
  let v = raw.trim();
  if (rule.clean) v = normaliseText(v);
  if (rule.segment) {
    v = (v.split(rule.segment.sep)[rule.segment.index] ?? '').trim();
    if (v === '') return absent(rule, node, ctx, cats, native);
  }
  if (rule.case) v = rule.case === 'upper' ? v.toLocaleUpperCase('vi') : v.toLocaleLowerCase('vi');
  if (rule.split !== undefined) {
    const list = v.split(rule.split).map((x) => x.trim()).filter((x) => x !== '');
    return list.length ? { kind: 'value', value: list, raw, native } : absent(rule, node, ctx, cats, native);
  }
  const c = rule.conversion;
  if (!c) return { kind: 'value', value: v, raw, native };
  switch (c.kind) {
    case 'table': {
      const key = matchKey(c.table.match, v);
      if (c.table.decode.has(key)) return { kind: 'value', value: c.table.decode.get(key)!, raw, native };
      const o = c.table.otherwise;
      if (o === 'keep') return { kind: 'value', value: v, raw, native };
      if (o !== 'error') return { kind: 'value', value: o.value, raw, native };
      const status = rule.target.name === 'status' || rule.target.name === 'steps.status';
      return fail(rule, status ? 'HUB_STATUS_UNKNOWN' : 'HUB_VALIDATION', native, `"${cut(v)}" is not in table ${c.table.name}`, raw);
    }
    case 'date': {
      let time: { hour: number; minute: number; second?: number } = c.dateOnly;
      if (c.timeFrom) {
        const t = readScalar(node, c.timeFrom, ctx);
        if (t.status === 'error') return fail(rule, 'HUB_VALIDATION', t.native, t.message);
        if (t.status === 'value' && !isBlank(t.text)) {
          const parsed = parseTimeOfDay(t.text.trim());
          if (!parsed) return fail(rule, 'HUB_DATE_INVALID', t.native, `"${cut(t.text)}" is not a time of day (H:mm, HH:mm or HH:mm:ss)`, t.text);
          time = parsed;
        }
      }
      const d = parseWithPatterns(v, c.patterns, time);
      return d.ok ? { kind: 'value', value: d.value, raw, native } : fail(rule, 'HUB_DATE_INVALID', native, d.message, raw);
    }
    case 'number': {
      const n = parseNumber(v, c);
      return n === undefined ? fail(rule, 'HUB_VALIDATION', native, `"${cut(v)}" is not a number written ${c.spec}`, raw) : { kind: 'value', value: n, raw, native };
    }
    case 'digits': {
      const d = keepDigits(v, c);
      return typeof d === 'string' ? fail(rule, 'HUB_VALIDATION', native, d, raw) : { kind: 'value', value: d.value, raw, native };
    }
    case 'lookup': {
      const hit = cats[c.catalogue]?.get(v);
      return hit !== undefined ? { kind: 'value', value: hit, raw, native } : absent(rule, node, ctx, cats, native, `"${cut(v)}" is not in the catalogue ${c.catalogue}`);
    }
  }
}
