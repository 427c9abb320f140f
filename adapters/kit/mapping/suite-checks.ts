// The activation suite's checks 4 and 5 (mapping.md §17) as pure functions: the kit's hostile corpus for a mapping's
// source format, shaped by the mapping's own paths, and the deterministic leaf-mutation fuzz over its samples. Both
// only say whether decoding threw anything but AdapterError (and, for the fuzz, whether an error names a native path
// that is neither in the payload nor where a rule looked). No clock: each item is bounded by the node-visit backstop
// (§18). No I/O. The activation suite runs these in a worker thread (src/mappings/suite-worker.ts).
import { AdapterError } from '../contract.js';
import { escapeXml } from '../xml.js';
import { parseJsonBody } from '../json.js';
import { parseXml, type XmlElement } from '../xml.js';
import { createMappingAdapter } from './adapter.js';
import { dryRun } from './dry-run.js';
import type { CompiledMapping, MappingPlan, PathPlan, RulePlan } from './plan.js';
import { isList } from './plan.js';

export interface HostilePayload { name: string; body: Buffer | string; contentType: string }
export interface CheckFailure { name: string; message: string }

/** An outcome of running a payload: nothing thrown, or thrown an AdapterError, is fine; anything else is the message. */
export function classifyThrow(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof AdapterError) return undefined;
    const e = err as Error;
    return `threw ${e?.name ?? typeof err}: ${String(e?.message ?? err).slice(0, 300)}`;
  }
}

// ---- the paths a mapping reads ----

function rulePaths(r: RulePlan, out: PathPlan[]): void {
  if (r.source.kind !== 'value') out.push(...r.source.paths);
  if (r.conversion?.kind === 'date' && r.conversion.timeFrom) out.push(r.conversion.timeFrom);
  if (r.fallback) rulePaths(r.fallback, out);
}

/** The item-relative paths of scalar rules, and the list rules with their element paths. */
function readPaths(plan: MappingPlan): { scalars: PathPlan[]; lists: { each: PathPlan; fields: PathPlan[] }[] } {
  const scalars: PathPlan[] = [];
  const lists: { each: PathPlan; fields: PathPlan[] }[] = [];
  for (const r of [plan.ref.localCode, plan.ref.code, plan.transfer?.toAgency, plan.transfer?.reason]) if (r) rulePaths(r, scalars);
  for (const f of plan.fields) {
    if (isList(f)) {
      const fields: PathPlan[] = [];
      for (const g of f.fields) rulePaths(g, fields);
      lists.push({ each: f.each, fields });
    } else rulePaths(f, scalars);
  }
  return { scalars, lists };
}

// ---- a skeleton payload built from the mapping's paths ----

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };
const MARK = 'zzHostileMarker';

function setJson(obj: Record<string, Json>, segs: readonly string[], value: Json): boolean {
  let cur = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const k = segs[i]!;
    if (!Object.hasOwn(cur, k)) cur[k] = {};
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return false;
    cur = next as Record<string, Json>;
  }
  const last = segs[segs.length - 1];
  if (last === undefined || Object.hasOwn(cur, last)) return false;
  cur[last] = value;
  return true;
}

interface XNode { name: string; attrs: Map<string, string>; children: XNode[]; text: string }
const xnode = (name: string): XNode => ({ name, attrs: new Map(), children: [], text: '' });
function xAt(n: XNode, segs: readonly string[]): XNode {
  let cur = n;
  for (const s of segs) {
    let c = cur.children.find((x) => x.name === s);
    if (!c) { c = xnode(s); cur.children.push(c); }
    cur = c;
  }
  return cur;
}
function xSet(n: XNode, p: PathPlan, value: string): void {
  const at = xAt(n, p.segs);
  if (p.attr !== undefined) { if (!at.attrs.has(p.attr)) at.attrs.set(p.attr, value); } else if (!at.children.length && !at.text) at.text = value;
}
function xRender(n: XNode, inner: Map<XNode, string>): string {
  const attrs = [...n.attrs].map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  return `<${n.name}${attrs}>${escapeXml(n.text)}${n.children.map((c) => xRender(c, inner)).join('')}${inner.get(n) ?? ''}</${n.name}>`;
}

