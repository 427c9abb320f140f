// Two-tier levels and routing (canonical.md "Levels", "Codes", "Accepting a change"; domain.md "Levels and liên
// thông"): district only for the three-tier past and never registered, level and kind from the registry, the
// receiving desk fixed at revision 1 with routing.returnTo, transfers never to a district, and code issuing.
import t from 'tap';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startHub, dossier, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';
import { bootstrapSystems } from '../../src/systems/bootstrap.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import type { SystemRecord } from '../../src/store/types.js';

const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const COMMUNE = '000.12.35.H12';
const DEPT = '000.00.15.H12';
let hub: TestHub;
const keys: Record<string, string> = {};

t.before(async () => {
  hub = await startHub();
  keys.phuong = await hub.register({ id: 'undp-phuong', adapter: 'undp-motcua', level: 'commune', agencies: [{ code: COMMUNE, name: 'UBND phường Phú Mỹ', kind: 'phuong', predecessors: ['000.00.34.H12'] }] as never });
  keys.desk = await hub.register({ id: 'desk', level: 'commune', agencies: [{ code: '000.12.36.H12', name: 'Trung tâm phục vụ hành chính công xã Mỹ Xuân', kind: 'xa' }] as never });
  keys.dept = await hub.register({ id: 'dept', agencies: [{ code: DEPT, name: 'Văn phòng Đăng ký đất đai tỉnh' }] as never });
  keys.cong = await hub.register({ id: 'cong', role: 'platform' });
});
t.teardown(() => hub.close());

const register = (reg: Record<string, unknown>) => hub.app.inject({
  method: 'POST', url: '/v1/admin/systems', headers: ADMIN,
  payload: { name: 'x', adapter: 'canonical', role: 'source', level: 'province', agencies: [], delivery: { mode: 'none' }, subscriptions: [], mapping: null, ...reg },
});
const read = (code: string) => hub.get(`/v1/dossiers/${code}`, keys.cong!);
const deskDossier = (n: number, o: Record<string, unknown> = {}) => dossier({
  code: `000.12.36.H12-261127-${String(n).padStart(4, '0')}`, agency: { code: '000.12.36.H12', level: 'commune' }, ...o,
});

t.test('registering a system or an agency at level district is 422 HUB_LEVEL_RETIRED; kind only at commune', async (t) => {
  const sys = await register({ id: 'old-huyen', level: 'district', agencies: ['000.00.37.H12'] });
  t.match({ s: sys.statusCode, ...sys.json() }, { s: 422, code: 'HUB_LEVEL_RETIRED', errors: [{ path: '/level' }] });
  const agency = await register({ id: 'old-huyen', agencies: [{ code: '000.00.37.H12', level: 'district' }] });
  t.match({ s: agency.statusCode, ...agency.json() }, { s: 422, code: 'HUB_LEVEL_RETIRED', errors: [{ path: '/agencies/0/level' }] });
  const kind = await register({ id: 'so-x', agencies: [{ code: '000.00.38.H12', kind: 'xa' }] });
  t.match({ s: kind.statusCode, ...kind.json() }, { s: 422, code: 'HUB_VALIDATION', errors: [{ path: '/agencies/0/kind' }] });
  t.equal(hub.ctx.registry.get('old-huyen'), undefined, 'nothing registered');

  const configDir = mkdtempSync(path.join(tmpdir(), 'hub-boot-'));
  t.teardown(() => rmSync(configDir, { recursive: true, force: true }));
  mkdirSync(path.join(configDir, 'systems'));
  writeFileSync(path.join(configDir, 'systems', '20-huyen.json'), JSON.stringify({
    id: 'boot-huyen', name: 'UBND huyện', adapter: 'undp-motcua', role: 'source', level: 'district', agencies: ['000.00.39.H12'], delivery: { mode: 'pull' }, subscriptions: [], mapping: null,
  }));
  await t.rejects(bootstrapSystems(hub.ctx.registry, configDir, hub.dataDir, pino({ level: 'silent' })), /20-huyen\.json: .*district/, 'a district bootstrap file stops the start');
});

