// mapping.md §17 checks 4 and 5 as pure functions: the hostile corpus of a mapping's format (built from its paths)
// throws nothing but AdapterError through a correct mapping; the mutation fuzz list is deterministic (samples by
// id, leaves in document order, drop → blank → retype; XML has no retype) and capped at 300; the outcome classifier
// and the native-path check say what fails.
import t from 'tap';
import { AdapterError } from '../../../adapters/kit/contract.js';
import { checkFuzz, checkHostile, classifyThrow, fuzzMutations, hostileCorpus, nativePathAccounted, FUZZ_CAP, type FuzzSample } from '../../../adapters/kit/mapping/suite-checks.js';
import { checksOf, runSuite } from '../../../src/mappings/suite.js';
import { compiled, mappingDoc, sample } from './helpers.js';

const KHDT = compiled(mappingDoc('so-khdt'));
const STP = compiled(mappingDoc('so-tu-phap'));
const khdtBody = sample('so-khdt', 'khdt.json');
const stpBody = sample('so-tu-phap', 'stp.xml');
const json = (id: string, body: Buffer | string, name = id): FuzzSample => ({ id, name, contentType: 'application/json', payload: Buffer.from(body) });
const xml = (id: string, body: Buffer | string, name = id): FuzzSample => ({ id, name, contentType: 'application/xml', payload: Buffer.from(body) });

t.test('the hostile corpus covers §17 check 4 per format and a correct mapping passes it', async (t) => {
  for (const [label, c, must] of [
    ['json', KHDT, ['__proto__ key', 'deep nesting in the item', 'a list of 20,000 steps', 'wrong types: objects', 'blank values', 'a 1 MiB string']],
    ['xml', STP, ['billion laughs', 'external entity', '__proto__ element', 'deep nesting in the item', 'a list of 20,000 steps', 'wrong types: repeated elements', 'blank values', 'a 1 MiB value']],
  ] as const) {
    const corpus = hostileCorpus(c.plan);
    const names = corpus.map((x) => x.name);
    for (const n of must) t.ok(names.includes(n), `${label}: ${n}`);
    const big = corpus.find((x) => x.name.startsWith('a 1 MiB'))!;
    t.ok(Buffer.byteLength(big.body as string) > 1 << 20, `${label}: the 1 MiB payload holds 1 MiB`);
    const r = checkHostile(c);
    t.equal(r.count, corpus.length);
    t.ok(r.count >= 25, `${label}: ${r.count} hostile payloads`);
    t.same(r.failures, [], `${label}: nothing but AdapterError`);
  }
  // The payloads are shaped by the mapping: the skeleton reaches the mapping's own paths.
  const skeleton = JSON.parse(String(hostileCorpus(KHDT.plan)[0]!.body));
  t.equal(typeof skeleton.hoSo.soHoSo, 'string', 'a value at ref.localCode\'s path');
  t.ok(Array.isArray(skeleton.hoSo.quaTrinh), 'a list rule\'s element');
  const twentyK = JSON.parse(String(hostileCorpus(KHDT.plan).find((x) => x.name === 'a list of 20,000 steps')!.body));
  t.equal(twentyK.hoSo.quaTrinh.length, 20_000);
});

t.test('classifyThrow: AdapterError or nothing is fine, anything else is the failure', async (t) => {
  t.equal(classifyThrow(() => 1), undefined);
  t.equal(classifyThrow(() => { throw new AdapterError('HUB_VALIDATION', 'bad', []); }), undefined);
  t.match(classifyThrow(() => { throw new TypeError('x is undefined'); }), /^threw TypeError: x is undefined/);
  t.match(classifyThrow(() => { throw new RangeError('Maximum call stack size exceeded'); }), /RangeError/);
});