/** A leaf value a rule can read (a table's first native, else a short text). */
const VALUE = 'x1';

/**
 * The mapping's skeleton: one item holding a value at every path a rule reads and one element in every list.
 * `variant` changes the item before it is rendered; the text it returns is placed inside the item (XML) or replaces
 * the marker member (JSON).
 */
interface Skeleton {
  render(opts?: { leaf?: (i: number) => Json | undefined; listCount?: number; itemCount?: number; inner?: string; wrapItems?: boolean }): string;
  leaves: number;
}

function jsonSkeleton(plan: MappingPlan): Skeleton {
  const { scalars, lists } = readPaths(plan);
  return {
    leaves: scalars.length + lists.reduce((n, l) => n + l.fields.length, 0),
    render(o = {}) {
      let leafIndex = 0;
      const leaf = (): Json => { const v = o.leaf?.(leafIndex); leafIndex++; return v === undefined ? VALUE : v; };
      const item: Record<string, Json> = {};
      for (const p of scalars) if (p.segs.length) setJson(item, p.segs, leaf());
      for (const l of lists) {
        const el: Record<string, Json> = {};
        for (const p of l.fields) if (p.segs.length) setJson(el, p.segs, leaf());
        if (l.each.segs.length) setJson(item, l.each.segs, Array.from({ length: o.listCount ?? 1 }, () => el));
      }
      if (o.inner !== undefined) item[MARK] = 0;
      const root: Record<string, Json> = {};
      let doc: Json = item;
      if (plan.items) { if (plan.items.segs.length) { setJson(root, plan.items.segs, Array.from({ length: o.itemCount ?? 1 }, () => item)); doc = root; } }
      else if (plan.item?.segs.length) { setJson(root, plan.item.segs, item); doc = root; }
      const text = JSON.stringify(doc);
      return o.inner !== undefined ? text.split(`"${MARK}":0`).join(o.inner) : text;
    },
  };
}

function xmlSkeleton(plan: MappingPlan): Skeleton {
  const { scalars, lists } = readPaths(plan);
  return {
    leaves: scalars.length + lists.reduce((n, l) => n + l.fields.length, 0),
    render(o = {}) {
      let leafIndex = 0;
      const leaf = (): string => { const v = o.leaf?.(leafIndex); leafIndex++; return v === undefined ? VALUE : String(v); };
      const root = xnode(plan.root ?? 'Root');
      const itemPath = plan.items ?? plan.item;
      const itemAt = itemPath ? xAt(root, itemPath.segs) : root;
      for (const p of scalars) xSet(itemAt, p, leaf());
      for (const l of lists) {
        const el = l.each.segs.length ? xAt(itemAt, l.each.segs) : itemAt;
        for (const p of l.fields) xSet(el, p, leaf());
        const holder = l.each.segs.length > 1 ? xAt(itemAt, l.each.segs.slice(0, -1)) : itemAt;
        if (l.each.segs.length && (o.listCount ?? 1) > 1) {
          const i = holder.children.indexOf(el);
          holder.children.splice(i, 1, ...Array.from({ length: o.listCount! }, () => el));
        }
      }
      const inner = new Map<XNode, string>();
      if (o.inner !== undefined) inner.set(itemAt, o.inner);
      if (plan.items && (o.itemCount ?? 1) > 1 && itemAt !== root) {
        const holder = xAt(root, plan.items.segs.slice(0, -1));
        const i = holder.children.indexOf(itemAt);
        holder.children.splice(i, 1, ...Array.from({ length: o.itemCount! }, () => itemAt));
      }
      return `<?xml version="1.0" encoding="UTF-8"?>${xRender(root, inner)}`;
    },
  };
}