t.test('a district agency only on a dossier received before 1 July 2025 (HUB_LEVEL_RETIRED naming the field)', async (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{ agency: { code: '000.12.36.H12', level: 'district' } }, '/agency/level'],
    [{ receivingAgency: { code: '000.00.41.H12', level: 'district' } }, '/receivingAgency/level'],
    [{ participants: [{ agency: { code: '000.00.42.H12', level: 'district' } }] }, '/participants/0/agency/level'],
  ];
  let n = 100;
  for (const [o, p] of cases) {
    const res = await hub.post('desk', keys.desk!, deskDossier(n++, o));
    t.match({ s: res.statusCode, ...res.json() }, { s: 422, code: 'HUB_LEVEL_RETIRED', errors: [{ path: p }] }, p);
  }
  const undp = await hub.post('undp-phuong', keys.phuong!, {
    so_ho_so: 'HS-1', ma_tthc: '2.000889', don_vi: { ma: COMMUNE, cap: 'huyen' }, nguoi_nop: 'A', ngay_nhan: '27/11/2026', tinh_trang: 'Đã tiếp nhận',
  });
  t.match({ s: undp.statusCode, ...undp.json() }, { s: 422, code: 'HUB_LEVEL_RETIRED', errors: [{ path: '/don_vi/cap' }] }, 'the native path on a legacy adapter');
  // A district of the past, written by the system that took it over (its predecessor identifier).
  const old = await hub.post('undp-phuong', keys.phuong!, {
    so_ho_so: 'HS-2025-1', ma_ho_so_qg: '000.00.34.H12-250630-0001', ma_tthc: '2.000889', don_vi: { ma: '000.00.34.H12', ten: 'UBND huyện Phú Mỹ', cap: 'huyen' },
    nguoi_nop: 'A', ngay_nhan: '30/06/2025', gio_nhan: '16:00', tinh_trang: 'Đã tiếp nhận',
  });
  t.equal(old.statusCode, 202, old.body);
  t.match((await read('000.00.34.H12-250630-0001')).json().agency, { code: '000.00.34.H12', level: 'district' });
  const kind = await hub.post('dept', keys.dept!, dossier({ code: `${DEPT}-261127-0200`, agency: { code: DEPT, level: 'province', kind: 'xa' } }));
  t.match({ s: kind.statusCode, ...kind.json() }, { s: 422, code: 'HUB_VALIDATION', errors: [{ path: '/agency' }] }, 'kind with another level than commune');
});

t.test('level and kind of a registered agency are the registry\'s (a mismatch is logged, not refused)', async (t) => {
  const res = await hub.post('undp-phuong', keys.phuong!, {
    so_ho_so: 'HS-3', ma_tthc: '2.000889', don_vi: { ma: COMMUNE, cap: 'tinh' }, nguoi_nop: 'A', ngay_nhan: '27/11/2026', tinh_trang: 'Đã tiếp nhận',
  });
  t.equal(res.statusCode, 202, res.body);
  t.match((await read(res.json().dossierCode)).json().agency, { code: COMMUNE, level: 'commune', kind: 'phuong' });
  t.ok(hub.logs.some((l) => l.includes('differs from the registry') && l.includes('"path":"/agency"')), 'the mismatch is logged');
});

t.test('the receiving desk: a copy of agency when absent, fixed afterwards; returnTo the system serving it', async (t) => {
  const code = '000.12.36.H12-261127-0300';
  const filed = await hub.post('desk', keys.desk!, deskDossier(300));
  t.equal(filed.statusCode, 202, filed.body);
  const d = (await read(code)).json();
  t.match(d.receivingAgency, { code: '000.12.36.H12', level: 'commune', kind: 'xa' });
  t.equal(d.routing.returnTo, 'desk');
  const moved = await hub.post('desk', keys.desk!, { code, receivingAgency: { code: COMMUNE, level: 'commune' } });
  t.match({ s: moved.statusCode, ...moved.json() }, { s: 422, code: 'HUB_VALIDATION', errors: [{ path: '/receivingAgency/code' }] });
  const renamed = await hub.post('desk', keys.desk!, { code, receivingAgency: { code: '000.12.36.H12', name: 'Trung tâm PVHCC xã Mỹ Xuân', level: 'commune' } });
  t.equal(renamed.statusCode, 202, renamed.body);
  t.equal((await read(code)).json().receivingAgency.name, 'Trung tâm PVHCC xã Mỹ Xuân', 'a name refresh is fine');
});

t.test('reception regardless of boundary: a commune desk files a dossier for a province department, which holds it', async (t) => {
  const code = '000.12.36.H12-261127-0400';
  const filed = await hub.post('desk', keys.desk!, deskDossier(400, {
    agency: { code: DEPT, level: 'province' }, receivingAgency: { code: '000.12.36.H12', level: 'commune' },
  }));
  t.equal(filed.statusCode, 202, filed.body);
  const transferred = await hub.app.inject({ method: 'POST', url: `/v1/dossiers/${code}/transfer`, headers: { authorization: `Bearer ${keys.desk}` }, payload: { toAgency: DEPT } });
  t.equal(transferred.statusCode, 202, transferred.body);
  const d = (await read(code)).json();
  t.match(d, { code, status: 2, dueAt: '2026-12-18T17:00:00+07:00', receivingAgency: { code: '000.12.36.H12' }, routing: { holder: 'dept', returnTo: 'desk' } }, 'code, status, deadline, receivingAgency and returnTo stay');
  const result = await hub.post('dept', keys.dept!, { code, status: 9, steps: [{ at: '2026-11-30T10:00:00+07:00', status: 9 }] });
  t.equal(result.statusCode, 202, result.body);
  t.equal((await hub.get(`/v1/dossiers/${code}`, keys.desk!)).json().status, 9, 'the receiving desk reads the result');
});

