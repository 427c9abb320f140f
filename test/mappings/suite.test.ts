// Issue 11, the activation suite over HTTP (mapping.md §17, api.md "Mapping versions", "Systems", "Dry-run"):
// checks 4 and 5 answer pass with their counts; the suite runs in a worker thread while /healthz answers; the
// worker closes with the hub; a PATCH with `mapping` is PUT …/mapping with activate (409 applies nothing else);
// the dry-run with system and a candidate mapping says which samples it reproduces.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, startHub, type TestHub } from '../helpers/hub.js';
import { compileMapping } from '../../adapters/kit/mapping/compile.js';
import { sha256Hex } from '../../src/util/canonical-json.js';

const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;
const read = (p: string) => readFileSync(`${SYSTEMS}${p}`, 'utf8');
const KHDT = JSON.parse(read('so-khdt/mapping.json')) as Record<string, any>;
const admin = (hub: TestHub, method: string, url: string, payload?: unknown) =>
  hub.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
const registration = (over: Record<string, unknown> = {}) => ({
  id: 'so-khdt', name: 'Sở KHĐT', adapter: 'mapping', role: 'source', level: 'province', agencies: ['000.00.10.H12'],
  delivery: { mode: 'none' }, subscriptions: [], mapping: KHDT, ...over,
});
/** A version whose status table moves DANG_XU_LY: the approved sample no longer reproduces. */
const breaking = () => {
  const v = structuredClone(KHDT);
  v.tables.trangThai.entries = v.tables.trangThai.entries.map(([k, n]: [string, number]) => [k, k === 'DANG_XU_LY' ? 5 : n === 5 ? 4 : n]);
  return v;
};
type CheckRow = { check: string; state: string; detail: string };
const check = (checks: CheckRow[], name: string) => checks.find((c) => c.check === name)!;

t.test('checks 4 and 5 pass with their counts; fuzz is vacuous without samples', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', registration())).statusCode, 201);

  const bare = await admin(hub, 'PUT', '/v1/admin/systems/so-khdt/mapping', { mapping: { ...KHDT, name: 'no samples yet' } });
  t.equal(bare.statusCode, 201, bare.body);
  t.match(check(bare.json().checks, 'hostile'), { state: 'pass', detail: /^\d+ hostile payloads$/ });
  t.ok(Number(/^\d+/.exec(check(bare.json().checks, 'hostile').detail)![0]) >= 25, 'the whole corpus ran');
  t.same(check(bare.json().checks, 'fuzz'), { check: 'fuzz', state: 'skipped', detail: 'no samples to mutate' });

  for (const name of ['khdt', 'khdt-broken']) {
    const s = await admin(hub, 'POST', '/v1/admin/systems/so-khdt/samples', { name, contentType: 'application/json', payload: read(`so-khdt/samples/${name}.json`) });
    t.equal(s.statusCode, 201, s.body);
  }
  const v3 = await admin(hub, 'PUT', '/v1/admin/systems/so-khdt/mapping', { mapping: { ...KHDT, name: 'with samples' } });
  t.equal(v3.statusCode, 201, v3.body);
  const checks = v3.json().checks as CheckRow[];
  t.same(checks.map((c) => [c.check, c.state]), [['schema', 'pass'], ['samples', 'pass'], ['roundTrip', 'pass'], ['hostile', 'pass'], ['fuzz', 'pass']]);
  t.equal(check(checks, 'fuzz').detail, '300 mutations', 'two samples hold more than 300: the first 300 ran');
  const act = await admin(hub, 'POST', '/v1/admin/systems/so-khdt/mappings/1/activate', {});
  t.equal(act.statusCode, 200, act.body);
  t.match(check(act.json().checks, 'hostile'), { state: 'pass' });
  t.equal(check(act.json().checks, 'fuzz').detail, '300 mutations');
});

