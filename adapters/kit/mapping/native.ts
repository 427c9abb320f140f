// Reading native payloads by mapping paths (mapping.md §3): JSON own properties, XML local names. Every step counts
// against the item's node-visit backstop (§18), and reads can be recorded for the dry-run's `unread` list.
import type { XmlElement } from '../xml.js';
import { attr as xmlAttr, childrenNamed } from '../xml.js';
import type { PathPlan } from './plan.js';
import { isPlainObject } from '../json.js';

export const MAX_VISITS = 200_000;

/** Thrown when an item reaches the backstop; the interpreter turns it into an item error HUB_MAPPING_LIMIT. */
export class VisitLimit extends Error {}

/** Which native leaves the rules read: JSON (object, key) pairs, XML (element, '@attr' | '#text'). */
export class ReadTracker {
  private readonly seen = new WeakMap<object, Set<string>>();
  mark(holder: object, key: string): void {
    let s = this.seen.get(holder);
    if (!s) this.seen.set(holder, (s = new Set()));
    s.add(key);
  }
  has(holder: object, key: string): boolean {
    return this.seen.get(holder)?.has(key) ?? false;
  }
}

export interface Ctx {
  visits: number;
  readonly tracker?: ReadTracker;
}

export function visit(ctx: Ctx, n = 1): void {
  ctx.visits += n;
  if (ctx.visits > MAX_VISITS) throw new VisitLimit(`more than ${MAX_VISITS} node visits`);
}

export type NativeNode = { readonly kind: 'json'; readonly value: unknown; readonly path: string } | { readonly kind: 'xml'; readonly el: XmlElement; readonly path: string };

export type Read =
  | { readonly status: 'value'; readonly text: string; readonly native: string }
  | { readonly status: 'missing'; readonly native: string }
  | { readonly status: 'error'; readonly native: string; readonly message: string };

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const step = (node: NativeNode, seg: string) => (node.kind === 'json' ? `${node.path}/${esc(seg)}` : `${node.path}/${seg}`);

/** Where a path points, written as §3 says (for a missing value: where the rule looked). */
export function nativeOf(node: NativeNode, p: PathPlan): string {
  let out = node.path;
  for (const s of p.segs) out += node.kind === 'json' ? `/${esc(s)}` : `/${s}`;
  return p.attr !== undefined ? `${out}/@${p.attr}` : out;
}

const LIST = 'expected one value, found a list (use each)';
const OBJECT = 'expected one value, found an object';

/** Read one scalar at a path (§3 "Not a scalar": a list or a JSON object there is an error). */
export function readScalar(node: NativeNode, p: PathPlan, ctx: Ctx): Read {
  if (node.kind === 'json') {
    let cur: unknown = node.value;
    let holder: object | undefined;
    let key = '';
    let native = node.path;
    for (const seg of p.segs) {
      visit(ctx);
      if (Array.isArray(cur)) return { status: 'error', native, message: LIST };
      if (!isPlainObject(cur) || !Object.hasOwn(cur, seg)) return { status: 'missing', native: nativeOf(node, p) };
      holder = cur;
      key = seg;
      cur = cur[seg];
      native += `/${esc(seg)}`;
    }
    if (cur === null || cur === undefined) return { status: 'missing', native };
    if (Array.isArray(cur)) return { status: 'error', native, message: LIST };
    if (typeof cur === 'object') return { status: 'error', native, message: OBJECT };
    if (holder) ctx.tracker?.mark(holder, key);
    return { status: 'value', text: String(cur), native };
  }
  let el = node.el;
  let native = node.path;
  for (const seg of p.segs) {
    visit(ctx, 1 + el.children.length);
    const kids = childrenNamed(el, seg);
    if (kids.length === 0) return { status: 'missing', native: nativeOf(node, p) };
    if (kids.length > 1) return { status: 'error', native: `${native}/${seg}`, message: LIST };
    el = kids[0]!;
    native += `/${seg}`;
  }
  if (p.attr !== undefined) {
    const v = xmlAttr(el, p.attr);
    if (v === undefined) return { status: 'missing', native: `${native}/@${p.attr}` };
    ctx.tracker?.mark(el, `@${p.attr}`);
    return { status: 'value', text: v, native: `${native}/@${p.attr}` };
  }
  ctx.tracker?.mark(el, '#text');
  return { status: 'value', text: el.text, native };
}

