// The mapping interpreter, decode side (mapping.md §7, §8, §15): the payload parsed by the kit, then every item run
// through the rules on its own, with its own errors, provenance (canonical pointer → native path) and trace.
import { AdapterError } from '../contract.js';
import { parseJsonBody } from '../json.js';
import { parseXml } from '../xml.js';
import type { DossierChange } from '../../../src/canonical/types.js';
import type { ErrorCode, FieldError } from '../../../src/errors.js';
import type { CompiledMapping, Constant, ListPlan, MappingPlan, RulePlan } from './plan.js';
import { isList } from './plan.js';
import { descend, present, readList, VisitLimit, type Ctx, type NativeNode, type ReadTracker } from './native.js';
import { evaluate, type Catalogues, type Outcome } from './evaluate.js';
import { checkChange, nativeFor, related } from './canonical-check.js';

/** One error of an item, as §15 gives it. */
export interface MappingFieldError { code: ErrorCode; canonical: string; native: string; rule: string | null; value?: string; message: string }
export interface TraceRow { canonical: string; native: string; raw?: string; value?: unknown; rule: string }

/** An item refused by its rules or by the canonical schema; `details` holds the §15 rows, `errors` their native paths. */
export class MappingItemError extends AdapterError {
  constructor(readonly details: MappingFieldError[]) {
    const first = details[0]!;
    super(first.code, details.length === 1 ? `${first.message} at ${first.native}` : `${details.length} errors; the first: ${first.message} at ${first.native}`,
      details.map((d): FieldError => ({ path: d.native, message: d.message })));
  }
}

export interface ItemRun {
  index: number;
  raw: Buffer;
  node: NativeNode;
  ref: { code?: string; localCode?: string };
  change: DossierChange;
  transfer?: { toAgency: string; reason?: string };
  errors: MappingFieldError[];
  provenance: Map<string, string>;
  trace: TraceRow[];
}

export interface DocumentRun { batch: boolean; root: NativeNode; items: ItemRun[] }

export interface DecodeOptions {
  catalogues?: Catalogues;
  tracker?: ReadTracker;
  /** Check the canonical required fields too (a first submission, §15 group 2). */
  firstSubmission?: boolean;
  /**
   * When to run §15 group 2 (normalisation and the canonical schema) here: `always` (the dry-run), or `onError`
   * (the adapter: an item the rules refused gets its whole error list; a clean one is normalised and validated
   * by the shared pipeline, with `nativePath` naming native paths, so the work is not done twice).
   */
  canonicalCheck?: 'always' | 'onError';
  /** Record the trace rows (§16); on by default except for the adapter's `onError` decodes. */
  trace?: boolean;
}

const LIMIT: ErrorCode = 'HUB_MAPPING_LIMIT'; // the node-visit backstop of §18

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (!Object.hasOwn(cur, k) || typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}
export const getIn = (source: unknown, path: readonly string[]): unknown => {
  let cur = source;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
};

class ItemDecoder {
  readonly errors: MappingFieldError[] = [];
  readonly provenance = new Map<string, string>();
  readonly trace: TraceRow[] = [];
  constructor(private readonly ctx: Ctx, private readonly cats: Catalogues, private readonly tracing: boolean) {}

  run(rule: RulePlan, node: NativeNode, canonical: string): Outcome {
    const out = evaluate(rule, node, this.ctx, this.cats);
    if (out.kind === 'error') {
      this.errors.push({ code: out.error.code, canonical, native: out.error.native, rule: out.error.rule, ...(out.error.value !== undefined ? { value: out.error.value } : {}), message: out.error.message });
      if (this.tracing) this.trace.push({ canonical, native: out.error.native, ...(out.error.value !== undefined ? { raw: out.error.value } : {}), rule: rule.ptr });
    } else if (out.kind === 'value') {
      if (out.native) this.provenance.set(canonical, out.native);
      if (this.tracing) this.trace.push({ canonical, native: out.native, ...(out.raw !== undefined ? { raw: out.raw } : {}), value: out.value, rule: rule.ptr });
    } else this.provenance.set(canonical, out.native);
    return out;
  }

