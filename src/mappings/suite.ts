// The activation suite's sample checks (mapping.md §17, checks 1–3): the version compiles, every approved sample
// reproduces its approved result, and every ok sample item round-trips. Results are cached by (sample sha256,
// mapping sha256, catalogue version). The hostile corpus, the mutation fuzz and the worker thread are not built
// yet: those checks answer `skipped` with that said.
import { compileMapping } from '../../adapters/kit/mapping/compile.js';
import { dryRun } from '../../adapters/kit/mapping/dry-run.js';
import { sha256Hex } from '../util/canonical-json.js';
import type { SampleRecord, Store, SystemRecord } from '../store/types.js';
import { expectedOf, sampleDiff, sampleOk, type DiffRow, type DryAnswer, type Expected } from './expected.js';

export type Check = { check: string; state: 'pass' | 'fail' | 'skipped' | 'forced'; detail: string };
export type Failure = { check: string; sample?: { id: string; name: string }; message: string; diff?: DiffRow[] };
export interface SampleRun { reproduces: boolean; diff: DiffRow[]; decodes: boolean; roundTrip: { items: number; ok: boolean; passed: number }; changes: Record<string, unknown>[] }

const CATALOGUE_VERSION = '1';
const cache = new Map<string, SampleRun>();

export function runSample(s: SampleRecord, document: string, sha256: string): SampleRun {
  // The approved result is part of the key: re-approving changes what "reproduces" means.
  const key = `${s.payloadSha256}:${sha256}:${CATALOGUE_VERSION}:${sha256Hex(JSON.stringify(s.expected))}`;
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
  if (cache.size > 2000) cache.delete(cache.keys().next().value!);
  cache.set(key, run);
  return run;
}

/** The suite over a version: the checks, and the failures that refuse the activation (409 unless forced). */
export function activationSuite(samples: readonly SampleRecord[], document: string, sha256: string, forced: boolean): { checks: Check[]; failures: Failure[] } {
  const failures: Failure[] = [];
  let items = 0;
  for (const s of samples) {
    const run = runSample(s, document, sha256);
    const sample = { id: s.id, name: s.name };
    if (!run.reproduces) failures.push({ check: 'samples', sample, message: `sample ${s.name} no longer gives its approved result`, diff: run.diff });
    if (!run.roundTrip.ok) failures.push({ check: 'roundTrip', sample, message: `${run.roundTrip.items - run.roundTrip.passed} item(s) of ${s.name} do not round-trip` });
    items += run.roundTrip.items;
  }
  const state = (check: string, vacuous: boolean): Check['state'] => (failures.some((f) => f.check === check) ? (forced ? 'forced' : 'fail') : vacuous ? 'skipped' : 'pass');
  return {
    failures,
    checks: [
      { check: 'schema', state: 'pass', detail: 'compiles' },
      { check: 'samples', state: state('samples', !samples.length), detail: samples.length ? `${samples.length} sample(s)` : 'no samples' },
      { check: 'roundTrip', state: state('roundTrip', !items), detail: items ? `${items} item(s)` : 'no ok sample items' },
      { check: 'hostile', state: 'skipped', detail: 'not run by this build' },
      { check: 'fuzz', state: 'skipped', detail: 'not run by this build' },
    ],
  };
}

/** What the conformance report reads (src/conformance/evidence.ts's ConformanceEvidence, matched structurally). */
export function mappingEvidence(store: Store) {
  return {
    async samples(system: SystemRecord) {
      if (system.adapter !== 'mapping') return [];
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
