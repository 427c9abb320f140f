// GET /v1/admin/dossiers/{code}: the console's dossier read with the administrator's credential — by national
// code or by a local number (altCodes), with the timeline and the DVCQG item; a system key is refused; the
// read is audited as dossier.read with the code as target and no personal data.
import t from 'tap';
import { startHub, dossier, ADMIN_TOKEN } from '../helpers/hub.js';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

t.test('look up by code and by local number; timeline, DVCQG, audit', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'canon', agencies: ['000.00.15.H12'] });
  const code = '000.00.15.H12-261127-0007';
  t.equal((await hub.post('canon', key, dossier({ altCodes: [{ system: 'canon', code: 'VPDK-LOCAL-7' }] }))).statusCode, 202);
  t.equal((await hub.post('canon', key, dossier({ status: 4, steps: [{ at: '2026-11-27T08:15:00+07:00', status: 2 }, { at: '2026-11-28T08:00:00+07:00', status: 4 }] }))).statusCode, 202);

  const byCode = await hub.app.inject({ method: 'GET', url: `/v1/admin/dossiers/${code}`, headers: admin });
  t.equal(byCode.statusCode, 200, byCode.body);
  const a = byCode.json();
  t.match(a, { code, matchedBy: 'code', system: null, dossier: { code, revision: 2, status: 4 } });
  t.same(a.events.map((e: { revision: number }) => e.revision), [1, 2], 'the timeline of revisions');
  t.same(a.revisions.map((r: { revision: number; source: string }) => [r.revision, r.source]), [[1, 'canon'], [2, 'canon']]);
  t.match(a.revisions[0].decodedBy, { adapter: 'canonical' }, 'which adapter decoded each revision');
  t.same(a.deliveries, [], 'no subscriber, no delivery');
  t.equal(a.dvcqg.MaHoSo, code, 'the DVCQG item of the dossier');
  t.equal(a.dossier.applicant.name, 'Lê Văn Cường');

  const byLocal = await hub.app.inject({ method: 'GET', url: '/v1/admin/dossiers/VPDK-LOCAL-7', headers: admin });
  t.equal(byLocal.statusCode, 200, byLocal.body);
  t.match(byLocal.json(), { code, matchedBy: 'localCode', system: 'canon' }, 'a local number finds its dossier');
  const scoped = await hub.app.inject({ method: 'GET', url: '/v1/admin/dossiers/VPDK-LOCAL-7?system=canon', headers: admin });
  t.match(scoped.json(), { code, matchedBy: 'localCode', system: 'canon' });

  const missing = await hub.app.inject({ method: 'GET', url: '/v1/admin/dossiers/KHONG-CO', headers: admin });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'HUB_NOT_FOUND');
  const noSystem = await hub.app.inject({ method: 'GET', url: '/v1/admin/dossiers/VPDK-LOCAL-7?system=khong-co', headers: admin });
  t.equal(noSystem.statusCode, 404);
  t.equal(noSystem.json().errors[0].path, 'query:/system', 'the field at fault');

  const withKey = await hub.app.inject({ method: 'GET', url: `/v1/admin/dossiers/${code}`, headers: { authorization: `Bearer ${key}` } });
  t.equal(withKey.statusCode, 403, 'a system key does not read through the admin route');
  const anonymous = await hub.app.inject({ method: 'GET', url: `/v1/admin/dossiers/${code}` });
  t.equal(anonymous.statusCode, 401);

  const audit = await hub.app.inject({ method: 'GET', url: '/v1/admin/audit?action=dossier.read', headers: admin });
  const entries = audit.json().items as { actor: string; target: string | null; detail: unknown }[];
  t.same(entries.map((e) => e.target), [code, code, code, null, null], 'each read audited with the code it found');
  t.ok(entries.every((e) => e.actor === 'admin'));
  t.notOk(JSON.stringify(entries).includes('Lê Văn Cường') || JSON.stringify(entries).includes('079085001122'), 'no personal data in the audit log');
});

t.test('a local number used by two systems asks which', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const k1 = await hub.register({ id: 'sys-a', agencies: ['000.00.15.H12'] });
  const k2 = await hub.register({ id: 'sys-b', agencies: ['000.00.16.H12'] });
  t.equal((await hub.post('sys-a', k1, dossier({ altCodes: [{ system: 'sys-a', code: 'SO-1' }] }))).statusCode, 202);
  t.equal((await hub.post('sys-b', k2, dossier({
    code: '000.00.16.H12-261127-0001', agency: { code: '000.00.16.H12', level: 'province' }, altCodes: [{ system: 'sys-b', code: 'SO-1' }],
  }))).statusCode, 202);
  const both = await hub.app.inject({ method: 'GET', url: '/v1/admin/dossiers/SO-1', headers: admin });
  t.equal(both.statusCode, 400);
  t.equal(both.json().code, 'HUB_QUERY_INVALID');
  t.equal(both.json().errors[0].path, 'query:/system');
  const one = await hub.app.inject({ method: 'GET', url: '/v1/admin/dossiers/SO-1?system=sys-b', headers: admin });
  t.equal(one.json().code, '000.00.16.H12-261127-0001');
});
