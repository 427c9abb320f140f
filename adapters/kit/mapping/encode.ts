// The mapping interpreter, encode side (mapping.md §9, §10): the same rules read backwards, nodes created in rule
// order, namespace-correct XML. A dossier the rules cannot write throws AdapterError HUB_VALIDATION naming the field.
import { AdapterError, type NativeMessage, type Target } from '../contract.js';
import { escapeXml } from '../xml.js';
import type { Dossier } from '../../../src/canonical/types.js';
import type { CompiledMapping, Constant, MappingPlan, PathPlan, RulePlan } from './plan.js';
import { isList } from './plan.js';
import { formatWithPattern } from './dates.js';
import { formatNumber } from './numbers.js';
import { getIn } from './decode.js';
import { visit, VisitLimit, type Ctx } from './native.js';

interface XEl { name: string; attrs: [string, string][]; children: XEl[]; text?: string }
type Out = { kind: 'json'; obj: Record<string, unknown> } | { kind: 'xml'; el: XEl };
type Written = string | number | boolean;

const fail = (canonical: string, message: string) => new AdapterError('HUB_VALIDATION', `${message}: ${canonical}`, [{ path: canonical, message }]);

function childOut(out: Out, seg: string, fresh: boolean): Out {
  if (out.kind === 'json') {
    const cur = out.obj[seg];
    if (!fresh && cur !== null && typeof cur === 'object' && !Array.isArray(cur)) return { kind: 'json', obj: cur as Record<string, unknown> };
    const obj: Record<string, unknown> = {};
    out.obj[seg] = obj;
    return { kind: 'json', obj };
  }
  const existing = fresh ? undefined : out.el.children.find((c) => c.name === seg);
  if (existing) return { kind: 'xml', el: existing };
  const el: XEl = { name: seg, attrs: [], children: [] };
  out.el.children.push(el);
  return { kind: 'xml', el };
}

function put(out: Out, p: PathPlan, value: Written, ctx: Ctx): void {
  let cur = out;
  const segs = p.segs;
  if (cur.kind === 'json') {
    if (segs.length === 0) return; // `.` cannot be written in JSON
    for (const s of segs.slice(0, -1)) { visit(ctx); cur = childOut(cur, s, false); }
    (cur as { obj: Record<string, unknown> }).obj[segs[segs.length - 1]!] = value;
    return;
  }
  for (const s of segs) { visit(ctx); cur = childOut(cur, s, false); }
  const el = (cur as { el: XEl }).el;
  if (p.attr !== undefined) {
    const i = el.attrs.findIndex(([k]) => k === p.attr);
    if (i >= 0) el.attrs[i] = [p.attr, String(value)];
    else el.attrs.push([p.attr, String(value)]);
  } else el.text = String(value);
}

function typed(rule: RulePlan, text: string, value: unknown): Written {
  if (rule.jsonType === 'number') { const n = typeof value === 'number' && !rule.conversion ? value : Number(text); return Number.isFinite(n) ? n : text; }
  if (rule.jsonType === 'boolean') return typeof value === 'boolean' && !rule.conversion ? value : text === 'true';
  return text;
}

/** Write one rule's canonical value at its native path(s) (§10's table). */
function encodeRule(rule: RulePlan, value: unknown, out: Out, canonical: string, ctx: Ctx): void {
  visit(ctx);
  if (rule.encode === false) return;
  const src = rule.source;
  if (typeof rule.encode === 'object') {
    if (src.kind !== 'value') put(out, src.paths[0]!, rule.encode.value === null ? '' : (rule.encode.value as Written), ctx);
    return;
  }
  if (src.kind === 'value' || rule.segment || rule.conversion?.kind === 'lookup') return;
  if (value === undefined || value === null) return;
  const c = rule.conversion;
  let text: string;
  if (c?.kind === 'table') {
    const native = c.table.encode.get(JSON.stringify(value));
    if (native === undefined) {
      if (c.table.otherwise === 'keep' && typeof value === 'string') text = value;
      else throw fail(canonical, `${JSON.stringify(value)} has no native value in table ${c.table.name}`);
    } else text = native;
  } else if (c?.kind === 'date') {
    const f = typeof value === 'string' ? formatWithPattern(value, c.patterns[0]!) : null;
    if (!f) throw fail(canonical, `${JSON.stringify(value)} is not a date-time`);
    text = f.date;
    if (c.timeFrom && !c.patterns[0]!.hasTime) put(out, c.timeFrom, f.time, ctx);
  } else if (c?.kind === 'number') {
    if (typeof value !== 'number') throw fail(canonical, `${JSON.stringify(value)} is not a number`);
    text = formatNumber(value, c);
  } else if (rule.split !== undefined && Array.isArray(value)) text = value.map(String).join(rule.split);
  else if (typeof value === 'object') throw fail(canonical, 'a list or an object cannot be written by a scalar rule');
  else text = String(value);
  if (src.kind === 'joinOf') {
    const parts = src.with === '' ? [text] : text.split(src.with);
    src.paths.forEach((p, i) => {
      const piece = i === src.paths.length - 1 ? parts.slice(i).join(src.with) : parts[i];
      if (piece !== undefined && piece !== '') put(out, p, piece, ctx);
    });
    return;
  }
  put(out, src.paths[0]!, typed(rule, text, value), ctx);
}

