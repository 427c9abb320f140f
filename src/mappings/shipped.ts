// Shipped mapping systems (mapping.md §19): `config/systems/<id>/mapping.json` is read into a registration whose
// adapter is mapping, and `<id>/samples/*` are saved approved (actor hub) at first start; a sample whose expected
// result does not match fails the start. Later starts only warn when the shipped mapping differs from the active one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { compileMapping } from '../../adapters/kit/mapping/compile.js';
import { dryRun } from '../../adapters/kit/mapping/dry-run.js';
import type { Store } from '../store/types.js';
import { sha256Hex } from '../util/canonical-json.js';
import { ulid } from '../util/id.js';
import { formatVn } from '../util/time.js';
import { expectedOf, sampleDiff, type DryAnswer, type Expected } from './expected.js';

export function shippedMapping(dir: string, id: string): unknown {
  const file = path.join(dir, id, 'mapping.json');
  if (!existsSync(file)) throw new Error(`${id}: adapter mapping needs ${id}/mapping.json`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.xml': 'application/xml' };

interface ShippedSample { file: string; name: string; contentType: string; payload: Buffer; expected: Expected; answer: DryAnswer }

/**
 * Reads the shipped samples of `id` and decodes each with `document` (pure: nothing is stored). Throws, naming the
 * file, when a payload has no `<name>.expected.json` or does not give it: the start fails before the system is
 * registered, so nothing is left half-stored (mapping.md §19).
 */
export function checkShippedSamples(dir: string, id: string, document: unknown): ShippedSample[] {
  const folder = path.join(dir, id, 'samples');
  if (!existsSync(folder)) return [];
  const compiled = compileMapping(document);
  const out: ShippedSample[] = [];
  for (const f of readdirSync(folder).filter((x) => !x.endsWith('.expected.json') && TYPES[path.extname(x)]).sort()) {
    const name = f.slice(0, -path.extname(f).length);
    const expectedFile = path.join(folder, `${name}.expected.json`);
    if (!existsSync(expectedFile)) throw new Error(`${id}/samples/${f} has no ${name}.expected.json`);
    const payload = readFileSync(path.join(folder, f));
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
    const r = dryRun(compiled, payload, TYPES[path.extname(f)]!, { encode: false });
    const answer = (r.ok ? r.answer : { refused: { code: r.code }, items: [] }) as DryAnswer;
    const diff = sampleDiff(expected, expectedOf(answer));
    if (diff.length) throw new Error(`${id}/samples/${f} does not give its expected result: ${JSON.stringify(diff).slice(0, 2000)}`);
    out.push({ file: f, name, contentType: TYPES[path.extname(f)]!, payload, expected, answer });
  }
  return out;
}

/** Saves the checked shipped samples of a just-registered mapping system as approved by `hub`. */
export async function saveShippedSamples(store: Store, id: string, samples: readonly ShippedSample[]): Promise<number> {
  if (!samples.length) return 0;
  const active = (await store.mappings.listVersions(id)).active!;
  const v = (await store.mappings.getVersion(id, active))!;
  for (const s of samples) {
    const now = Date.now();
    const sampleId = ulid(now);
    const payloadSha256 = sha256Hex(s.payload);
    await store.mappings.addSample({ id: sampleId, systemId: id, name: s.name, contentType: s.contentType, payload: s.payload, payloadSha256,
      expected: expectedOf(s.answer), approvedVersion: String(v.version), createdAt: formatVn(now), createdBy: 'hub' },
    { actor: 'hub', action: 'sample.add', target: id, detail: { sampleId, payloadSha256 } });
  }
  return samples.length;
}

/** A later start: the store is the truth; a shipped mapping that differs from the active version is only logged. */
export async function warnIfShippedDiffers(store: Store, dir: string, id: string, log: Logger): Promise<void> {
  const file = path.join(dir, id, 'mapping.json');
  if (!existsSync(file)) return;
  const c = compileMapping(readFileSync(file));
  const { active, items } = await store.mappings.listVersions(id);
  const sha = items.find((v) => v.version === active)?.sha256;
  if (!c.ok || c.compiled.sha256 !== sha) log.warn({ system: id, activeVersion: active }, 'the shipped mapping differs from the active version; it is not activated by itself (push it with PUT /v1/admin/systems/{id}/mapping)');
}