t.test('the suite runs in a worker thread: /healthz answers while it runs; the worker closes with the hub', async (t) => {
  const hub = await startHub();
  let closed = false;
  t.teardown(() => (closed ? undefined : hub.close()));
  const doc = { ...KHDT, name: `worker ${Date.now()}` };
  const c = compileMapping(doc);
  if (!c.ok) throw new Error('the mapping compiles');
  const base = read('so-khdt/samples/khdt.json');
  const samples = Array.from({ length: 12 }, (_, i) => {
    const payload = Buffer.from(base.replace('KHDT-2026-004512', `KHDT-2026-${String(i).padStart(6, '0')}`));
    return { id: String(i).padStart(3, '0'), name: `s${i}`, contentType: 'application/json', payload, payloadSha256: sha256Hex(payload), expected: { items: [] } };
  });
  let done = false;
  const run = hub.ctx.suite.run({ samples, document: JSON.stringify(doc), sha256: c.compiled.sha256 }).finally(() => { done = true; });
  let answeredWhileRunning = 0;
  const statuses = new Set<number>();
  while (!done) {
    const h = await hub.app.inject({ method: 'GET', url: '/healthz' });
    statuses.add(h.statusCode);
    if (!done) answeredWhileRunning++;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.same([...statuses], [200]);
  const report = await run;
  t.ok(answeredWhileRunning > 0, `/healthz answered ${answeredWhileRunning} time(s) while the suite ran`);
  t.not(report.threadId, 0, 'not the main thread');
  t.equal(report.counts.samples, 12);
  t.equal(report.counts.fuzz, 300);
  t.equal(report.failures.filter((f) => f.check === 'hostile' || f.check === 'fuzz').length, 0);

  await hub.close();
  closed = true;
  await t.rejects(hub.ctx.suite.run({ samples: [], document: JSON.stringify(doc), sha256: c.compiled.sha256 }), /closed/, 'closed with the hub');
});

t.test('an idle worker does not keep the process alive (node --import tsx, as npm start runs)', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'suite-exit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const runner = new URL('../../src/mappings/suite-runner.ts', import.meta.url).pathname;
  const script = path.join(dir, 'run.mts'); // ESM outside the project's package.json
  writeFileSync(script, `import { SuiteRunner } from ${JSON.stringify(runner)};
const doc = ${JSON.stringify(JSON.stringify(KHDT))};
const { compileMapping } = await import(${JSON.stringify(new URL('../../adapters/kit/mapping/compile.ts', import.meta.url).pathname)});
const c = compileMapping(doc);
const r = await new SuiteRunner().run({ samples: [], document: doc, sha256: c.compiled.sha256 });
console.log(JSON.stringify({ threadId: r.threadId, hostile: r.counts.hostile }));
`);
  // No close(): the process must end by itself once the run is answered (a timeout kill would be a leaked thread).
  const out = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8', timeout: 90_000 });
  t.equal(out.signal, null, 'not killed by the timeout');
  t.equal(out.status, 0, out.stderr);
  const answer = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
  t.not(answer.threadId, 0, 'answered by the worker thread');
  t.ok(answer.hostile >= 25);
});

