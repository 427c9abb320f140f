// The dry-run's coverage check (mapping.md §16 `unread`): native leaves that no rule read, `source.ignore` excepted.
import type { XmlElement } from '../xml.js';
import type { MappingPlan } from './plan.js';
import type { NativeNode, ReadTracker } from './native.js';
import { isPlainObject } from '../json.js';

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const MAX_UNREAD = 1000;

function ignored(plain: string, plan: MappingPlan): boolean {
  return plan.ignore.some((p) => plain === p.text || plain.startsWith(`${p.text}/`));
}

/**
 * Unread leaves under `node` (native paths as §3 writes them). `plainBase` is the node's path from the root
 * without indexes, for `source.ignore`; `skip` holds nodes (the batch's items) walked on their own.
 */
export function unreadLeaves(node: NativeNode, plainBase: string, plan: MappingPlan, tracker: ReadTracker, skip: ReadonlySet<object> = new Set()): string[] {
  const out: string[] = [];
  const join = (a: string, b: string) => (a ? `${a}/${b}` : b);
  const leaf = (native: string, plain: string) => { if (out.length < MAX_UNREAD && !ignored(plain, plan)) out.push(native); };
  if (node.kind === 'json') {
    const walk = (v: unknown, native: string, plain: string) => {
      if (out.length >= MAX_UNREAD) return;
      if (Array.isArray(v)) { v.forEach((c, i) => { if (!(c && typeof c === 'object' && skip.has(c))) walk(c, `${native}/${i}`, plain); }); return; }
      if (!isPlainObject(v)) return;
      for (const [k, c] of Object.entries(v)) {
        if (c !== null && typeof c === 'object') { if (!skip.has(c)) walk(c, `${native}/${esc(k)}`, join(plain, k)); continue; }
        const blank = c === null || (typeof c === 'string' && c.trim() === '');
        if (!blank && !tracker.has(v, k)) leaf(`${native}/${esc(k)}`, join(plain, k));
      }
    };
    walk(node.value, node.path, plainBase);
    return out;
  }
  const walk = (el: XmlElement, native: string, plain: string) => {
    if (out.length >= MAX_UNREAD) return;
    for (const [k, v] of Object.entries(el.attrs)) if (v.trim() !== '' && !tracker.has(el, `@${k}`)) leaf(`${native}/@${k}`, join(plain, `@${k}`));
    if (el.text !== '' && !tracker.has(el, '#text')) leaf(native, plain);
    const counts = new Map<string, number>();
    for (const c of el.children) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const c of el.children) {
      if (skip.has(c)) continue;
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      walk(c, counts.get(c.name)! > 1 ? `${native}/${c.name}/${n}` : `${native}/${c.name}`, join(plain, c.name));
    }
  };
  walk(node.el, node.path, plainBase);
  return out;
}