t.test('the fuzz list: samples by id, leaves in document order, drop, blank, retype; deterministic; first 300', async (t) => {
  const small = json('b', '{"hoSo":{"soHoSo":"A-1","n":3,"x":{"y":true}}}');
  const list = fuzzMutations('json', [small, json('a', '{"k":"v"}')]);
  t.same(list.map((m) => [m.sampleId, m.leaf, m.op]), [
    ['a', '/k', 'drop'], ['a', '/k', 'blank'], ['a', '/k', 'retype'],
    ['b', '/hoSo/soHoSo', 'drop'], ['b', '/hoSo/soHoSo', 'blank'], ['b', '/hoSo/soHoSo', 'retype'],
    ['b', '/hoSo/n', 'drop'], ['b', '/hoSo/n', 'blank'], ['b', '/hoSo/n', 'retype'],
    ['b', '/hoSo/x/y', 'drop'], ['b', '/hoSo/x/y', 'blank'], ['b', '/hoSo/x/y', 'retype'],
  ]);
  t.same(list.map((m) => m.body.toString()).slice(3, 9), [
    '{"hoSo":{"n":3,"x":{"y":true}}}', '{"hoSo":{"soHoSo":"","n":3,"x":{"y":true}}}', '{"hoSo":{"soHoSo":12,"n":3,"x":{"y":true}}}',
    '{"hoSo":{"soHoSo":"A-1","x":{"y":true}}}', '{"hoSo":{"soHoSo":"A-1","n":"","x":{"y":true}}}', '{"hoSo":{"soHoSo":"A-1","n":"3","x":{"y":true}}}',
  ], 'a string becomes a number, anything else a string');

  const samples = [json('02', khdtBody, 'second'), json('01', khdtBody.toString().replace('KHDT-2026-004512', 'KHDT-2026-000001'), 'first')];
  const a = fuzzMutations('json', samples);
  const b = fuzzMutations('json', [...samples].reverse());
  t.equal(a.length, FUZZ_CAP, 'capped at 300');
  t.same(a.map((m) => [m.sampleId, m.leaf, m.op, m.body.toString('base64')]), b.map((m) => [m.sampleId, m.leaf, m.op, m.body.toString('base64')]), 'the same list, whatever the input order');
  t.equal(a[0]!.sampleId, '01', 'samples by id');
  t.ok(fuzzMutations('json', [json('01', khdtBody)], 1000).length < 2 * FUZZ_CAP, 'one sample holds fewer than 600 mutations');
  t.equal(fuzzMutations('json', [json('01', khdtBody)], 10).length, 10, 'the cap is the first N');

  const x = fuzzMutations('xml', [xml('1', '<R a="1"><B>t</B><B> </B><C b=""/></R>')]);
  t.same(x.map((m) => [m.leaf, m.op, m.body.toString()]), [
    ['/R/@a', 'drop', '<R><B>t</B><B> </B><C b=""/></R>'], ['/R/@a', 'blank', '<R a=""><B>t</B><B> </B><C b=""/></R>'],
    ['/R/B[1]', 'drop', '<R a="1"><B> </B><C b=""/></R>'], ['/R/B[1]', 'blank', '<R a="1"><B></B><B> </B><C b=""/></R>'],
  ], 'XML: attributes and non-blank texts, drop then blank, no retype');
  t.same(fuzzMutations('json', [json('1', '{not json')]), [], 'a sample refused whole has no leaves');
});

t.test('a correct mapping passes the fuzz with real counts, and the native-path check catches a stray path', async (t) => {
  const k = checkFuzz(KHDT, [json('1', khdtBody, 'khdt'), json('2', sample('so-khdt', 'khdt-broken.json'), 'broken')]);
  t.equal(k.count, FUZZ_CAP);
  t.same(k.failures, []);
  const s = checkFuzz(STP, [xml('1', stpBody, 'stp')]);
  t.ok(s.count > 50 && s.count < FUZZ_CAP, `${s.count} XML mutations`);
  t.same(s.failures, []);
  t.same(checkFuzz(KHDT, []), { count: 0, failures: [] }, 'no samples: vacuous');

  const dropped = Buffer.from(JSON.stringify({ hoSo: { thuTuc: {} } }));
  t.ok(nativePathAccounted(KHDT.plan, dropped, '/hoSo/thuTuc'), 'exists');
  t.ok(nativePathAccounted(KHDT.plan, dropped, '/hoSo/soHoSo'), 'missing, but where ref.localCode looks');
  t.notOk(nativePathAccounted(KHDT.plan, dropped, '/hoSo/nowhere'), 'neither in the payload nor read by a rule');
  t.notOk(nativePathAccounted(KHDT.plan, dropped, '/other/soHoSo'), 'a rule\'s path under a node that is not there');
  t.ok(nativePathAccounted(STP.plan, stpBody, '/GoiTinHoSo/HoSo/1/@soHoSo'), 'XML, 1-based index');
  t.notOk(nativePathAccounted(STP.plan, stpBody, '/GoiTinHoSo/HoSo/9/@soHoSo'), 'XML, no 9th item');
});

t.test('checksOf: pass/fail for hostile and fuzz, forced, vacuous fuzz', async (t) => {
  const doc = JSON.stringify(mappingDoc('so-khdt'));
  const report = runSuite({ samples: [{ id: '1', name: 'khdt', contentType: 'application/json', payload: khdtBody, payloadSha256: 'x'.repeat(64), expected: { items: [] } }], document: doc, sha256: KHDT.sha256 });
  const ok = checksOf({ ...report, failures: report.failures.filter((f) => f.check !== 'samples') }, false).checks;
  t.match(ok.find((c) => c.check === 'hostile'), { state: 'pass', detail: /^\d+ hostile payloads$/ });
  const n = fuzzMutations('json', [json('1', khdtBody)]).length;
  t.ok(n > 100 && n < FUZZ_CAP, `one sample: ${n} mutations, fewer than the cap`);
  t.match(ok.find((c) => c.check === 'fuzz'), { state: 'pass', detail: `${n} mutations` });
  const failing = { counts: report.counts, failures: [{ check: 'hostile', message: 'hostile payload "x": threw TypeError: boom' }] };
  t.match(checksOf(failing, false).checks.find((c) => c.check === 'hostile'), { state: 'fail', detail: /1 failed/ });
  t.equal(checksOf(failing, true).checks.find((c) => c.check === 'hostile')!.state, 'forced');
  t.equal(checksOf({ counts: { samples: 0, items: 0, hostile: 30, fuzz: 0 }, failures: [] }, false).checks.find((c) => c.check === 'fuzz')!.state, 'skipped');
  t.equal(report.threadId, 0, 'runSuite in this thread says so');
});
