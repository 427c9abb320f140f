// The activation suite (mapping.md §17): the version compiles, every approved sample reproduces its approved result,
// every ok sample item round-trips, the kit's hostile corpus for the format throws nothing but AdapterError, and the
// deterministic mutation fuzz over the samples does not either (with error paths that exist or are where a rule
// looked). `runSuite` is the work, run off the event loop by src/mappings/suite-runner.ts (a worker thread); sample
// results are cached by (sample sha256, mapping sha256, catalogue version) in the worker and, from its answer, here.
import { compileMapping } from '../../adapters/kit/mapping/compile.js';
import { dryRun } from '../../adapters/kit/mapping/dry-run.js';
import { checkFuzz, checkHostile } from '../../adapters/kit/mapping/suite-checks.js';
import type { CompiledMapping } from '../../adapters/kit/mapping/plan.js';
import { sha256Hex } from '../util/canonical-json.js';
import type { SampleRecord, Store, SystemRecord } from '../store/types.js';
import { getAdapter } from '../../adapters/registry.js';
import { runBuiltInSample } from './built-in.js';
import { expectedOf, sampleDiff, sampleOk, type DiffRow, type DryAnswer, type Expected } from './expected.js';

export type Check = { check: string; state: 'pass' | 'fail' | 'skipped' | 'forced'; detail: string };
export type Failure = { check: string; sample?: { id: string; name: string }; message: string; diff?: DiffRow[] };
export interface SampleRun { reproduces: boolean; diff: DiffRow[]; decodes: boolean; roundTrip: { items: number; ok: boolean; passed: number }; changes: Record<string, unknown>[] }
/** What the suite needs of a sample (a SampleRecord is one; the worker gets these by structured clone). */
export type SuiteSample = Pick<SampleRecord, 'id' | 'name' | 'contentType' | 'payload' | 'payloadSha256' | 'expected'>;
export interface SuiteInput { samples: SuiteSample[]; document: string; sha256: string }
/** The suite's outcome before `force` is applied: failures, what each check counted, the sample runs for the cache. */
export interface SuiteReport {
  failures: Failure[];
  counts: { samples: number; items: number; hostile: number; fuzz: number };
  runs: [string, SampleRun][];
  /** The thread that ran it (0 is the main thread). */
  threadId: number;
}

const CATALOGUE_VERSION = '1';
const cache = new Map<string, SampleRun>();
const MAX_CACHED = 2000;
const remember = <V>(m: Map<string, V>, key: string, value: V) => {
  if (m.size >= MAX_CACHED) m.delete(m.keys().next().value!);
  m.set(key, value);
};

// The approved result is part of the key: re-approving changes what "reproduces" means.
const sampleKey = (s: Pick<SampleRecord, 'payloadSha256' | 'expected'>, sha256: string) => `${s.payloadSha256}:${sha256}:${CATALOGUE_VERSION}:${sha256Hex(JSON.stringify(s.expected))}`;

export function runSample(s: Pick<SampleRecord, 'payload' | 'payloadSha256' | 'contentType' | 'expected'>, document: string, sha256: string): SampleRun {
  const key = sampleKey(s, sha256);
  const hit = cache.get(key);
  if (hit) return hit;
  const r = dryRun(compileMapping(document), s.payload, s.contentType, { encode: true });
  const answer = (r.ok ? r.answer : { refused: { code: r.code }, items: [] }) as DryAnswer;
  const diff = sampleDiff(s.expected as Expected, expectedOf(answer));
  const ok = answer.items.filter((i) => i.ok);
  const passed = ok.filter((i) => i.roundTrip?.equal !== false).length;
  const run: SampleRun = {
    reproduces: diff.length === 0, diff, decodes: !answer.refused && answer.items.length > 0 && answer.items.every((i) => i.ok),
    roundTrip: { items: ok.length, ok: passed === ok.length, passed }, changes: ok.map((i) => i.change as Record<string, unknown>),
  };
  remember(cache, key, run);
  return run;
}

/** The sample runs a worker answered, kept here so `reproduces`, the rollout and the conformance report read them. */
export function rememberRuns(runs: readonly [string, SampleRun][]): void {
  for (const [k, v] of runs) remember(cache, k, v);
}

const hostileCache = new Map<string, ReturnType<typeof checkHostile>>();
const fuzzCache = new Map<string, ReturnType<typeof checkFuzz>>();