t.test('a transfer to a district agency is 422 HUB_LEVEL_RETIRED; a stored district system keeps working', async (t) => {
  const now = '2025-06-01T08:00:00+07:00';
  const stored: SystemRecord = {
    id: 'undp-huyen-cu', name: 'UBND huyện (stored before the rules changed)', adapter: 'canonical', role: 'source', level: 'district',
    agencies: [{ code: '000.00.44.H12', level: 'district' }], delivery: { mode: 'none' }, subscriptions: [], mapping: null, status: 'active', createdAt: now, updatedAt: now,
  };
  await hub.ctx.store.insertSystem(stored, null);
  await hub.ctx.registry.load();
  const code = '000.12.36.H12-261127-0500';
  t.equal((await hub.post('desk', keys.desk!, deskDossier(500))).statusCode, 202);
  const res = await hub.app.inject({ method: 'POST', url: `/v1/dossiers/${code}/transfer`, headers: { authorization: `Bearer ${keys.desk}` }, payload: { toAgency: '000.00.44.H12' } });
  t.match({ s: res.statusCode, ...res.json() }, { s: 422, code: 'HUB_LEVEL_RETIRED', errors: [{ path: '/toAgency' }] });
  t.equal((await read(code)).json().revision, 1, 'nothing stored');
  t.equal(hub.ctx.registry.servingSystem('000.00.44.H12')?.systemId, 'undp-huyen-cu', 'the stored district system is still served');
  // Until it is changed: a change must move it and its agencies off district (old identifiers become predecessors).
  const patch = (body: unknown) => hub.app.inject({
    method: 'PATCH', url: '/v1/admin/systems/undp-huyen-cu', payload: body as Record<string, unknown>,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/merge-patch+json' },
  });
  const renamed = await patch({ name: 'renamed' });
  t.match({ s: renamed.statusCode, ...renamed.json() }, { s: 422, code: 'HUB_LEVEL_RETIRED' });
  const moved = await patch({ level: 'commune', agencies: [{ code: '000.12.44.H12', kind: 'phuong', predecessors: ['000.00.44.H12'] }] });
  t.equal(moved.statusCode, 200, moved.body);
  t.match(moved.json().agencies, [{ code: '000.12.44.H12', level: 'commune', kind: 'phuong' }]);
  t.equal(hub.ctx.registry.servingSystem('000.00.44.H12'), undefined, 'a predecessor is not served');
});

t.test('code issuing: 4 digits, then 5 to 7; numbers held in any spelling skipped; past 9999999 409', async (t) => {
  const store = hub.ctx.store as SqliteStore;
  const agency = '000.12.36.H12';
  const setLast = (day: string, last: number) => store.exclusive((db) => db.prepare('INSERT INTO code_sequences (agency, day, last) VALUES (?, ?, ?) ON CONFLICT (agency, day) DO UPDATE SET last = excluded.last').run(agency, day, last));
  const fileLocal = (local: string, receivedAt: string) => hub.post('desk', keys.desk!, deskDossier(0, { code: undefined, altCodes: [{ system: 'desk', code: local }], receivedAt, steps: [] }));
  setLast('261102', 9999);
  const big = await fileLocal('L-1', '2026-11-02T08:00:00+07:00');
  t.equal(big.json().dossierCode, `${agency}-261102-10000`, 'after 9999 comes 10000');
  setLast('261103', 41);
  t.equal((await hub.post('desk', keys.desk!, deskDossier(0, { code: `${agency}-261103-00042`, receivedAt: '2026-11-03T07:00:00+07:00', steps: [] }))).statusCode, 202);
  const skip = await fileLocal('L-2', '2026-11-03T08:00:00+07:00');
  t.equal(skip.json().dossierCode, `${agency}-261103-0043`, 'the number 42 is held (as 00042): skipped');
  setLast('261104', 9_999_999);
  const out = await fileLocal('L-3', '2026-11-04T08:00:00+07:00');
  t.match({ s: out.statusCode, ...out.json() }, { s: 409, code: 'HUB_CODE_EXHAUSTED' });
});

t.test('HUB_CODE_ISSUER=source: a new dossier without a code is 422 HUB_CODE_REQUIRED at /code', async (t) => {
  const other = await startHub({ config: { codeIssuer: 'source' } });
  t.teardown(() => other.close());
  const key = await other.register({ id: 'desk', agencies: ['000.12.36.H12'] });
  const res = await other.post('desk', key, deskDossier(0, { code: undefined, altCodes: [{ system: 'desk', code: 'L-9' }] }));
  t.match({ s: res.statusCode, ...res.json() }, { s: 422, code: 'HUB_CODE_REQUIRED', errors: [{ path: '/code' }] });
  t.equal((await other.post('desk', key, deskDossier(1))).statusCode, 202, 'with its code it is accepted');
});
