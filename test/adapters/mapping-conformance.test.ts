// mapping.md §17 "In CI": the activation suite (src/mappings/suite.ts, the same function the activation runs) over
// every mapping system in config/systems/ with its samples in config/systems/<id>/samples/, plus the coverage check:
// every rule of the mapping matched something in some sample (the dry-run's trace), and every native leaf of every
// sample is read or ignored (its `unread`). Pure: nothing but reading the config files.
// The UNDP part of §17 (the built-in's fixtures through a UNDP mapping as the language's regression corpus, with
// the known gaps of §22) is test/adapters/mapping/undp-corpus.test.ts, not repeated here.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileMapping } from '../../adapters/kit/mapping/compile.js';
import { dryRun } from '../../adapters/kit/mapping/dry-run.js';
import { withNoIo } from '../../adapters/kit/conformance.js';
import { activationSuite } from '../../src/mappings/suite.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import type { SampleRecord } from '../../src/store/types.js';

const SYSTEMS = path.join(PROJECT_ROOT, 'config', 'systems');
const TYPES: Record<string, string> = { '.json': 'application/json', '.xml': 'application/xml' };
type Json = Record<string, any>;

/** The registrations as the loader reads them: the *.json files directly in config/systems/ (mapping.md §19). */
const registrations = readdirSync(SYSTEMS).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ file: f, reg: JSON.parse(readFileSync(path.join(SYSTEMS, f), 'utf8')) as Json }));
const mappingSystems = registrations.filter((r) => r.reg.adapter === 'mapping');

const esc = (k: string) => k.replaceAll('~', '~0').replaceAll('/', '~1');

/** Every rule pointer of a mapping document: ref rules, scalar field rules, and each list's element field rules. */
export function rulePointers(doc: Json): string[] {
  const out = Object.keys(doc.ref ?? {}).map((k) => `/ref/${esc(k)}`);
  for (const [k, rule] of Object.entries(doc.fields as Json)) {
    if (rule && typeof rule === 'object' && 'each' in rule) out.push(...Object.keys(rule.fields).map((s) => `/fields/${esc(k)}/fields/${esc(s)}`));
    else out.push(`/fields/${esc(k)}`);
  }
  return out;
}

function samplesOf(id: string): SampleRecord[] {
  const folder = path.join(SYSTEMS, id, 'samples');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => !f.endsWith('.expected.json') && TYPES[path.extname(f)]).sort().map((f) => {
    const name = f.slice(0, -path.extname(f).length);
    const payload = readFileSync(path.join(folder, f));
    return {
      id: name, systemId: id, name, contentType: TYPES[path.extname(f)]!, payload, payloadSha256: sha256Hex(payload),
      expected: JSON.parse(readFileSync(path.join(folder, `${name}.expected.json`), 'utf8')), approvedVersion: '1', createdAt: '', createdBy: 'ci',
    };
  });
}

t.test('the shipped mapping systems are the first two departments of the rollout', async (t) => {
  t.same(mappingSystems.map((r) => [r.file, r.reg.id]), [['30-so-khdt.json', 'so-khdt'], ['31-so-tu-phap.json', 'so-tu-phap']]);
  const rollout = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config', 'rollout.json'), 'utf8')) as { entries: Json[] };
  for (const { reg } of mappingSystems) {
    t.equal(reg.mapping, null, `${reg.id}: the document lives in ${reg.id}/mapping.json`);
    t.equal(reg.credentials, 'manual', `${reg.id}: no key until an administrator switches it on`);
    t.match(reg.comment, /PLACEHOLDER/, `${reg.id}: its placeholder agency code is said to be one`);
    t.ok(rollout.entries.some((e) => e.systemId === reg.id && e.order <= 2), `${reg.id}: linked from the rollout registry`);
  }
  const agencies = registrations.flatMap((r) => (r.reg.agencies as (string | Json)[]).map((a) => [r.reg.id, typeof a === 'string' ? a : a.code]));
  t.same(agencies.filter(([, c]) => c === '000.00.10.H12' || c === '000.00.12.H12'), [['so-khdt', '000.00.10.H12'], ['so-tu-phap', '000.00.12.H12']],
    'the two placeholder codes of §19, used by no other shipped system');
});

for (const { reg } of mappingSystems) {
  const id = reg.id as string;
  t.test(`${id}: the activation suite over the shipped mapping and samples`, async (t) => {
    const doc = JSON.parse(readFileSync(path.join(SYSTEMS, id, 'mapping.json'), 'utf8')) as Json;
    const document = JSON.stringify(doc);
    const c = compileMapping(document);
    t.ok(c.ok, 'schema and compile');
    if (!c.ok) return;
    t.same(c.compiled.warnings, [], 'no warnings');
    const samples = samplesOf(id);
    t.ok(samples.length >= 2, `${samples.length} samples`);
    t.ok(samples.some((s) => (s.expected as Json).items?.some((i: Json) => i.ok === false)), 'an invalid sample pins its errors down');
    const suite = withNoIo(() => activationSuite(samples, document, c.compiled.sha256, false));
    t.same(suite.failures, [], 'no check fails');
    const state = Object.fromEntries(suite.checks.map((x) => [x.check, x.state]));
    t.match(state, { schema: 'pass', samples: 'pass', roundTrip: 'pass' });
    for (const x of suite.checks) t.not(x.state, 'fail', `${x.check}: ${x.detail}`);

    // Coverage: every rule matched something in some sample; every native leaf read or ignored.
    const matched = new Set<string>();
    for (const s of samples) {
      const r = withNoIo(() => dryRun(c.compiled, s.payload, s.contentType, { trace: true, encode: false }));
      t.ok(r.ok && !r.answer.refused, `${s.name}: decoded`);
      if (!r.ok) continue;
      for (const it of r.answer.items) {
        t.same(it.unread, [], `${s.name} item ${it.index}: every native leaf is read or ignored`);
        for (const row of it.trace ?? []) if (row.raw !== undefined || row.value !== undefined) matched.add(row.rule);
      }
    }
    const rules = rulePointers(doc);
    t.ok(rules.length > 20, `${rules.length} rules`);
    t.same(rules.filter((p) => !matched.has(p)), [], 'every rule matched something in some sample');
  });
}

t.test('the coverage check fails when a rule matches nothing or a leaf is left unread', async (t) => {
  const doc = JSON.parse(readFileSync(path.join(SYSTEMS, 'so-khdt', 'mapping.json'), 'utf8')) as Json;
  doc.fields['extensions.khdt.website'] = { from: 'doanhNghiep/website' };
  delete doc.fields['extensions.khdt.industries'];
  const c = compileMapping(doc);
  t.ok(c.ok);
  if (!c.ok) return;
  const r = dryRun(c.compiled, readFileSync(path.join(SYSTEMS, 'so-khdt', 'samples', 'khdt.json')), 'application/json', { trace: true, encode: false });
  t.ok(r.ok);
  if (!r.ok) return;
  const item = r.answer.items[0]!;
  t.same(item.unread, ['/hoSo/doanhNghiep/nganhNghe'], 'the leaf no rule reads');
  const matched = new Set((item.trace ?? []).filter((x) => x.raw !== undefined || x.value !== undefined).map((x) => x.rule));
  t.same(rulePointers(doc).filter((p) => !matched.has(p)), ['/ref/code', '/fields/extensions.khdt.website'], 'the rules that match nothing in this sample');
});
