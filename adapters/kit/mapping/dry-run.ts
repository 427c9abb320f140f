// The dry-run (mapping.md §16) as a pure function: a compiled mapping and a payload in, the answer's shape out.
// Everything but `samples` and the HTTP route; it stores nothing, reads no clock and does no I/O.
import { AdapterError } from '../contract.js';
import { ERRORS } from '../../../src/errors.js';
import type { Dossier, DossierChange } from '../../../src/canonical/types.js';
import { sha256Hex } from '../../../src/util/canonical-json.js';
import { localDateCode, parseRfc3339 } from '../../../src/util/time.js';
import type { CompiledMapping } from './plan.js';
import type { CompileResult } from './compile.js';
import type { MappingError } from './ajv-messages.js';
import { decodeDocument, type ItemRun, type MappingFieldError, type TraceRow } from './decode.js';
import { encodeDossier } from './encode.js';
import { ReadTracker, type NativeNode } from './native.js';
import { unreadLeaves } from './unread.js';
import type { Catalogues } from './evaluate.js';

export interface DryRunOptions { trace?: boolean; encode?: boolean; catalogues?: Catalogues }

export interface DryRunItem {
  index: number; ok: boolean; ref: { code?: string; localCode?: string }; change: DossierChange; errors: MappingFieldError[];
  trace?: TraceRow[]; unread: string[];
  encoded?: { contentType: string; body: string } | { error: { code: string; message: string; errors: { path: string; message: string }[] } };
  roundTrip?: { equal: boolean; lost: string[]; diff: { canonical: string; before: unknown; after: unknown }[] };
}

export interface DryRunAnswer {
  mapping: { sha256: string; size: number; warnings: readonly MappingError[] };
  contentType: string; payloadSha256: string; batch: boolean;
  refused?: { code: string; status: number; detail: string; errors: { path: string; message: string }[] };
  items: DryRunItem[];
}

export type DryRunResult =
  | { ok: true; answer: DryRunAnswer }
  | { ok: false; code: string; status: number; errors: MappingError[] };

const FALLBACK_TIME = '2026-01-01T00:00:00+07:00';

/** The change as a first revision would store it (the kit's asStored): code, revision and routing added. */
export function asStoredByMapping(change: DossierChange, ref: { code?: string }): Dossier {
  const received = typeof change.receivedAt === 'string' ? parseRfc3339(change.receivedAt) : null;
  const agency = change.agency?.code ?? '000.00.00.H12';
  const code = ref.code ?? `${agency}-${received === null ? '000000' : localDateCode(received)}-0000`;
  return { ...change, code, revision: 1, updatedAt: change.receivedAt ?? FALLBACK_TIME, routing: { origin: 'dry-run', holder: 'dry-run', transfers: [] } } as Dossier;
}

const stripIndexes = (p: string) => p.split('/').filter((s) => !/^[0-9]+$/.test(s)).join('/');
const under = (p: string, q: string) => p === q || p.startsWith(`${q}/`);

function leaves(v: unknown, ptr: string, out: Map<string, unknown>): void {
  if (Array.isArray(v)) { if (!v.length) out.set(ptr, []); v.forEach((c, i) => leaves(c, `${ptr}/${i}`, out)); return; }
  if (v !== null && typeof v === 'object') { for (const [k, c] of Object.entries(v)) leaves(c, `${ptr}/${k}`, out); return; }
  out.set(ptr, v);
}

