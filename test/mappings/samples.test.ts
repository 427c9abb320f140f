// Issue 11, samples (api.md "Samples", mapping.md §17): saved with their approved result, a mismatch with
// `expected` is 422 with the diff, the same payload again is the same sample, at most 50, re-approval, delete.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ADMIN_TOKEN, startHub, type TestHub } from '../helpers/hub.js';
import { tempDatabase } from '../helpers/pg.js';

const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;
const read = (p: string) => readFileSync(`${SYSTEMS}${p}`, 'utf8');
const KHDT = JSON.parse(read('so-khdt/mapping.json')) as Record<string, unknown>;
const admin = (hub: TestHub, method: string, url: string, payload?: unknown) =>
  hub.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

t.test('samples of a mapping system', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', { id: 'so-khdt', name: 'x', adapter: 'mapping', role: 'source', level: 'province',
    agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: KHDT })).statusCode, 201);
  const url = '/v1/admin/systems/so-khdt/samples';

  // The shipped expected results match (the one format of expected results).
  const good = await admin(hub, 'POST', url, { name: 'khdt', contentType: 'application/json', payload: read('so-khdt/samples/khdt.json'), expected: JSON.parse(read('so-khdt/samples/khdt.expected.json')) });
  t.equal(good.statusCode, 201, good.body);
  t.equal(good.json().approvedVersion, '1');
  t.equal((await admin(hub, 'POST', url, { name: 'again', contentType: 'application/json', payload: read('so-khdt/samples/khdt.json') })).statusCode, 200, 'same payload: the same sample');
  const broken = await admin(hub, 'POST', url, { name: 'broken', contentType: 'application/json', payload: read('so-khdt/samples/khdt-broken.json'), expected: JSON.parse(read('so-khdt/samples/khdt-broken.expected.json')) });
  t.equal(broken.statusCode, 201, 'an invalid sample pins its refusal down');

  // A mismatch: 422 with the diff, nothing saved.
  const other = JSON.parse(read('so-khdt/samples/khdt.json'));
  other.hoSo.soBienNhan = 'BN-1/2026';
  const wrong = await admin(hub, 'POST', url, { name: 'wrong', contentType: 'application/json', payload: JSON.stringify(other), expected: JSON.parse(read('so-khdt/samples/khdt.expected.json')) });
  t.equal(wrong.statusCode, 422);
  t.equal(wrong.json().code, 'HUB_SAMPLE_MISMATCH');
  t.same(wrong.json().diff.map((d: { item: number; path: string }) => [d.item, d.path]), [[0, '/change']]);

  const list = (await admin(hub, 'GET', url)).json();
  t.same(list.items.map((s: { name: string; ok: boolean; reproduces: boolean }) => [s.name, s.ok, s.reproduces]), [['khdt', true, true], ['broken', false, true]]);
  t.equal(list.items[0].payload, undefined, 'no payloads in the list');
  const one = (await admin(hub, 'GET', `${url}/${good.json().id}`)).json();
  t.equal(one.payload, read('so-khdt/samples/khdt.json'));

  // A new active version that decodes differently: the sample no longer reproduces until re-approved.
  const v2 = structuredClone(KHDT) as { tables: { trangThai: { entries: [string, number][] } } };
  v2.tables.trangThai.entries = v2.tables.trangThai.entries.map(([k, n]) => [k, k === 'DANG_XU_LY' ? 5 : n === 5 ? 4 : n]);
  const refused = await admin(hub, 'PUT', '/v1/admin/systems/so-khdt/mapping', { mapping: v2 });
  t.equal(refused.statusCode, 409, 'the activation suite refuses a version that changes an approved result');
  t.equal(refused.json().code, 'HUB_MAPPING_CONFORMANCE');
  t.equal(refused.json().version, 2);
  t.same(refused.json().failures.map((f: { check: string; sample: { name: string } }) => [f.check, f.sample.name]), [['samples', 'khdt']]);
  t.equal((await admin(hub, 'GET', '/v1/admin/systems/so-khdt/mappings')).json().active, 1, 'stored, inactive');
  t.equal((await admin(hub, 'POST', '/v1/admin/systems/so-khdt/mappings/2/activate', {})).statusCode, 409);
  const forced = await admin(hub, 'POST', '/v1/admin/systems/so-khdt/mappings/2/activate', { force: true });
  t.equal(forced.statusCode, 200, forced.body);
  t.equal(forced.json().checks.find((c: { check: string }) => c.check === 'samples').state, 'forced');
  const forcedAudit = (await hub.ctx.store.queryAudit({ action: 'mapping.activate', limit: 10 })).at(-1)!;
  t.equal((forcedAudit.detail as { forced: boolean }).forced, true, 'audited as forced');
  t.same((await admin(hub, 'GET', url)).json().items.map((s: { reproduces: boolean }) => s.reproduces), [false, true]);
  const approved = await admin(hub, 'POST', `${url}/${good.json().id}/approve`, {});
  t.equal(approved.statusCode, 200, approved.body);
  t.equal(approved.json().approvedVersion, '2');
  t.same((await admin(hub, 'GET', url)).json().items.map((s: { reproduces: boolean }) => s.reproduces), [true, true]);

  t.equal((await admin(hub, 'DELETE', `${url}/${broken.json().id}`)).statusCode, 204);
  t.equal((await admin(hub, 'GET', `${url}/${broken.json().id}`)).statusCode, 404);

  // At most 50.
  for (let i = 0; i < 49; i++) {
    const p = JSON.parse(read('so-khdt/samples/khdt.json'));
    p.hoSo.soBienNhan = `BN-${i}/2026`;
    t.equal((await admin(hub, 'POST', url, { name: `n${i}`, contentType: 'application/json', payload: JSON.stringify(p) })).statusCode, 201);
  }
  const over = await admin(hub, 'POST', url, { name: 'over', contentType: 'application/json', payload: '{"hoSo": {}}' });
  t.equal(over.statusCode, 422);
  t.equal(over.json().code, 'HUB_VALIDATION');
  const acts = (await hub.ctx.store.queryAudit({ action: 'sample.*', limit: 200 })).map((e) => e.action);
  t.ok(acts.includes('sample.add') && acts.includes('sample.approve') && acts.includes('sample.delete'));
});