t.test('PATCH with mapping is PUT …/mapping with activate: true', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const url = '/v1/admin/systems/so-khdt';
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', registration())).statusCode, 201);
  t.equal((await admin(hub, 'POST', `${url}/samples`, { name: 'khdt', contentType: 'application/json', payload: read('so-khdt/samples/khdt.json') })).statusCode, 201);

  // A version that fails the suite: stored inactive, nothing else of the patch applied, 409.
  const failing = await admin(hub, 'PATCH', url, { name: 'Renamed', mapping: breaking() });
  t.equal(failing.statusCode, 409, failing.body);
  t.equal(failing.json().code, 'HUB_MAPPING_CONFORMANCE');
  t.equal(failing.json().version, 2);
  t.equal(failing.json().failures[0].check, 'samples');
  let shown = (await admin(hub, 'GET', url)).json();
  t.equal(shown.name, 'Sở KHĐT', 'the other members are not applied');
  t.same([shown.mapping.activeVersion, shown.mapping.versions], [1, 2], 'version 2 stored, inactive');

  // An invalid mapping: 422, nothing stored, nothing applied.
  const invalid = await admin(hub, 'PATCH', url, { name: 'Renamed', mapping: { language: 'lgsp-mapping/1' } });
  t.equal(invalid.statusCode, 422);
  t.equal(invalid.json().code, 'HUB_MAPPING_INVALID');
  shown = (await admin(hub, 'GET', url)).json();
  t.same([shown.name, shown.mapping.versions], ['Sở KHĐT', 2]);

  // A passing version: stored, activated, and the rest of the patch applied; the record keeps no document.
  const ok = await admin(hub, 'PATCH', url, { name: 'Renamed', mapping: { ...KHDT, name: 'v3' } });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.json().name, 'Renamed');
  t.same([ok.json().mapping.activeVersion, ok.json().mapping.versions], [3, 3]);
  t.equal(hub.ctx.registry.get('so-khdt')!.mapping, null, 'the document lives in the versions, not the record');
  const audit = (await hub.ctx.store.queryAudit({ action: 'mapping.activate', limit: 10 })).at(-1)!;
  t.match(audit.detail, { after: { version: 3 }, forced: false });

  // A built-in adapter takes no mapping; changing the adapter to mapping needs one.
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', registration({ id: 'undp-xa', adapter: 'undp-motcua', agencies: ['000.12.34.H12'], level: 'commune', mapping: null }))).statusCode, 201);
  const builtIn = await admin(hub, 'PATCH', '/v1/admin/systems/undp-xa', { mapping: KHDT });
  t.equal(builtIn.statusCode, 422);
  t.equal(builtIn.json().errors[0].path, '/mapping');
  const needs = await admin(hub, 'PATCH', '/v1/admin/systems/undp-xa', { adapter: 'mapping' });
  t.equal(needs.statusCode, 422);
  t.equal(needs.json().code, 'HUB_MAPPING_INVALID');
  t.equal(hub.ctx.registry.get('undp-xa')!.adapter, 'undp-motcua', 'unchanged');
  const switched = await admin(hub, 'PATCH', '/v1/admin/systems/undp-xa', { adapter: 'mapping', mapping: KHDT });
  t.equal(switched.statusCode, 200, switched.body);
  t.equal(switched.json().adapter, 'mapping');
  t.equal(switched.json().mapping.activeVersion, 1);
  t.equal((await hub.ctx.store.mappings.listVersions('undp-xa')).active, 1, 'version 1 of the switched system is active');
});

t.test('dry-run with system and a mapping answers samples', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', registration())).statusCode, 201);
  const ids: string[] = [];
  for (const name of ['khdt', 'khdt-broken']) ids.push((await admin(hub, 'POST', '/v1/admin/systems/so-khdt/samples', { name, contentType: 'application/json', payload: read(`so-khdt/samples/${name}.json`) })).json().id);
  const body = { contentType: 'application/json', payload: read('so-khdt/samples/khdt.json') };

  const same = await hub.app.inject({ method: 'POST', url: '/v1/admin/adapters/dry-run', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { ...body, system: 'so-khdt', mapping: KHDT } });
  t.equal(same.statusCode, 200, same.body);
  t.same(same.json().samples, [{ id: ids[0], name: 'khdt', reproduces: true, diff: [] }, { id: ids[1], name: 'khdt-broken', reproduces: true, diff: [] }]);

  const changed = await hub.app.inject({ method: 'POST', url: '/v1/admin/adapters/dry-run', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { ...body, system: 'so-khdt', mapping: breaking() } });
  t.equal(changed.statusCode, 200, changed.body);
  const rows = changed.json().samples as { name: string; reproduces: boolean; diff: { item: number; path: string }[] }[];
  t.same(rows.map((r) => [r.name, r.reproduces]), [['khdt', false], ['khdt-broken', true]]);
  t.same(rows[0]!.diff.map((d) => [d.item, d.path]), [[0, '/change']]);

  const noSystem = await hub.app.inject({ method: 'POST', url: '/v1/admin/adapters/dry-run', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { ...body, mapping: KHDT } });
  t.equal(noSystem.json().samples, undefined, 'only with system and a mapping');
  const stored = await hub.app.inject({ method: 'POST', url: '/v1/admin/adapters/dry-run', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { ...body, system: 'so-khdt' } });
  t.equal(stored.json().samples, undefined, 'not for the stored version');
});
