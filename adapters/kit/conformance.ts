// The conformance kit every adapter passes (style.md: BullMQ's adapter conformance). Test-side code: it reads
// fixtures from disk, but it wraps the adapter's decode/encode in `withNoIo`, which proves the mapping code does not.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import type { Adapter, DecodeResult, DecodedOp, InboundRequest, OutboundEvent } from './contract.js';
import { AdapterError } from './contract.js';
import type { Dossier, DossierChange } from '../../src/canonical/types.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { localDateCode, parseRfc3339 } from '../../src/util/time.js';

/** The system id fixtures are decoded as, and the hub-owned values a first revision gets. */
export const FIXTURE_SYSTEM = 'fixture-system';
export const FIXTURE_UPDATED_AT = '2026-11-27T16:00:00+07:00';

/** Fixture file extension → the media type it is posted with. */
export const FIXTURE_MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.xml': 'application/xml', '.json': 'application/json', '.txt': 'text/plain', '.form': 'application/x-www-form-urlencoded',
};

export interface ValidFixture { name: string; body: Buffer; contentType: string; expected: unknown[] }
export interface InvalidFixture { name: string; body: Buffer; contentType: string; expected: { code: string; path: string } }

export const fixturesDir = (adapterName: string) => path.join(PROJECT_ROOT, 'adapters', adapterName, 'fixtures');

function list(dir: string): { file: string; base: string; contentType: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.expected.json') && !e.name.endsWith('.error.json'))
    .flatMap((e) => {
      const ext = path.extname(e.name);
      const contentType = FIXTURE_MEDIA_TYPES[ext];
      return contentType ? [{ file: path.join(dir, e.name), base: path.join(dir, e.name.slice(0, -ext.length)), contentType }] : [];
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** `fixtures/*.<ext>` with `*.expected.json`, and `fixtures/invalid/*.<ext>` with `*.error.json`. */
export function loadFixtures(adapterName: string): { valid: ValidFixture[]; invalid: InvalidFixture[] } {
  const dir = fixturesDir(adapterName);
  const json = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
  return {
    valid: list(dir).map((f) => ({ name: path.basename(f.file), body: readFileSync(f.file), contentType: f.contentType, expected: json(`${f.base}.expected.json`) as unknown[] })),
    invalid: list(path.join(dir, 'invalid')).map((f) => ({
      name: `invalid/${path.basename(f.file)}`, body: readFileSync(f.file), contentType: f.contentType, expected: json(`${f.base}.error.json`) as { code: string; path: string },
    })),
  };
}

export const request = (body: Buffer | string, contentType: string, systemId = FIXTURE_SYSTEM): InboundRequest => ({
  body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), contentType, headers: {}, systemId,
});

// ---- no I/O, no clock ----

const requireBuiltin = createRequire(import.meta.url);
const IO_MODULES = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process', 'worker_threads'];

/**
 * Run `fn` with every function of the I/O modules replaced by a trap, and with Date.now / `new Date()` trapped.
 * Patching the modules' export objects and calling syncBuiltinESMExports() reaches both `import fs from 'node:fs'`
 * and named ESM imports (`import { readFileSync }`), synchronous and asynchronous calls alike; a handle count
 * (process._getActiveHandles) would miss synchronous calls. Traps are recorded, so an adapter that swallows
 * the thrown error is still caught. Everything is restored before returning. Sync code only.
 */
export function withNoIo<T>(fn: () => T): T {
  const touched: string[] = [];
  const restore: (() => void)[] = [];
  for (const name of IO_MODULES) {
    const mod = requireBuiltin(`node:${name}`) as Record<string, unknown>;
    for (const key of Object.keys(mod)) {
      const original = mod[key];
      const desc = Object.getOwnPropertyDescriptor(mod, key);
      if (typeof original !== 'function' || !desc?.writable) continue;
      mod[key] = function trap() {
        touched.push(`${name}.${key}`);
        throw new Error(`I/O in mapping code: ${name}.${key}`);
      };
      restore.push(() => { mod[key] = original; });
    }
  }
  const RealDate = Date;
  const clock = (what: string) => {
    touched.push(what);
    throw new Error(`the clock in mapping code: ${what}`);
  };
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => (args.length ? Reflect.construct(target, args, newTarget) : clock('new Date()')),
    apply: () => clock('Date()'),
    get: (target, prop, receiver) => (prop === 'now' ? () => clock('Date.now()') : Reflect.get(target, prop, receiver)),
  });
  restore.push(() => { globalThis.Date = RealDate; });
  syncBuiltinESMExports();
  let result: T;
  try {
    result = fn();
  } finally {
    for (const r of restore) r();
    syncBuiltinESMExports();
  }
  if (touched.length) throw new Error(`mapping code touched ${[...new Set(touched)].join(', ')}`);
  return result;
}

// ---- helpers for suites ----

/** What a decode gave: the AdapterError thrown for the whole body, or the items. Other exceptions propagate. */
export function tryDecode(adapter: Adapter, req: InboundRequest): { thrown?: AdapterError; result?: DecodeResult } {
  try {
    return { result: withNoIo(() => adapter.decode(req)) };
  } catch (err) {
    if (err instanceof AdapterError) return { thrown: err };
    throw err;
  }
}