t.test('a malformed expected result is 422 HUB_VALIDATION at its field, never a 500', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', { id: 'khdt-x', name: 'x', adapter: 'mapping', role: 'source', level: 'province',
    agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: KHDT })).statusCode, 201);
  const url = '/v1/admin/systems/khdt-x/samples';
  const payload = read('so-khdt/samples/khdt-broken.json');
  for (const [expected, field] of [
    [{ items: [{ ok: false }] }, '/expected/items/0'],
    [{ items: [{ ok: false, errors: 5 }] }, '/expected/items/0/errors'],
    [{ items: [{ ok: true, ref: {} }] }, '/expected/items/0'],
    [{ refused: 'x' }, '/expected/refused'],
    [{}, '/expected'],
    [{ refused: { code: 'HUB_X' }, items: [] }, '/expected'],
  ] as const) {
    const res = await admin(hub, 'POST', url, { name: 'bad', contentType: 'application/json', payload, expected });
    t.equal(res.statusCode, 422, `${JSON.stringify(expected)}: ${res.body}`);
    t.equal(res.json().code, 'HUB_VALIDATION');
    t.ok(res.json().errors.some((e: { path: string }) => e.path.startsWith(field)), `${JSON.stringify(expected)} names ${field}: ${JSON.stringify(res.json().errors)}`);
  }
  t.same((await admin(hub, 'GET', url)).json().items, [], 'nothing saved');
});

t.test('the same payload saved by concurrent requests: one sample, every answer 2xx (PostgreSQL, where they interleave)', async (t) => {
  const hub = await startHub({ config: { databaseUrl: await tempDatabase(t), dbPool: 6 } });
  t.teardown(() => hub.close());
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', { id: 'khdt-c', name: 'x', adapter: 'mapping', role: 'source', level: 'province',
    agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: KHDT })).statusCode, 201);
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    admin(hub, 'POST', '/v1/admin/systems/khdt-c/samples', { name: `same-${i}`, contentType: 'application/json', payload: read('so-khdt/samples/khdt.json') })));
  t.same(answers.map((a) => a.statusCode).sort(), [200, 200, 200, 200, 200, 201], answers.map((a) => a.body.slice(0, 120)).join('\n'));
  t.equal(new Set(answers.map((a) => a.json().id)).size, 1, 'one sample');
});
