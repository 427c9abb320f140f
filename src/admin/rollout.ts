// The rollout registry (api.md "Rollout registry"): the 19 departments in the order of the 2015 conclusion, seeded
// from config/rollout.json when the registry is empty; the store is the truth from then on. `state` and `traffic`
// are derived on every read, never written.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { HubError, type FieldError } from '../errors.js';
import type { AuditEntry, RolloutEntry, Store } from '../store/types.js';
import type { Registry } from '../systems/registry.js';
import type { BookkeepingBuffer } from '../systems/bookkeeping.js';
import { SYSTEM_ID_SHAPE } from '../trust/failures.js';
import { formatVn } from '../util/time.js';
import { dayOf } from '../systems/bookkeeping.js';
import { conformanceReport, type ConformanceDeps } from '../conformance/service.js';
import { linkedState } from '../conformance/rollout-state.js';

export const WINDOW_DAYS = 30;
/** Orders 1–7 of the seed entries are fixed by the conclusion. */
const FIXED_ORDERS = 7;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** At first start, when the registry is empty: the shipped entries, audited `rollout.seed` by `hub`. */
export async function seedRollout(store: Store, configDir: string, log: Logger, now = Date.now()): Promise<number> {
  const file = path.join(configDir, 'rollout.json');
  if (!existsSync(file)) return 0;
  if ((await store.admin.listRollout()).items.length) return 0;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { source?: string; entries: { id: string; order: number; department: string; targetDate?: string; systemId?: string; note?: string }[] };
  const at = formatVn(now);
  const entries: RolloutEntry[] = doc.entries.map((e) => ({
    id: e.id, order: e.order, department: e.department.normalize('NFC'), origin: 'seed', successor: null,
    systemId: e.systemId ?? null, targetDate: e.targetDate ?? null, note: e.note ?? null, updatedAt: at,
  }));
  const errors = checkRegistry(entries, entries.map((_, i) => i));
  if (errors.length) throw new Error(`config/rollout.json: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  await store.admin.saveRollout(entries, { actor: 'hub', action: 'rollout.seed', target: null, detail: { entries: entries.length } }, doc.source ?? '');
  log.info({ entries: entries.length }, 'rollout registry seeded from config/rollout.json');
  return entries.length;
}

export interface RolloutView extends RolloutEntry {
  state: 'planned' | 'mapping-draft' | 'dry-run-ok' | 'conformance-ok' | 'live';
  stateDetail: string;
  traffic: { windowDays: number; accepted: number; refused: number; duplicates: number; lastSeenAt: string | null; total: { accepted: number; refused: number } };
}

/**
 * The state is derived on every read from the conformance evidence (the suite's cached sample results, never a
 * re-run) and the traffic counters; without `conformance` a linked, active system stays `mapping-draft`.
 */
export async function rolloutView(store: Store, registry: Registry, book: BookkeepingBuffer, now = Date.now(), conformance?: Omit<ConformanceDeps, 'store' | 'bookkeeping'>): Promise<{ source: string | null; items: RolloutView[] }> {
  const { source, items } = await store.admin.listRollout();
  const since = dayOf(now - (WINDOW_DAYS - 1) * 86_400_000);
  const out: RolloutView[] = [];
  for (const e of items) {
    const s = e.systemId ? registry.get(e.systemId) : undefined;
    let state: RolloutView['state'] = 'planned';
    let stateDetail: string;
    if (!e.systemId) stateDetail = 'no system linked';
    else if (!s) stateDetail = `system ${e.systemId} is not registered`;
    else if (s.status !== 'active') stateDetail = `system ${e.systemId} is retired`;
    else {
      state = 'mapping-draft';
      stateDetail = 'no approved samples yet (dry-run-ok needs approved samples reproducing with the active version)';
    }
    let traffic: RolloutView['traffic'] = { windowDays: WINDOW_DAYS, accepted: 0, refused: 0, duplicates: 0, lastSeenAt: null, total: { accepted: 0, refused: 0 } };
    if (e.systemId) {
      const t = await store.admin.traffic(e.systemId, since);
      const p = book.pendingTraffic(e.systemId);
      traffic = {
        windowDays: WINDOW_DAYS,
        accepted: t.window.accepted + p.accepted, refused: t.window.refused + p.refused, duplicates: t.window.duplicates + p.duplicates,
        lastSeenAt: book.pendingSeen(e.systemId) ?? (await store.admin.lastSeen(e.systemId)),
        total: { accepted: t.total.accepted + p.accepted, refused: t.total.refused + p.refused },
      };
    }
    if (s && state === 'mapping-draft' && conformance) {
      const report = await conformanceReport({ ...conformance, store, bookkeeping: book }, s, now);
      ({ state, detail: stateDetail } = linkedState(report, await conformance.evidence.samples(s), traffic.accepted + traffic.duplicates));
    }
    out.push({ ...e, state, stateDetail, traffic });
  }
  return { source, items: out };
}

type PatchEntry = Record<string, unknown>;

/** Applies a PATCH body all or nothing; throws 422 HUB_VALIDATION naming `/entries/<i>/<member>`. */
export async function patchRollout(store: Store, body: unknown, audit: Omit<AuditEntry, 'detail'>, now = Date.now()): Promise<void> {
  const errors: FieldError[] = [];
  const list = (body as { entries?: unknown } | null)?.entries;
  if (!body || typeof body !== 'object' || !Array.isArray(list)) {
    throw new HubError('HUB_VALIDATION', 'The body is {"entries": [...]}', [{ path: '/entries', message: 'must be an array' }]);
  }
  const { items } = await store.admin.listRollout();
  const byId = new Map(items.map((e) => [e.id, { ...e }]));
  const at = formatVn(now);
  const touched: number[] = []; // index into `changed` of each patch entry
  const changed: RolloutEntry[] = [];
  const before = new Map<string, RolloutEntry | null>();
  const seen = new Set<string>();
  list.forEach((raw: unknown, i: number) => {
    const p = `/entries/${i}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return void errors.push({ path: p, message: 'must be an object' });
    const e = raw as PatchEntry;
    for (const k of Object.keys(e)) {
      if (!['id', 'department', 'order', 'successor', 'systemId', 'targetDate', 'note'].includes(k)) errors.push({ path: `${p}/${k}`, message: 'unknown member' });
    }
    if (typeof e.id !== 'string' || !SYSTEM_ID_SHAPE.test(e.id)) return void errors.push({ path: `${p}/id`, message: 'must match ^[a-z0-9][a-z0-9-]{1,62}$' });
    if (seen.has(e.id)) return void errors.push({ path: `${p}/id`, message: 'appears twice in this patch' });
    seen.add(e.id);
    const current = byId.get(e.id);
    if (!current) {
      if (e.department === undefined) errors.push({ path: `${p}/department`, message: 'is required for a new entry' });
      if (e.order === undefined) errors.push({ path: `${p}/order`, message: 'is required for a new entry' });
    }
    const next: RolloutEntry = current ?? { id: e.id, order: 0, department: '', origin: 'province', successor: null, systemId: null, targetDate: null, note: null, updatedAt: at };
    if (e.department !== undefined) {
      if (typeof e.department !== 'string' || !e.department.trim() || e.department.length > 300) errors.push({ path: `${p}/department`, message: 'must be a non-empty string (at most 300 characters)' });
      else next.department = e.department.normalize('NFC');
    }
    if (e.order !== undefined) {
      if (!Number.isInteger(e.order) || (e.order as number) < 1) errors.push({ path: `${p}/order`, message: 'must be an integer ≥ 1' });
      else if (current && current.origin === 'seed' && current.order <= FIXED_ORDERS && e.order !== current.order) errors.push({ path: `${p}/order`, message: `orders 1–${FIXED_ORDERS} of the seed are fixed by the 2015 conclusion` });
      else next.order = e.order as number;
    }
    for (const k of ['successor', 'systemId', 'note'] as const) {
      if (e[k] === undefined) continue;
      if (e[k] === null) next[k] = null;
      else if (typeof e[k] !== 'string') errors.push({ path: `${p}/${k}`, message: 'must be a string or null' });
      else if (k !== 'note' && !SYSTEM_ID_SHAPE.test(e[k] as string)) errors.push({ path: `${p}/${k}`, message: 'must match ^[a-z0-9][a-z0-9-]{1,62}$' });
      else if (k === 'note' && (e[k] as string).length > 2000) errors.push({ path: `${p}/${k}`, message: 'at most 2000 characters' });
      else next[k] = k === 'note' ? (e[k] as string).normalize('NFC') : (e[k] as string);
    }
    if (e.targetDate !== undefined) {
      if (typeof e.targetDate !== 'string' || !validDate(e.targetDate)) errors.push({ path: `${p}/targetDate`, message: 'must be a date yyyy-MM-dd' });
      else next.targetDate = e.targetDate;
    }
    next.updatedAt = at;
    before.set(e.id, items.find((x) => x.id === e.id) ?? null);
    byId.set(e.id, next);
    touched[i] = changed.push(next) - 1;
  });
  if (!errors.length) {
    const all = [...byId.values()];
    const patchIndexOf = (id: string) => list.findIndex((x: unknown) => (x as PatchEntry | null)?.id === id);
    errors.push(...checkRegistry(all, all.map((x) => patchIndexOf(x.id))));
  }
  if (errors.length) throw new HubError('HUB_VALIDATION', 'The rollout patch is refused; nothing changed', errors);
  const detail = { entries: changed.map((e) => ({ id: e.id, before: strip(before.get(e.id) ?? null), after: strip(e) })) };
  await store.admin.saveRollout(changed, { ...audit, detail });
}