const MiB = 'a'.repeat(1 << 20);

/** The hostile corpus for a mapping: its format's hostile payloads, shaped by its paths (§17 check 4). */
export function hostileCorpus(plan: MappingPlan): HostilePayload[] {
  const ct = plan.contentTypes[0]!;
  const cases: [string, string | Buffer][] = [];
  const over = Math.min(plan.maxItems + 1, 501);
  const hasLists = plan.fields.some(isList);
  if (plan.format === 'json') {
    const s = jsonSkeleton(plan);
    const every = (v: Json) => s.render({ leaf: () => v });
    cases.push(
      ['the skeleton itself', s.render()],
      ['__proto__ key', s.render({ inner: '"__proto__":{"polluted":1}' })],
      ['escaped __proto__ key', s.render({ inner: '"__pro\\u0074o__":{"polluted":1}' })],
      ['constructor.prototype', s.render({ inner: '"constructor":{"prototype":{"polluted":1}}' })],
      ['prototype key', s.render({ inner: '"prototype":1' })],
      ['every leaf an object with __proto__', s.render({ leaf: () => ({}) }).split('{}').join('{"__proto__":1}')],
      ['duplicate key', s.render({ inner: `"${MARK}x":1,"${MARK}x":2` })],
      ['deep nesting in the item', s.render({ inner: `"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}` })],
      ['very deep nesting', '['.repeat(100_000) + ']'.repeat(100_000)],
      ['a list of 20,000 steps', hasLists ? s.render({ listCount: 20_000 }) : s.render({ inner: `"steps":[${Array.from({ length: 20_000 }, () => '{"a":"x"}').join(',')}]` })],
      [`${over} items`, s.render({ itemCount: over })],
      ['wrong types: objects', every({ a: 'x' })],
      ['wrong types: lists', every(['x', 'y'])],
      ['wrong types: numbers', every(12)],
      ['wrong types: huge numbers', s.render({ leaf: () => 0 }).split(':0').join(':1e400')],
      ['wrong types: booleans', every(true)],
      ['wrong types: null', every(null)],
      ['blank values', every('')],
      ['white-space values', every('   ')],
      ['zero-width values', every('\u200B\uFEFF')],
      ['control characters', every('a\u0001b')],
      ['lone surrogates', s.render({ leaf: () => 'SURR' }).split('SURR').join('\\ud800')],
      ['a 1 MiB string', s.render({ leaf: (i) => (i === 0 ? MiB : undefined) })],
      ['4 KiB in every leaf', every('b'.repeat(4096))],
      ['not an object', '[1,2,3]'],
      ['null', 'null'],
      ['a string', '"x"'],
      ['not JSON', '<x/>'],
      ['empty body', ''],
      ['invalid UTF-8', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80, 0xc3, 0x28]), Buffer.from('"}')])],
      ['UTF-16 body', Buffer.from(`\ufeff${s.render()}`, 'utf16le')],
      ['a BOM', `\ufeff${s.render()}`],
    );
  } else {
    const s = xmlSkeleton(plan);
    const body = s.render();
    const afterDecl = body.slice(body.indexOf('?>') + 2);
    const every = (v: string) => s.render({ leaf: () => v });
    cases.push(
      ['the skeleton itself', body],
      ['billion laughs', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>${afterDecl}`],
      ['external entity', `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${afterDecl}`],
      ['lower-case doctype', `<!doctype x>${afterDecl}`],
      ['__proto__ element', s.render({ inner: '<__proto__><polluted>yes</polluted></__proto__>' })],
      ['prefixed constructor element', s.render({ inner: '<x:constructor xmlns:x="u"><prototype/></x:constructor>' })],
      ['__proto__ attribute', s.render({ inner: '<a __proto__="x"/>' })],
      ['deep nesting in the item', s.render({ inner: '<a>'.repeat(10_000) + '</a>'.repeat(10_000) })],
      ['very deep nesting', '<a>'.repeat(1_000_000)],
      ['a list of 20,000 steps', hasLists ? s.render({ listCount: 20_000 }) : s.render({ inner: '<Buoc a="x"/>'.repeat(20_000) })],
      [`${over} items`, s.render({ itemCount: over })],
      ['wrong types: repeated elements', s.render({ inner: '' }).replace(/<([A-Za-z_][\w.-]*)>([^<]*)<\/\1>/g, '<$1>$2</$1><$1>$2</$1>')],
      ['wrong types: elements for text', every('').replace(/<([A-Za-z_][\w.-]*)><\/\1>/g, '<$1><b>x</b><c/></$1>')],
      ['blank values', every('')],
      ['white-space values', every('   ')],
      ['zero-width values', every('\u200B\uFEFF')],
      ['a 1 MiB value', s.render({ leaf: (i) => (i === 0 ? MiB : undefined) })],
      ['4 KiB in every leaf', every('b'.repeat(4096))],
      ['raw U+0001', every('a\u0001b')],
      ['&#1; character reference', every('AMP').split('AMP').join('&#1;')],
      ['undefined entity', every('AMP').split('AMP').join('&nbsp;')],
      ['undeclared prefix', s.render({ inner: '<x:a>1</x:a>' })],
      ['wrong root', body.replace(new RegExp(`<(/?)${plan.root}\\b`, 'g'), '<$1WrongRoot')],
      ['ISO-8859-1 declared', body.replace('UTF-8', 'ISO-8859-1')],
      ['invalid UTF-8', Buffer.concat([Buffer.from(body.slice(0, 50)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(body.slice(50))])],
      ['UTF-16 body', Buffer.from(`\ufeff${body}`, 'utf16le')],
      ["8 KiB of '<a<a'", '<a' + '<a'.repeat(4095)],
      ['not XML', '{"a":1}'],
      ['empty body', ''],
    );
  }
  return cases.map(([name, b]) => ({ name, body: b, contentType: ct }));
}

/** Runs a payload through the inbound decode and the dry-run (decode, encode, decode again). */
function runPayload(compiled: CompiledMapping, adapter: ReturnType<typeof createMappingAdapter>, body: Buffer, contentType: string): string | undefined {
  return classifyThrow(() => adapter.decode({ body, contentType, headers: {}, systemId: 'activation-suite' }))
    ?? classifyThrow(() => dryRun(compiled, body, contentType, { encode: true }));
}

/** Check 4: every hostile payload decodes, or is refused with an AdapterError (item errors are fine). */
export function checkHostile(compiled: CompiledMapping): { count: number; failures: CheckFailure[] } {
  const adapter = createMappingAdapter(compiled, { version: 'suite' });
  const failures: CheckFailure[] = [];
  const corpus = hostileCorpus(compiled.plan);
  for (const c of corpus) {
    const body = Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
    const message = runPayload(compiled, adapter, body, c.contentType);
    if (message) failures.push({ name: c.name, message });
  }
  return { count: corpus.length, failures };
}

// ---- check 5: the mutation fuzz ----

export const FUZZ_CAP = 300;
export type MutationOp = 'drop' | 'blank' | 'retype';
export interface FuzzSample { id: string; name: string; contentType: string; payload: Buffer }
export interface Mutation { sampleId: string; sampleName: string; contentType: string; leaf: string; op: MutationOp; body: Buffer }

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const unesc = (k: string) => k.replace(/~1/g, '/').replace(/~0/g, '~');
const blank = (s: string) => s.trim() === '';

function jsonMutations(s: FuzzSample, limit: number): Mutation[] {
  let doc: unknown;
  try { doc = parseJsonBody(s.payload); } catch (err) { if (err instanceof AdapterError) return []; throw err; }
  const leaves: string[][] = [];
  const walk = (v: unknown, p: string[]) => {
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...p, String(i)]));
    else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
    else if (v !== null && !(typeof v === 'string' && blank(v))) leaves.push(p);
  };
  walk(doc, []);
  const out: Mutation[] = [];
  for (const p of leaves) {
    for (const op of ['drop', 'blank', 'retype'] as const) {
      if (out.length >= limit) return out;
      const copy = structuredClone(doc) as Record<string, unknown>;
      if (!p.length) continue; // a scalar document has no member to change
      const holder = p.slice(0, -1).reduce((o: any, k) => o[k], copy) as Record<string, unknown> | unknown[];
      const key = p[p.length - 1]!;
      if (op === 'drop') { if (Array.isArray(holder)) holder.splice(Number(key), 1); else delete holder[key]; }
      else if (op === 'blank') (holder as Record<string, unknown>)[key] = '';
      else { const v = (holder as Record<string, unknown>)[key]; (holder as Record<string, unknown>)[key] = typeof v === 'string' ? 12 : String(v); }
      out.push({ sampleId: s.id, sampleName: s.name, contentType: s.contentType, leaf: `/${p.map(esc).join('/')}`, op, body: Buffer.from(JSON.stringify(copy), 'utf8') });
    }
  }
  return out;
}

/** The end of an element's start tag (the index of its `>`), quotes respected. */
function startTagEnd(text: string, from: number): number {
  let q = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (q) { if (c === q) q = ''; } else if (c === '"' || c === "'") q = c; else if (c === '>') return i;
  }
  return -1;
}

function xmlMutations(s: FuzzSample, limit: number): Mutation[] {
  let parsed;
  try { parsed = parseXml(s.payload); } catch (err) { if (err instanceof AdapterError) return []; throw err; }
  const text = parsed.text;
  const out: Mutation[] = [];
  const push = (leaf: string, op: MutationOp, at: number, end: number, by: string) => {
    if (out.length < limit) out.push({ sampleId: s.id, sampleName: s.name, contentType: s.contentType, leaf, op, body: Buffer.from(text.slice(0, at) + by + text.slice(end), 'utf8') });
  };
  const walk = (el: XmlElement, path: string) => {
    if (out.length >= limit) return;
    const tagEnd = startTagEnd(text, el.start);
    const selfClosing = text[tagEnd - 1] === '/';
    const tag = text.slice(el.start, tagEnd);
    for (const [name, value] of Object.entries(el.attrs)) {
      if (blank(value)) continue;
      const m = new RegExp(`\\s(?:[\\w.-]+:)?${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\s*=\\s*("[^"]*"|'[^']*')`).exec(tag);
      if (!m) continue;
      const at = el.start + m.index;
      push(`${path}/@${name}`, 'drop', at, at + m[0].length, '');
      const v = at + m[0].length - m[1]!.length;
      push(`${path}/@${name}`, 'blank', v, at + m[0].length, '""');
    }
    if (!el.children.length && !blank(el.text) && !selfClosing) {
      const close = text.lastIndexOf('</', el.end);
      push(path, 'drop', el.start, el.end, '');
      push(path, 'blank', tagEnd + 1, close, '');
    }
    const seen = new Map<string, number>();
    for (const c of el.children) {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      walk(c, `${path}/${c.name}[${n}]`);
    }
  };
  walk(parsed.root, `/${parsed.root.name}`);
  return out;
}

/** The deterministic list of §17 check 5: samples by id, leaves in document order, drop/blank/retype; the first 300. */
export function fuzzMutations(format: 'json' | 'xml', samples: readonly FuzzSample[], cap = FUZZ_CAP): Mutation[] {
  const out: Mutation[] = [];
  for (const s of [...samples].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (out.length >= cap) break;
    out.push(...(format === 'json' ? jsonMutations(s, cap - out.length) : xmlMutations(s, cap - out.length)));
  }
  return out;
}

// Does a native path (§3: JSON Pointer; XML local names with 1-based indexes after `items`/`each` steps) exist?
function jsonExists(doc: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let cur = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const k = unesc(raw);
    if (Array.isArray(cur)) { if (!/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= cur.length) return false; cur = cur[Number(k)]; }
    else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, k)) cur = (cur as Record<string, unknown>)[k];
    else return false;
  }
  return true;
}
function xmlExists(root: XmlElement, path: string): boolean {
  const segs = path.split('/').slice(1);
  if (segs[0] !== root.name) return false;
  let nodes: XmlElement[] = [root];
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg.startsWith('@')) return i === segs.length - 1 && nodes.some((n) => Object.hasOwn(n.attrs, seg.slice(1)));
    if (/^[1-9][0-9]*$/.test(seg)) { const n = nodes[Number(seg) - 1]; if (!n) return false; nodes = [n]; continue; }
    nodes = nodes.flatMap((n) => n.children.filter((c) => c.name === seg));
    if (!nodes.length) return false;
  }
  return true;
}

