// Samples of systems on a built-in adapter (api.md "Samples": "Built-in adapters take samples too; their
// approvedVersion is the adapter's Adapter.version"). The same answer shape as the mapping dry-run, so one format of
// expected results serves both; the conformance report and the rollout state read these runs as they read a
// mapping's. The round trip is the kit's: decode → stored form → encode → decode keeps every member the first
// decode gave (an adapter in ROUND_TRIP_EXEMPT is reported `exempt` by the report itself).
import { HubError } from '../errors.js';
import { AdapterError, type Adapter, type DecodedOp } from '../../adapters/kit/contract.js';
import { ROUND_TRIP_EXEMPT, asStored, eventFor, plain, roundTripExpected } from '../../adapters/kit/conformance.js';
import { canonicalJson, sha256Hex } from '../util/canonical-json.js';
import type { SampleRecord } from '../store/types.js';
import { expectedOf, sampleDiff, type DryAnswer, type Expected } from './expected.js';
import type { SampleRun } from './suite.js';

type ChangeOp = Extract<DecodedOp, { kind: 'change' }>;

/** A built-in adapter's items in the dry-run's shape: errors carry native paths, no canonical pointer or rule. */
export function builtInRun(adapter: Adapter, body: Buffer, contentType: string, systemId: string) {
  return decodeBuiltIn(adapter, body, contentType, systemId).answer;
}

function decodeBuiltIn(adapter: Adapter, body: Buffer, contentType: string, systemId: string) {
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (!adapter.contentTypes.includes(media)) throw new HubError('HUB_MEDIA_TYPE', `Adapter ${adapter.name} accepts ${adapter.contentTypes.join(', ')}, not "${media}"`);
  const answer = { mapping: { source: 'adapter', adapter: adapter.name, version: adapter.version }, contentType: media, payloadSha256: sha256Hex(body), batch: false, items: [] as unknown[] };
  const ops: (ChangeOp | undefined)[] = [];
  try {
    const d = adapter.decode({ body, contentType: media, headers: {}, systemId });
    answer.batch = d.batch;
    answer.items = d.items.map((it) => {
      const op = !it.error && it.op?.kind === 'change' ? it.op : undefined;
      ops.push(op);
      return op
        ? { index: it.index, ok: true, ref: op.ref, change: op.change, errors: [] }
        : { index: it.index, ok: false, errors: (it.error?.errors ?? []).map((e) => ({ code: it.error!.code, canonical: null, native: e.path, rule: null, message: e.message })) };
    });
  } catch (err) {
    if (!(err instanceof AdapterError)) throw err;
    return { answer: { ...answer, refused: { code: err.code, status: new HubError(err.code).status, detail: err.message, errors: err.errors } }, ops: [] };
  }
  return { answer, ops };
}

/** Whether decode(encode(stored form)) gives back every member the first decode gave (the code as issued). */
export function builtInRoundTrips(adapter: Adapter, op: ChangeOp, systemId: string): boolean {
  const stored = asStored(op.change, systemId);
  try {
    const message = adapter.encode(eventFor(op, stored), { systemId, ...(op.ref.localCode ? { localCode: op.ref.localCode } : {}) });
    const again = adapter.decode({ body: Buffer.isBuffer(message.body) ? message.body : Buffer.from(message.body, 'utf8'), contentType: message.contentType.split(';')[0]!.trim(), headers: {}, systemId }).items[0]?.op;
    if (again?.kind !== 'change') return false;
    const expected = roundTripExpected(op.change, stored.code);
    const actual = plain(again.change) as Record<string, unknown>;
    return Object.keys(expected).every((k) => canonicalJson(actual[k]) === canonicalJson(expected[k]));
  } catch (err) {
    if (err instanceof AdapterError) return false;
    throw err;
  }
}

const cache = new Map<string, SampleRun>();

/** A saved sample through the system's built-in adapter: reproduces its approved result? round-trips? (cached) */
export function runBuiltInSample(adapter: Adapter, s: Pick<SampleRecord, 'payload' | 'payloadSha256' | 'contentType' | 'expected'>, systemId: string): SampleRun {
  const key = `${s.payloadSha256}:${adapter.name}@${adapter.version}:${sha256Hex(JSON.stringify(s.expected))}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let run: SampleRun;
  try {
    const { answer, ops } = decodeBuiltIn(adapter, s.payload, s.contentType, systemId);
    const diff = sampleDiff(s.expected as Expected, expectedOf(answer as DryAnswer));
    const ok: ChangeOp[] = [];
    for (const o of ops as (ChangeOp | undefined)[]) if (o) ok.push(o);
    const exempt = ROUND_TRIP_EXEMPT.has(adapter.name);
    const passed = exempt ? ok.length : ok.filter((op) => builtInRoundTrips(adapter, op, systemId)).length;
    run = {
      reproduces: diff.length === 0, diff, decodes: !('refused' in answer) && answer.items.length > 0 && ok.length === ops.length,
      roundTrip: { items: ok.length, ok: passed === ok.length, passed }, changes: ok.map((o) => o.change as Record<string, unknown>),
    };
  } catch (err) {
    // A sample saved under another content type than the adapter now takes: it does not reproduce.
    if (!(err instanceof HubError)) throw err;
    run = { reproduces: false, diff: [{ item: null, path: '/refused/code', expected: null, actual: err.code }], decodes: false, roundTrip: { items: 0, ok: true, passed: 0 }, changes: [] };
  }
  if (cache.size >= 2000) cache.delete(cache.keys().next().value!);
  cache.set(key, run);
  return run;
}