function writeItem(plan: MappingPlan, dossier: Dossier, target: Target, out: Out, ctx: Ctx): void {
  const local = target.localCode ?? dossier.code;
  if (plan.ref.localCode && plan.ref.localCode.source.kind !== 'value') put(out, plan.ref.localCode.source.paths[0]!, local, ctx);
  if (plan.ref.code && plan.ref.code.source.kind !== 'value') put(out, plan.ref.code.source.paths[0]!, dossier.code, ctx);
  for (const f of plan.fields) {
    if (!isList(f)) { encodeRule(f, getIn(dossier, f.target.path), out, `/${f.target.path.join('/')}`, ctx); continue; }
    const items = getIn(dossier, f.path);
    if (!Array.isArray(items)) continue;
    const segs = f.each.segs;
    let container = out;
    for (const s of segs.slice(0, -1)) container = childOut(container, s, false);
    const last = segs[segs.length - 1]!;
    const arr: Record<string, unknown>[] = [];
    items.forEach((item, i) => {
      visit(ctx);
      const el: Out = container.kind === 'json' ? { kind: 'json', obj: {} } : childOut(container, last, true);
      for (const r of f.fields) encodeRule(r, getIn(item, r.target.path), el, `/${f.path.join('/')}/${i}/${r.target.path.join('/')}`, ctx);
      if (el.kind === 'json') arr.push(el.obj);
    });
    if (container.kind === 'json') container.obj[last] = arr;
  }
}

function renderXml(el: XEl, plan: MappingPlan, parentPrefix: string | null, isRoot: boolean): string {
  const prefix = plan.namespaceOf.get(el.name) ?? (isRoot ? (plan.namespaces.has('') ? '' : null) : parentPrefix);
  const qname = prefix ? `${prefix}:${el.name}` : el.name;
  let s = `<${qname}`;
  if (isRoot) for (const [p, uri] of plan.namespaces) s += p === '' ? ` xmlns="${escapeXml(uri)}"` : ` xmlns:${p}="${escapeXml(uri)}"`;
  for (const [k, v] of el.attrs) s += ` ${k}="${escapeXml(v)}"`;
  if (!el.children.length && el.text === undefined) return `${s}/>`;
  s += '>';
  if (el.text !== undefined) s += escapeXml(el.text);
  for (const c of el.children) s += renderXml(c, plan, prefix, false);
  return `${s}</${qname}>`;
}

/** Encode a dossier into the mapping's native format (the message of a delivery, §10). */
export function encodeDossier(compiled: CompiledMapping, dossier: Dossier, target: Target): NativeMessage {
  const plan = compiled.plan;
  const ctx: Ctx = { visits: 0 };
  const root: Out = plan.format === 'json' ? { kind: 'json', obj: {} } : { kind: 'xml', el: { name: plan.root!, attrs: [], children: [] } };
  try {
    for (const w of plan.write) if (w.value !== null) put(root, w.path, w.value as Written, ctx);
    let item = root;
    if (plan.item) for (const s of plan.item.segs) item = childOut(item, s, false);
    if (plan.items) {
      const segs = plan.items.segs;
      let container = root;
      for (const s of segs.slice(0, -1)) container = childOut(container, s, false);
      if (container.kind === 'json') {
        item = { kind: 'json', obj: {} };
        container.obj[segs[segs.length - 1]!] = [item.obj];
      } else item = childOut(container, segs[segs.length - 1]!, true);
    }
    writeItem(plan, dossier, target, item, ctx);
  } catch (err) {
    if (err instanceof VisitLimit) throw new AdapterError('HUB_VALIDATION', `The dossier needs ${err.message} to encode`, [{ path: '', message: err.message }]);
    throw err;
  }
  const contentType = `${plan.contentTypes[0]}; charset=utf-8`;
  const body = root.kind === 'json' ? JSON.stringify(root.obj) : `<?xml version="1.0" encoding="UTF-8"?>${renderXml(root.el, plan, null, true)}`;
  return { contentType, body };
}

export type { Constant };
