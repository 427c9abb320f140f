// Issue 11, rollout registry: 19 seed entries loaded once, states derived on read, traffic counted, and PATCH
// with every check of api.md, all or nothing.
import t from 'tap';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, dossier, startHub, type TestHub } from '../helpers/hub.js';

const SHIPPED = new URL('../../config/rollout.json', import.meta.url).pathname;
const admin = (hub: TestHub, method: 'GET' | 'PATCH', url: string, payload?: object) =>
  hub.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload ? { payload } : {}) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function hubWithRollout(t: { teardown(fn: () => unknown): void }, dir?: string) {
  const base = dir ?? mkdtempSync(path.join(tmpdir(), 'hub-rollout-'));
  mkdirSync(path.join(base, 'config'), { recursive: true });
  copyFileSync(SHIPPED, path.join(base, 'config', 'rollout.json'));
  const hub = await startHub({ dataDir: path.join(base, 'data'), configDir: path.join(base, 'config') });
  if (!dir) t.teardown(() => rmSync(base, { recursive: true, force: true }));
  return { hub, base };
}

t.test('the seed: 19 entries in the conclusion order, loaded once, audited by hub', async (t) => {
  const { hub, base } = await hubWithRollout(t);
  const r = (await admin(hub, 'GET', '/v1/admin/rollout')).json();
  t.equal(r.items.length, 19);
  t.match(r.source, /2015/);
  t.same(r.items.slice(0, 3).map((e: { id: string }) => e.id), ['so-khdt', 'so-tu-phap', 'cuc-thue']);
  t.same(r.items.map((e: { order: number }) => e.order), Array.from({ length: 19 }, (_, i) => i + 1));
  t.match(r.items[0], { department: 'Sở Kế hoạch và Đầu tư', origin: 'seed', successor: null, systemId: 'so-khdt', targetDate: '2015-07-31', state: 'planned', stateDetail: 'system so-khdt is not registered' });
  t.match(r.items[7], { id: 'so-xay-dung', systemId: 'so-xay-dung', note: /xay-dung-soap/ });
  t.match(r.items[8], { id: 'so-tnmt', note: /tnmt-xml/ });
  t.match(r.items[2], { state: 'planned', stateDetail: 'no system linked', systemId: null, note: null });
  t.equal(r.items[18].id, 'bql-kcn');
  const seed = (await admin(hub, 'GET', '/v1/admin/audit?action=rollout.seed')).json().items;
  t.match(seed, [{ actor: 'hub', action: 'rollout.seed', detail: { entries: 19 } }]);
  t.ok((await admin(hub, 'PATCH', '/v1/admin/rollout', { entries: [{ id: 'so-y-te', order: 30 }] })).statusCode === 200);
  await hub.close();
  const again = await startHub({ dataDir: path.join(base, 'data'), configDir: path.join(base, 'config') });
  t.teardown(() => again.close());
  const r2 = (await admin(again, 'GET', '/v1/admin/rollout')).json();
  t.equal(r2.items.find((e: { id: string }) => e.id === 'so-y-te').order, 30, 'the store is the truth after the first start');
  t.equal((await admin(again, 'GET', '/v1/admin/audit?action=rollout.seed')).json().items.length, 1, 'seeded once');
});

t.test('states and traffic', async (t) => {
  const { hub } = await hubWithRollout(t);
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'so-tnmt', agencies: ['000.00.15.H12'] });
  t.equal((await hub.post('so-tnmt', key, dossier())).statusCode, 202);
  t.equal((await hub.post('so-tnmt', key, dossier({ code: '000.00.15.H12-261127-0008', receiptNumber: 'VPDK-0008' }))).statusCode, 202);
  t.match((await hub.post('so-tnmt', key, dossier())).json(), { duplicate: true }, 'a duplicate');
  t.equal((await hub.post('so-tnmt', key, dossier({ status: 99 }))).statusCode, 422, 'refused');
  await sleep(1300);
  const entry = (await admin(hub, 'GET', '/v1/admin/rollout')).json().items.find((e: { id: string }) => e.id === 'so-tnmt');
  t.match(entry, { state: 'mapping-draft', traffic: { windowDays: 30, accepted: 2, refused: 1, duplicates: 1, lastSeenAt: String, total: { accepted: 2, refused: 1 } } });
  await hub.app.inject({ method: 'DELETE', url: '/v1/admin/systems/so-tnmt', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const retired = (await admin(hub, 'GET', '/v1/admin/rollout')).json().items.find((e: { id: string }) => e.id === 'so-tnmt');
  t.match(retired, { state: 'planned', stateDetail: 'system so-tnmt is retired', traffic: { accepted: 2 } }, 'a retired system: planned, its counters kept');
});