  list(list: ListPlan, node: NativeNode, change: Record<string, unknown>): void {
    const canonical = `/${list.path.join('/')}`;
    const r = readList(node, list.each, this.ctx);
    if (r.status === 'absent') return;
    if (r.status === 'error') { this.errors.push({ code: 'HUB_VALIDATION', canonical, native: r.native, rule: list.ptr, message: r.message }); return; }
    this.provenance.set(canonical, r.native);
    if (r.count > list.maxItems) {
      this.errors.push({ code: 'HUB_VALIDATION', canonical, native: r.native, rule: list.ptr, message: `the list has ${r.count} elements; at most ${list.maxItems}` });
      return;
    }
    const out: Record<string, unknown>[] = [];
    for (const el of r.elements()) {
      const i = out.length;
      const obj: Record<string, unknown> = {};
      this.provenance.set(`${canonical}/${i}`, el.path);
      for (const f of list.fields) {
        if (!f.decode) continue;
        const o = this.run(f, el, `${canonical}/${i}/${f.target.path.join('/')}`);
        if (o.kind === 'value') setIn(obj, f.target.path, o.value);
      }
      if (list.keepIf !== undefined) {
        const k = getIn(obj, list.keepIf.split('.'));
        if (k === undefined || k === null || k === 0 || k === false || k === '') continue;
      }
      out.push(obj);
    }
    setIn(change, list.path, out);
  }
}

/** Decode one item with the plan; never throws (the backstop becomes an item error). */
export function decodeItem(plan: MappingPlan, node: NativeNode, index: number, raw: Buffer, opts: DecodeOptions = {}): ItemRun {
  const ctx: Ctx = { visits: 0, ...(opts.tracker ? { tracker: opts.tracker } : {}) };
  const d = new ItemDecoder(ctx, opts.catalogues ?? {}, opts.trace ?? opts.canonicalCheck !== 'onError');
  const change: Record<string, unknown> = {};
  const ref: { code?: string; localCode?: string } = {};
  let transfer: ItemRun['transfer'];
  try {
    for (const [key, canonical] of [['localCode', '/altCodes/0/code'], ['code', '/code']] as const) {
      const rule = plan.ref[key];
      if (!rule) continue;
      const o = d.run(rule, node, canonical);
      if (o.kind === 'value' && o.value !== null) ref[key] = String(o.value);
    }
    if (plan.transfer && present(node, plan.transfer.at, ctx)) {
      const to = d.run(plan.transfer.toAgency, node, '/transfer/toAgency');
      if (to.kind === 'absent') d.errors.push({ code: 'HUB_VALIDATION', canonical: '/transfer/toAgency', native: to.native, rule: plan.transfer.toAgency.ptr, message: 'required value is missing' });
      const reason = plan.transfer.reason ? d.run(plan.transfer.reason, node, '/transfer/reason') : undefined;
      if (to.kind === 'value') transfer = { toAgency: String(to.value), ...(reason?.kind === 'value' ? { reason: String(reason.value) } : {}) };
    }
    for (const f of plan.fields) {
      if (isList(f)) d.list(f, node, change);
      else if (f.decode) {
        const o = d.run(f, node, `/${f.target.path.join('/')}`);
        if (o.kind === 'value') setIn(change, f.target.path, o.value as Constant);
      }
    }
  } catch (err) {
    if (!(err instanceof VisitLimit)) throw err;
    d.errors.push({ code: LIMIT, canonical: '', native: node.path, rule: null, message: `the item needs ${err.message}; the mapping engine stopped` });
    return { index, raw, node, ref, change: change as DossierChange, errors: d.errors, provenance: d.provenance, trace: d.trace };
  }
  if (opts.canonicalCheck === 'onError' && d.errors.length === 0) {
    return { index, raw, node, ref, change: change as DossierChange, ...(transfer ? { transfer } : {}), errors: d.errors, provenance: d.provenance, trace: d.trace };
  }
  const checked = checkChange(change as DossierChange, opts.firstSubmission ?? false);
  const ruled = d.errors.map((e) => e.canonical);
  for (const e of checked.errors) {
    if (ruled.some((r) => related(r, e.path))) continue;
    const raw = d.trace.find((t) => t.canonical === e.path)?.raw;
    d.errors.push({ code: e.date ? 'HUB_DATE_INVALID' : 'HUB_VALIDATION', canonical: e.path, native: nativeFor(d.provenance, e.path, node.path), rule: null,
      ...(raw !== undefined ? { value: raw.slice(0, 200) } : {}), message: e.message });
  }
  return { index, raw, node, ref, change: checked.change, ...(transfer ? { transfer } : {}), errors: d.errors, provenance: d.provenance, trace: d.trace };
}