/** Checks 2–5 over a version (check 1 passed when it was stored). Pure but for the caches; no I/O. */
export function runSuite(input: SuiteInput, threadId = 0): SuiteReport {
  const { document, sha256 } = input;
  const samples = input.samples.map((s) => ({ ...s, payload: Buffer.isBuffer(s.payload) ? s.payload : Buffer.from(s.payload as Uint8Array) }));
  const failures: Failure[] = [];
  const runs: [string, SampleRun][] = [];
  let items = 0;
  for (const s of samples) {
    const run = runSample(s, document, sha256);
    runs.push([sampleKey(s, sha256), run]);
    const sample = { id: s.id, name: s.name };
    if (!run.reproduces) failures.push({ check: 'samples', sample, message: `sample ${s.name} no longer gives its approved result`, diff: run.diff });
    if (!run.roundTrip.ok) failures.push({ check: 'roundTrip', sample, message: `${run.roundTrip.items - run.roundTrip.passed} item(s) of ${s.name} do not round-trip` });
    items += run.roundTrip.items;
  }
  const c = compileMapping(document);
  if (!c.ok) throw new Error(`stored mapping ${sha256} no longer compiles`);
  const compiled: CompiledMapping = c.compiled;
  let hostile = hostileCache.get(sha256);
  if (!hostile) { hostile = checkHostile(compiled); remember(hostileCache, sha256, hostile); }
  for (const f of hostile.failures) failures.push({ check: 'hostile', message: `hostile payload "${f.name}": ${f.message}` });
  const fuzzKey = `${sha256}:${samples.map((s) => `${s.id}=${s.payloadSha256}`).sort().join(',')}`;
  let fuzz = fuzzCache.get(fuzzKey);
  if (!fuzz) { fuzz = checkFuzz(compiled, samples); remember(fuzzCache, fuzzKey, fuzz); }
  for (const f of fuzz.failures) failures.push({ check: 'fuzz', sample: f.sample, message: f.message });
  return { failures, counts: { samples: samples.length, items, hostile: hostile.count, fuzz: fuzz.count }, runs, threadId };
}

/** The `checks` answered and the failures that refuse the activation (409 unless forced). */
export function checksOf(report: Pick<SuiteReport, 'failures' | 'counts'>, forced: boolean): { checks: Check[]; failures: Failure[] } {
  const { failures, counts } = report;
  const state = (check: string, vacuous: boolean): Check['state'] => (failures.some((f) => f.check === check) ? (forced ? 'forced' : 'fail') : vacuous ? 'skipped' : 'pass');
  const failed = (check: string) => failures.filter((f) => f.check === check).length;
  return {
    failures,
    checks: [
      { check: 'schema', state: 'pass', detail: 'compiles' },
      { check: 'samples', state: state('samples', !counts.samples), detail: counts.samples ? `${counts.samples} sample(s)` : 'no samples' },
      { check: 'roundTrip', state: state('roundTrip', !counts.items), detail: counts.items ? `${counts.items} item(s)` : 'no ok sample items' },
      { check: 'hostile', state: state('hostile', false), detail: `${counts.hostile} hostile payloads${failed('hostile') ? `, ${failed('hostile')} failed` : ''}` },
      { check: 'fuzz', state: state('fuzz', !counts.fuzz), detail: counts.fuzz ? `${counts.fuzz} mutations${failed('fuzz') ? `, ${failed('fuzz')} failed` : ''}` : 'no samples to mutate' },
    ],
  };
}

/** The suite in this thread (tests, tools); the routes run it in the worker (suite-runner.ts). */
export function activationSuite(samples: readonly SuiteSample[], document: string, sha256: string, forced: boolean): { checks: Check[]; failures: Failure[] } {
  return checksOf(runSuite({ samples: [...samples], document, sha256 }), forced);
}

/** What the conformance report reads (src/conformance/evidence.ts's ConformanceEvidence, matched structurally). */
export function mappingEvidence(store: Store) {
  return {
    async samples(system: SystemRecord) {
      if (system.adapter !== 'mapping') {
        const adapter = getAdapter(system.adapter);
        if (!adapter) return [];
        return (await store.mappings.listSamples(system.id)).map((s) => {
          const run = runBuiltInSample(adapter, s, system.id);
          return { id: s.id, name: s.name, ok: sampleOk(s.expected as Expected), reproduces: run.reproduces, decodes: run.decodes, roundTrip: run.roundTrip, changes: run.changes };
        });
      }
      const { active, items } = await store.mappings.listVersions(system.id);
      const v = active === null ? undefined : await store.mappings.getVersion(system.id, active);
      if (!v || !items.length) return [];
      return (await store.mappings.listSamples(system.id)).map((s) => {
        const run = runSample(s, v.document, v.sha256);
        return { id: s.id, name: s.name, ok: sampleOk(s.expected as Expected), reproduces: run.reproduces, decodes: run.decodes, roundTrip: run.roundTrip, changes: run.changes };
      });
    },
    async mapping(system: SystemRecord) {
      if (system.adapter !== 'mapping') return null;
      const { active } = await store.mappings.listVersions(system.id);
      const v = active === null ? undefined : await store.mappings.getVersion(system.id, active);
      if (!v) return null;
      const c = compileMapping(v.document);
      return { version: v.version, sha256: v.sha256, ok: c.ok, warnings: c.ok ? c.compiled.warnings : c.errors };
    },
  };
}

/** `sampleResults(systemId)` as the brief names it: the same rows as the evidence's samples. */
export async function sampleResults(store: Store, system: SystemRecord) {
  return mappingEvidence(store).samples(system);
}