function roundTrip(compiled: CompiledMapping, item: ItemRun, opts: DryRunOptions): Pick<DryRunItem, 'encoded' | 'roundTrip'> {
  let body: string;
  let contentType: string;
  try {
    const msg = encodeDossier(compiled, asStoredByMapping(item.change, item.ref), { systemId: 'dry-run', ...(item.ref.localCode ? { localCode: item.ref.localCode } : {}) });
    body = String(msg.body);
    contentType = msg.contentType;
  } catch (err) {
    if (!(err instanceof AdapterError)) throw err;
    return { encoded: { error: { code: err.code, message: err.message, errors: err.errors } } };
  }
  const before = new Map<string, unknown>();
  leaves(item.change, '', before);
  const notCarried = compiled.plan.notCarried;
  const lost = notCarried.filter((n) => [...before.keys()].some((p) => under(stripIndexes(p), n)));
  let after = new Map<string, unknown>();
  try {
    const again = decodeDocument(compiled, Buffer.from(body, 'utf8'), { ...(opts.catalogues ? { catalogues: opts.catalogues } : {}) }).items[0];
    if (again) leaves(again.change, '', after);
  } catch (err) {
    if (!(err instanceof AdapterError)) throw err;
    after = new Map();
  }
  const diff: { canonical: string; before: unknown; after: unknown }[] = [];
  for (const [p, v] of before) {
    if (p === '/code' || notCarried.some((n) => under(stripIndexes(p), n))) continue;
    const a = after.get(p);
    if (JSON.stringify(a) !== JSON.stringify(v)) diff.push({ canonical: p, before: v, after: a ?? null });
  }
  return { encoded: { contentType, body }, roundTrip: { equal: diff.length === 0, lost, diff } };
}

/** Run a payload through a mapping as the inbound call would, plus trace, unread, re-encoding and round trip. */
export function dryRun(mapping: CompileResult | CompiledMapping, payload: Buffer | string, contentType: string, options: DryRunOptions = {}): DryRunResult {
  let compiled: CompiledMapping;
  if ('ok' in mapping) {
    if (!mapping.ok) return { ok: false, code: mapping.code, status: mapping.status, errors: mapping.errors };
    compiled = mapping.compiled;
  } else compiled = mapping;
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  const answer: DryRunAnswer = {
    mapping: { sha256: compiled.sha256, size: compiled.size, warnings: compiled.warnings },
    contentType: media, payloadSha256: sha256Hex(body), batch: compiled.plan.items !== undefined, items: [],
  };
  if (!compiled.plan.contentTypes.includes(media)) {
    answer.refused = { code: 'HUB_MEDIA_TYPE', status: 415, detail: `The mapping accepts ${compiled.plan.contentTypes.join(', ')}`, errors: [{ path: '', message: `content type ${media} is not accepted` }] };
    return { ok: true, answer };
  }
  const tracker = new ReadTracker();
  let run;
  try {
    run = decodeDocument(compiled, body, { tracker, firstSubmission: !compiled.plan.partial, ...(options.catalogues ? { catalogues: options.catalogues } : {}) });
  } catch (err) {
    if (!(err instanceof AdapterError)) throw err;
    answer.refused = { code: err.code, status: ERRORS[err.code]?.status ?? 400, detail: err.message, errors: err.errors };
    return { ok: true, answer };
  }
  answer.batch = run.batch;
  const itemNodes = new Set<object>(run.items.map((i) => (i.node.kind === 'json' ? (i.node.value as object) : i.node.el)));
  const plainOf = (n: NativeNode) => (n.kind === 'json' ? n.path : n.path.split('/').slice(2).join('/')).split('/').filter((s) => s !== '' && !/^[0-9]+$/.test(s)).join('/');
  for (const item of run.items) {
    const unread = unreadLeaves(item.node, plainOf(item.node), compiled.plan, tracker);
    if (item.index === 0 && item.node !== run.root) unread.unshift(...unreadLeaves(run.root, '', compiled.plan, tracker, itemNodes));
    const ok = item.errors.length === 0;
    const row: DryRunItem = { index: item.index, ok, ref: item.ref, change: item.change, errors: item.errors, ...(options.trace ? { trace: item.trace } : {}), unread };
    if (ok && options.encode !== false) Object.assign(row, roundTrip(compiled, item, options));
    answer.items.push(row);
  }
  return { ok: true, answer };
}