/** Is there a node at this path (transfer.at, §1)? */
export function present(node: NativeNode, p: PathPlan, ctx: Ctx): boolean {
  const r = readScalar(node, p, ctx);
  if (r.status === 'value') return true;
  if (r.status === 'missing') return false;
  return true;
}

export type ListRead =
  | { readonly status: 'absent'; readonly native: string }
  | { readonly status: 'list'; readonly native: string; readonly count: number; readonly elements: () => NativeNode[] }
  | { readonly status: 'error'; readonly native: string; readonly message: string };

/** The elements at a list path (§7, §8); `count` is known before any element is built, so caps come first. */
export function readList(node: NativeNode, p: PathPlan, ctx: Ctx): ListRead {
  const last = p.segs[p.segs.length - 1];
  const parentPath: PathPlan = { text: p.text, segs: p.segs.slice(0, -1) };
  const absent = { status: 'absent', native: nativeOf(node, p) } as const;
  if (last === undefined) return { status: 'error', native: node.path, message: 'a list path names an element' };
  if (node.kind === 'json') {
    let cur: unknown = node.value;
    let native = node.path;
    for (const seg of parentPath.segs) {
      visit(ctx);
      if (Array.isArray(cur)) return { status: 'error', native, message: LIST };
      if (!isPlainObject(cur) || !Object.hasOwn(cur, seg)) return absent;
      cur = cur[seg];
      native += `/${esc(seg)}`;
    }
    visit(ctx);
    if (!isPlainObject(cur) || !Object.hasOwn(cur, last)) return absent;
    const holder = cur;
    const v = cur[last];
    native += `/${esc(last)}`;
    if (v === null || v === undefined) return absent;
    if (Array.isArray(v)) {
      return { status: 'list', native, count: v.length, elements: () => v.map((value, i) => ({ kind: 'json', value, path: `${native}/${i}` })) };
    }
    if (isPlainObject(v)) return { status: 'list', native, count: 1, elements: () => [{ kind: 'json', value: v, path: native }] };
    ctx.tracker?.mark(holder, last);
    return { status: 'error', native, message: 'expected a list, found one value' };
  }
  let el = node.el;
  let native = node.path;
  for (const seg of parentPath.segs) {
    visit(ctx, 1 + el.children.length);
    const kids = childrenNamed(el, seg);
    if (kids.length === 0) return absent;
    if (kids.length > 1) return { status: 'error', native: `${native}/${seg}`, message: LIST };
    el = kids[0]!;
    native += `/${seg}`;
  }
  visit(ctx, 1 + el.children.length);
  const kids = childrenNamed(el, last);
  native += `/${last}`;
  if (kids.length === 0 && parentPath.segs.length === 0) return absent;
  return { status: 'list', native, count: kids.length, elements: () => kids.map((k, i) => ({ kind: 'xml', el: k, path: `${native}/${i + 1}` })) };
}

/** The node a path leads to (source.item), or undefined. */
export function descend(node: NativeNode, p: PathPlan, ctx: Ctx): NativeNode | { error: string; native: string } | undefined {
  let cur = node;
  for (const seg of p.segs) {
    visit(ctx);
    if (cur.kind === 'json') {
      if (Array.isArray(cur.value)) return { error: LIST, native: cur.path };
      if (!isPlainObject(cur.value) || !Object.hasOwn(cur.value, seg)) return undefined;
      cur = { kind: 'json', value: cur.value[seg], path: step(cur, seg) };
    } else {
      const kids = childrenNamed(cur.el, seg);
      if (kids.length === 0) return undefined;
      if (kids.length > 1) return { error: LIST, native: step(cur, seg) };
      cur = { kind: 'xml', el: kids[0]!, path: step(cur, seg) };
    }
  }
  return cur;
}
