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

/** Saves the shipped samples of a just-registered mapping system as approved by `hub`; throws on a mismatch. */
export async function saveShippedSamples(store: Store, dir: string, id: string): Promise<number> {
  const folder = path.join(dir, id, 'samples');
  if (!existsSync(folder)) return 0;
  const active = (await store.mappings.listVersions(id)).active!;
  const v = (await store.mappings.getVersion(id, active))!;
  let n = 0;
  for (const f of readdirSync(folder).filter((x) => !x.endsWith('.expected.json') && TYPES[path.extname(x)]).sort()) {
    const name = f.slice(0, -path.extname(f).length);
    const payload = readFileSync(path.join(folder, f));
    const expected = JSON.parse(readFileSync(path.join(folder, `${name}.expected.json`), 'utf8')) as Expected;
    const r = dryRun(compileMapping(v.document), payload, TYPES[path.extname(f)]!, { encode: false });
    const answer = (r.ok ? r.answer : { refused: { code: r.code }, items: [] }) as DryAnswer;
    const diff = sampleDiff(expected, expectedOf(answer));
    if (diff.length) throw new Error(`${id}/samples/${f} does not give its expected result: ${JSON.stringify(diff).slice(0, 2000)}`);
    const now = Date.now();
    const sampleId = ulid(now);
    await store.mappings.addSample({ id: sampleId, systemId: id, name, contentType: TYPES[path.extname(f)]!, payload, payloadSha256: sha256Hex(payload),
      expected: expectedOf(answer), approvedVersion: String(v.version), createdAt: formatVn(now), createdBy: 'hub' },
    { actor: 'hub', action: 'sample.add', target: id, detail: { sampleId, payloadSha256: sha256Hex(payload) } });
    n++;
  }
  return n;
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
