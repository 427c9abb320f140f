// The UNDP adapter's fixtures through a UNDP mapping (bench/mappings/undp-motcua.json) as the language's regression
// corpus (issue 11, mapping.md §17/§22): the fixtures that must reproduce the built-in's change are listed, and so is
// every known gap of /1 for the rest. A new gap, or a gap that closes, fails this test.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getAdapter } from '../../../adapters/registry.js';
import { loadFixtures, request } from '../../../adapters/kit/conformance.js';
import { AdapterError } from '../../../adapters/kit/contract.js';
import { createMappingAdapter } from '../../../adapters/kit/mapping/adapter.js';
import { MappingItemError } from '../../../adapters/kit/mapping/decode.js';
import { normaliseChange } from '../../../src/dossiers/normalise.js';
import { canonicalJson } from '../../../src/util/canonical-json.js';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { compiled } from './helpers.js';

const GAP = {
  form: 'form-encoded data= body (source.formField, /2)',
  fee: 'le_phi: a scalar made into a one-element fee list named "Lệ phí" (/2)',
  cap: 'an absent cap read as commune with the registry\'s kind (a lookup of a kind, /2); a tinh or huyen cap, which has no kind: a /1 table cannot leave agency.kind absent for some natives',
  emptyList: 'an empty ho_so_dinh_kem: the built-in leaves documents out, /1 writes [] (§7)',
  identifier: 'cmnd: a scalar made into a one-element applicant.identifiers list whose type (cmnd/cccd) follows the digit count (/2, like the fee)',
} as const;

const EXPECTED: Record<string, (keyof typeof GAP)[]> = {
  'bom-crlf.json': ['fee', 'emptyList', 'identifier'],
  'fee-empty-national-code.json': ['cap'],
  'fee-number-9-digit-id.json': ['fee', 'emptyList', 'identifier'],
  'form-plus.form': ['form'],
  'form.form': ['form'],
  'id-separators.json': ['emptyList', 'identifier'],
  'lien-thong-no-reason.json': ['fee', 'emptyList', 'identifier'],
  'loose-order.json': [],
  'minimal.json': ['cap'],
  'nfd-case.json': ['fee', 'emptyList', 'identifier'],
  'no-cap-commune.json': ['cap'],
  'sample-ho-so.json': ['fee', 'emptyList', 'identifier'],
  'sample-lien-thong.json': ['identifier'],
  'single-digit-dates.json': ['fee', 'emptyList', 'identifier'],
  'status-texts.json': ['fee', 'emptyList', 'identifier'],
  'text-plain.txt': ['fee', 'emptyList', 'identifier'],
};

t.test('UNDP fixtures through the UNDP mapping: these reproduce the built-in, the rest show exactly the known gaps', async (t) => {
  const builtIn = getAdapter('undp-motcua')!;
  const mapping = createMappingAdapter(compiled(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'bench/mappings/undp-motcua.json'), 'utf8'))), { version: 1 });
  const got: Record<string, string[]> = {};
  for (const f of loadFixtures('undp-motcua').valid) {
    const req = request(f.body, f.contentType);
    const want = builtIn.decode(req).items[0]!.op as { change: Record<string, unknown>; transfer?: unknown };
    const gaps: string[] = [];
    let item;
    try { item = mapping.decode(req).items[0]!; } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      got[f.name] = [err.code === 'HUB_REQUEST_MALFORMED' && f.name.endsWith('.form') ? 'form' : `thrown ${err.code}`];
      continue;
    }
    if (item.error) {
      const details = (item.error as MappingItemError).details;
      got[f.name] = details.map((d) => (d.native === '/don_vi/cap' ? 'cap' : `${d.code} ${d.native}`));
      continue;
    }
    const op = item.op as { change: Record<string, unknown>; transfer?: unknown };
    const { altCodes: _a, code: _c, ...a } = normaliseChange(want.change);
    const b = normaliseChange(op.change);
    if (canonicalJson(a.fees) !== canonicalJson(b.fees)) gaps.push('fee');
    if (a.documents === undefined && Array.isArray(b.documents) && b.documents.length === 0) gaps.push('emptyList');
    const idsOf = (c: Record<string, any>) => canonicalJson(c.applicant?.identifiers);
    if (idsOf(a) !== idsOf(b)) gaps.push('identifier');
    if (canonicalJson((a.agency as any)?.kind) !== canonicalJson((b.agency as any)?.kind)) gaps.push('kind');
    const strip = (c: Record<string, any>) => {
      const { fees: _f, documents: d, ...rest } = c;
      if (rest.applicant) { const { identifiers: _i, ...ap } = rest.applicant; rest.applicant = ap; }
      if (rest.agency) { const { kind: _k, ...ag } = rest.agency; rest.agency = ag; }
      return { d, rest };
    };
    const { d: d1, rest: restA } = strip(a as Record<string, any>);
    const { d: d2, rest: restB } = strip(b as Record<string, any>);
    if (!gaps.includes('emptyList') && canonicalJson(d1) !== canonicalJson(d2)) gaps.push('documents differ');
    if (canonicalJson(restA) !== canonicalJson(restB)) gaps.push(`differs: ${canonicalJson(restA)} ≠ ${canonicalJson(restB)}`);
    if (canonicalJson(want.transfer) !== canonicalJson(op.transfer)) gaps.push('transfer differs');
    t.same(item.op && 'ref' in item.op ? item.op.ref : null, (builtIn.decode(req).items[0]!.op as { ref: unknown }).ref, `${f.name}: the same ref`);
    got[f.name] = gaps;
  }
  t.same(got, EXPECTED);
  t.comment(`reproduce the built-in: ${Object.entries(got).filter(([, g]) => !g.length).map(([n]) => n).join(', ')}`);
  for (const g of Object.keys(GAP) as (keyof typeof GAP)[]) t.comment(`${g}: ${GAP[g]} — ${Object.entries(got).filter(([, v]) => v.includes(g)).length} fixtures`);
});