const strip = (e: RolloutEntry | null) => (e ? { order: e.order, department: e.department, successor: e.successor, systemId: e.systemId, targetDate: e.targetDate, note: e.note } : null);

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Checks over the whole registry: unique orders, successors that exist, are not the entry itself and form no cycle.
 * `where[i]` is the patch index that names entry i (-1 for an entry the patch does not touch); errors point there.
 */
function checkRegistry(all: RolloutEntry[], where: number[]): FieldError[] {
  const errors: FieldError[] = [];
  const ids = new Map(all.map((e) => [e.id, e]));
  const at = (i: number, member: string) => (where[i]! >= 0 ? `/entries/${where[i]}/${member}` : `/entries/${member}`);
  const orders = new Map<number, string>();
  all.forEach((e, i) => {
    const other = orders.get(e.order);
    if (other !== undefined && where[i]! >= 0) errors.push({ path: at(i, 'order'), message: `order ${e.order} is already ${other}'s` });
    else if (other !== undefined) {
      const j = all.findIndex((x) => x.id === other);
      errors.push({ path: at(j, 'order'), message: `order ${e.order} is already ${e.id}'s` });
    }
    orders.set(e.order, e.id);
  });
  all.forEach((e, i) => {
    if (!e.successor || where[i]! < 0) return;
    if (e.successor === e.id) return void errors.push({ path: at(i, 'successor'), message: 'an entry cannot be its own successor' });
    if (!ids.has(e.successor)) return void errors.push({ path: at(i, 'successor'), message: `no entry ${e.successor}` });
    const visited = new Set([e.id]);
    for (let s: RolloutEntry | undefined = ids.get(e.successor); s?.successor; s = ids.get(s.successor)) {
      if (visited.has(s.id)) return void errors.push({ path: at(i, 'successor'), message: 'the successor chain has a cycle' });
      visited.add(s.id);
    }
  });
  return errors;
}