t.test('PATCH: every check, all or nothing, mergers as successors', async (t) => {
  const { hub } = await hubWithRollout(t);
  t.teardown(() => hub.close());
  const before = (await admin(hub, 'GET', '/v1/admin/rollout')).json();
  const refused = async (entries: object[], path: string) => {
    const res = await admin(hub, 'PATCH', '/v1/admin/rollout', { entries });
    t.equal(res.statusCode, 422, path);
    t.equal(res.json().code, 'HUB_VALIDATION');
    t.ok(res.json().errors.some((e: { path: string }) => e.path === path), `${path} named: ${res.body}`);
  };
  await refused([{ id: 'so-khdt', order: 20 }], '/entries/0/order'); // orders 1–7 are fixed
  await refused([{ id: 'so-y-te', targetDate: '2015-09-30' }, { id: 'so-tttt', order: 11 }], '/entries/1/order'); // not unique
  await refused([{ id: 'so-y-te', order: 0 }], '/entries/0/order');
  await refused([{ id: 'so-y-te', targetDate: '2015-02-30' }], '/entries/0/targetDate');
  await refused([{ id: 'so-y-te' }, { id: 'so-gtvt', successor: 'nowhere' }], '/entries/1/successor');
  await refused([{ id: 'so-y-te', successor: 'so-y-te' }], '/entries/0/successor');
  await refused([{ id: 'so-y-te', successor: 'so-gddt' }, { id: 'so-gddt', successor: 'so-y-te' }], '/entries/1/successor'); // a cycle
  await refused([{ id: 'thue-tinh', department: 'Thuế tỉnh' }], '/entries/0/order'); // a new entry needs order
  await refused([{ id: 'Bad Id', department: 'x', order: 40 }], '/entries/0/id');
  await refused([{ id: 'so-y-te', note: 'ok' }, { id: 'so-y-te', note: 'twice' }], '/entries/1/id');
  t.same((await admin(hub, 'GET', '/v1/admin/rollout')).json().items.map((e: { id: string; order: number; note: string | null }) => [e.id, e.order, e.note]),
    before.items.map((e: { id: string; order: number; note: string | null }) => [e.id, e.order, e.note]), 'nothing changed by the refused patches');

  // The 2025 mergers, recorded by the province; a new entry; orders 8–19 reordered (swapped within one patch).
  const res = await admin(hub, 'PATCH', '/v1/admin/rollout', { entries: [
    { id: 'so-khdt', successor: 'so-tai-chinh' },
    { id: 'so-ldtbxh', successor: 'so-noi-vu' },
    { id: 'so-nn-mt', department: 'Sở Nông nghiệp và Môi trường', order: 20, targetDate: '2025-07-01' },
    { id: 'so-nnptnt', successor: 'so-nn-mt' },
    { id: 'so-tnmt', successor: 'so-nn-mt' },
    { id: 'so-gtvt', successor: 'so-xay-dung' },
    { id: 'thue-tinh', department: 'Thuế tỉnh', order: 21 },
    { id: 'cuc-thue', successor: 'thue-tinh', note: 'Cục Thuế became Thuế tỉnh' },
    { id: 'so-y-te', order: 12 }, { id: 'so-gddt', order: 11 },
  ] });
  t.equal(res.statusCode, 200, res.body);
  const items = res.json().items;
  t.equal(items.length, 21, 'entries may be added');
  t.match(items.find((e: { id: string }) => e.id === 'so-nn-mt'), { origin: 'province', order: 20, state: 'planned' });
  t.match(items.find((e: { id: string }) => e.id === 'so-khdt'), { successor: 'so-tai-chinh', order: 1 });
  t.equal(items.find((e: { id: string }) => e.id === 'so-y-te').order, 12);
  const cleared = (await admin(hub, 'PATCH', '/v1/admin/rollout', { entries: [{ id: 'cuc-thue', note: null, successor: null }] })).json();
  t.match(cleared.items.find((e: { id: string }) => e.id === 'cuc-thue'), { note: null, successor: null }, 'null clears');
  const audit = (await admin(hub, 'GET', '/v1/admin/audit?action=rollout.update')).json().items;
  const ok = audit.filter((e: { detail: { status?: number } }) => !e.detail.status);
  t.equal(ok.length, 2);
  t.match(ok[1].detail.entries[0], { id: 'cuc-thue', before: { note: 'Cục Thuế became Thuế tỉnh', successor: 'thue-tinh' }, after: { note: null, successor: null } });
  t.match(ok[0].detail.entries.find((e: { id: string }) => e.id === 'so-nn-mt'), { before: null, after: { order: 20 } });
});