/** The first refusal of a decode: the thrown error, else the first item error; undefined when all items decoded. */
export function firstRefusal(adapter: Adapter, req: InboundRequest): { code: string; path: string | undefined; message: string } | undefined {
  const { thrown, result } = tryDecode(adapter, req);
  const err = thrown ?? result?.items.find((i) => i.error)?.error;
  return err ? { code: err.code, path: err.errors[0]?.path, message: err.message } : undefined;
}

/** A stored dossier that later changes (status updates without the full dossier) are merged into. */
export const BASE_DOSSIER: Dossier = {
  code: '000.00.00.H12-261120-0001', procedure: { code: '1.000001' }, agency: { code: '000.00.00.H12', level: 'province' },
  applicant: { type: 'citizen', name: 'Người nộp mẫu' }, channel: 'in_person', receivedAt: '2026-11-20T08:00:00+07:00', status: 2,
  revision: 1, updatedAt: '2026-11-20T08:00:00+07:00', routing: { origin: FIXTURE_SYSTEM, holder: FIXTURE_SYSTEM, transfers: [] },
};
const REQUIRED = ['procedure', 'agency', 'applicant', 'channel', 'receivedAt', 'status'] as const;

/**
 * A decoded change as the store would hold it: a complete change becomes revision 1 with the hub-owned fields
 * (and a hub-issued code when it has none); a partial one (a later status update) is merged into BASE_DOSSIER.
 */
export function asStored(change: DossierChange, systemId = FIXTURE_SYSTEM, sequence = 1): Dossier {
  const { reopenReason: _ignored, ...rest } = change;
  const complete = REQUIRED.every((k) => rest[k] !== undefined);
  const received = typeof rest.receivedAt === 'string' ? parseRfc3339(rest.receivedAt) : null;
  const issued = complete ? `${rest.agency!.code}-${received === null ? '000000' : localDateCode(received)}-${String(sequence).padStart(4, '0')}` : BASE_DOSSIER.code;
  const base = complete ? {} : BASE_DOSSIER;
  return { ...base, ...rest, code: rest.code ?? issued, revision: 1, updatedAt: FIXTURE_UPDATED_AT, routing: { origin: systemId, holder: systemId, transfers: [] } } as Dossier;
}

/**
 * Adapters whose encode cannot be read back by their own decode (the system receives a different message than it
 * sends), with the reason; the suite then checks that encode succeeds and skips the decode half. Empty by default.
 */
export const ROUND_TRIP_EXEMPT: ReadonlyMap<string, string> = new Map([
  // The department sends TiepNhanHoSo but is sent NhanCapNhatTuLGSP (number, status, time, note only), so
  // encode → decode cannot hold every field; test/adapters/xay-dung-soap/answer.test.ts round-trips the HoSo
  // shape instead (TraCuuHoSo answer → TiepNhanHoSo decode).
  ['xay-dung-soap', 'the outbound operation NhanCapNhatTuLGSP carries the status only; the HoSo round trip is in answer.test.ts'],
]);

/**
 * What decode(encode(stored form)) must give back for the members a decoded change carried: the change with the
 * stored code; a commune agency without a kind goes out as `xa` (undp.md, tnmt.md: the formats have no commune
 * without a kind).
 */
export function roundTripExpected(change: DossierChange, code: string): Record<string, unknown> {
  const expected: Record<string, unknown> = plain({ ...change, code });
  const agency = expected.agency as { level?: string; kind?: string } | undefined;
  if (agency?.level === 'commune' && agency.kind === undefined) expected.agency = { ...agency, kind: 'xa' };
  return expected;
}

/** The event the relay would hand to encode for a first revision of this op. */
export function eventFor(op: Extract<DecodedOp, { kind: 'change' }>, dossier: Dossier): OutboundEvent {
  const event: OutboundEvent = {
    eventId: '00000000-0000-4000-8000-000000000001', type: op.transfer ? 'dossier.transferred' : 'dossier.received', source: FIXTURE_SYSTEM,
    time: FIXTURE_UPDATED_AT, revision: 1, previousStatus: null, dossier,
  };
  if (op.transfer) event.transfer = { at: FIXTURE_UPDATED_AT, fromAgency: dossier.agency.code, ...op.transfer };
  return event;
}

/** Plain JSON form (undefined members dropped, Buffers excluded) for deep comparison with expected files. */
export const plain = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

// ---- hostile corpora (test/adapters/hostile.test.ts; any format adds its own cases) ----

export interface HostileCase {
  name: string;
  body: Buffer | string;
  contentType: string;
  /** The catalogue code expected, from the whole request or from the first refused item. */
  code: string;
  /** The expected path of the first field error, when it matters. */
  path?: string;
  /** Wall-clock budget for the decode, in ms. */
  withinMs?: number;
}

/** Decode each case and report, per case, what came back; the test asserts on it. */
export function runHostile(adapter: Adapter, cases: HostileCase[]): { name: string; expected: HostileCase; got: ReturnType<typeof firstRefusal>; ms: number }[] {
  return cases.map((c) => {
    const t0 = performance.now();
    const got = firstRefusal(adapter, request(c.body, c.contentType));
    return { name: c.name, expected: c, got, ms: performance.now() - t0 };
  });
}