/** Every path text a rule or the source reads, as the tail a native path of a missing value ends with. */
function lookedForTails(plan: MappingPlan): string[] {
  const { scalars, lists } = readPaths(plan);
  const all = [...scalars, ...lists.flatMap((l) => [l.each, ...l.fields]), ...(plan.item ? [plan.item] : []), ...(plan.items ? [plan.items] : []), ...(plan.transfer ? [plan.transfer.at] : [])];
  return [...new Set(all.map((p) => [...p.segs.map((s) => (plan.format === 'json' ? esc(s) : s)), ...(p.attr !== undefined ? [`@${p.attr}`] : [])].join('/')).filter((t) => t !== ''))];
}

/** Whether an error's native path exists in the payload, or is where a rule looked for a missing value (§17 check 5). */
export function nativePathAccounted(plan: MappingPlan, body: Buffer, native: string): boolean {
  if (native === '') return true; // the payload as a whole
  let exists: (p: string) => boolean;
  if (plan.format === 'json') {
    let doc: unknown;
    try { doc = parseJsonBody(body); } catch { return true; } // refused whole: the parser's own paths
    exists = (p) => jsonExists(doc, p);
  } else {
    let root: XmlElement;
    try { root = parseXml(body).root; } catch { return true; }
    exists = (p) => xmlExists(root, p);
  }
  if (exists(native)) return true;
  return lookedForTails(plan).some((tail) => native.endsWith(`/${tail}`) && exists(native.slice(0, native.length - tail.length - 1)));
}