/** `<?xml … encoding="…"?>` other than UTF-8 is refused everywhere (§9). */
function refuseForeignEncoding(body: Buffer): void {
  const head = body.subarray(0, 200).toString('latin1');
  const m = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(head);
  if (m && m[1]!.toLowerCase() !== 'utf-8' && m[1]!.toLowerCase() !== 'utf8') {
    throw new AdapterError('HUB_REQUEST_ENCODING', `The XML declaration names the encoding ${m[1]}; only UTF-8 is accepted`, [{ path: '', message: `encoding "${m[1]}" is not UTF-8` }]);
  }
}

const whole = (code: ErrorCode, path: string, message: string) => new AdapterError(code, `${message}: ${path}`, [{ path, message }]);

/** Parse and run a whole payload. Throws AdapterError when it is refused as a whole (§16 "refused"). */
export function decodeDocument(compiled: CompiledMapping, body: Buffer, opts: DecodeOptions = {}): DocumentRun {
  const plan = compiled.plan;
  let root: NativeNode;
  let slice: (n: NativeNode) => Buffer;
  if (plan.format === 'json') {
    root = { kind: 'json', value: parseJsonBody(body), path: '' };
    slice = (n) => Buffer.from(JSON.stringify((n as { value: unknown }).value) ?? 'null', 'utf8');
  } else {
    refuseForeignEncoding(body);
    const parsed = parseXml(body);
    if (parsed.root.name !== plan.root) throw whole('HUB_VALIDATION', `/${parsed.root.name}`, `the root element must be ${plan.root}`);
    root = { kind: 'xml', el: parsed.root, path: `/${parsed.root.name}` };
    slice = (n) => Buffer.from(parsed.text.slice((n as { el: { start: number } }).el.start, (n as { el: { end: number } }).el.end), 'utf8');
  }
  const ctx: Ctx = { visits: 0 };
  if (plan.items) {
    const r = readList(root, plan.items, ctx);
    if (r.status === 'error') throw whole('HUB_VALIDATION', r.native, r.message);
    if (r.status === 'absent' || r.count === 0) throw whole('HUB_VALIDATION', r.native, 'the batch holds no item');
    if (r.count > plan.maxItems) throw whole('HUB_BATCH_TOO_LARGE', r.native, `the batch holds ${r.count} items; at most ${plan.maxItems}`);
    return { batch: true, root, items: r.elements().map((n, i) => decodeItem(plan, n, i, slice(n), opts)) };
  }
  let node: NativeNode = root;
  if (plan.item) {
    const found = descend(root, plan.item, ctx);
    const where = `${root.path}/${plan.item.segs.join('/')}`;
    if (found === undefined) throw whole('HUB_VALIDATION', where, 'the dossier is missing');
    if ('error' in found) throw whole('HUB_VALIDATION', found.native, found.error);
    if (found.kind === 'json' && (found.value === null || typeof found.value !== 'object' || Array.isArray(found.value))) throw whole('HUB_VALIDATION', where, 'the dossier must be an object');
    node = found;
  } else if (root.kind === 'json' && (root.value === null || typeof root.value !== 'object' || Array.isArray(root.value))) {
    throw whole('HUB_VALIDATION', '', 'the body must be a JSON object');
  }
  return { batch: false, root, items: [decodeItem(plan, node, 0, body, opts)] };
}