/** Check 5 over a mapping: the mutations, each decoded; failures name the sample and the mutation. */
export function checkFuzz(compiled: CompiledMapping, samples: readonly FuzzSample[], cap = FUZZ_CAP): { count: number; failures: (CheckFailure & { sample: { id: string; name: string } })[] } {
  const adapter = createMappingAdapter(compiled, { version: 'suite' });
  const plan = compiled.plan;
  const mutations = fuzzMutations(plan.format, samples, cap);
  const failures: (CheckFailure & { sample: { id: string; name: string } })[] = [];
  for (const m of mutations) {
    const name = `${m.op} ${m.leaf}`;
    const sample = { id: m.sampleId, name: m.sampleName };
    const thrown = runPayload(compiled, adapter, m.body, m.contentType);
    if (thrown) { failures.push({ name, sample, message: `${name} of sample ${m.sampleName}: ${thrown}` }); continue; }
    const r = dryRun(compiled, m.body, m.contentType, { encode: false });
    if (!r.ok) continue;
    const paths = [...(r.answer.refused?.errors.map((e) => e.path) ?? []), ...r.answer.items.flatMap((i) => i.errors.map((e) => e.native))];
    const stray = paths.filter((p) => !nativePathAccounted(plan, m.body, p));
    if (stray.length) failures.push({ name, sample, message: `${name} of sample ${m.sampleName}: the error path ${stray[0]} is neither in the payload nor where a rule looked` });
  }
  return { count: mutations.length, failures };
}
