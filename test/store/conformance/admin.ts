// Conformance: systems and keys, the admin tables, the audit chain and its verifier, certificates, the on-time report.
import type { Test } from 'tap';
import type { StoreFactory } from './harness.js';
import type { DayTraffic } from '../../../src/store/types.js';
import { emptyDay } from '../../../src/systems/traffic.js';
import { AGENCY, change, system } from './harness.js';

const audit = { actor: 'admin', action: 'system.update', target: 'a' };
const day = (d: Partial<DayTraffic>): DayTraffic => ({ ...emptyDay(), ...d });
/** A bookkeeping batch of traffic only, keyed `system\u0000day`. */
const batch = (days: Record<string, Partial<DayTraffic>>) => ({
  keysUsed: new Map<string, string>(), systemsSeen: new Map<string, string>(),
  traffic: new Map(Object.entries(days).map(([k, d]) => [k.replace('/', '\u0000'), day(d)])),
});
const T = (d: string, hm: string) => `2026-${d}T${hm}:00+07:00`;

export function adminTests(t: Test, factory: StoreFactory): void {
  t.test('systems and keys: one system per agency, keys found, onKeysChanged told', async (t) => {
    const { store } = await factory.open(t);
    let told = 0;
    const off = store.onKeysChanged!(() => told++);
    await store.insertSystem(system('a', ['A1']), 'h1');
    t.ok(told >= 1, 'told before the call returned');
    await t.rejects(store.insertSystem(system('a', []), null), { code: 'HUB_SYSTEM_EXISTS' });
    await t.rejects(store.insertSystem(system('b', ['A1']), null), { code: 'HUB_SYSTEM_AGENCY_TAKEN' });
    await store.insertSystem(system('b', ['B1']), null);
    t.same((await store.listSystems()).map((s) => s.id), ['a', 'b']);
    t.match(await store.findKey('h1'), { systemId: 'a', keyHmac: 'h1', validUntil: null, keyId: String });
    t.equal(await store.findKey('nope'), undefined);
    const before = told;
    const previous = await store.admin.rotateKey({ systemId: 'a', keyHmac: 'h2', keyId: 'k2', createdAt: '2026-12-01T01:00:00+07:00', validUntil: null }, '2026-12-02T00:00:00+07:00', audit);
    t.equal(previous, '2026-12-02T00:00:00+07:00');
    t.ok(told > before, 'rotation told');
    t.equal((await store.findKey('h1'))?.validUntil, '2026-12-02T00:00:00+07:00');
    t.equal((await store.findKey('h2'))?.keyId, 'k2', 'the key id comes with the key');
    const meta = await store.admin.systemMeta('a');
    t.same(meta.keys.map((k) => k.keyId).slice(1), ['k2'], 'oldest first');
    await store.admin.updateSystem(system('b', ['A2']), audit);
    await t.rejects(store.admin.updateSystem(system('b', ['A1']), audit), { code: 'HUB_SYSTEM_AGENCY_TAKEN' });
    // A registered certificate fingerprint belongs to one active system, checked in the writing transaction.
    await store.admin.updateSystem(system('a', ['A1'], { certificates: ['f'.repeat(64)] }), audit);
    await t.rejects(store.insertSystem(system('c', [], { certificates: ['f'.repeat(64)] }), null), { code: 'HUB_SYSTEM_CERTIFICATE_TAKEN' });
    await t.rejects(store.admin.updateSystem(system('b', ['A2'], { certificates: ['e'.repeat(64), 'f'.repeat(64)] }), audit),
      { code: 'HUB_SYSTEM_CERTIFICATE_TAKEN', errors: [{ path: '/certificates/1' }] });
    t.notOk((await store.listSystems()).some((x) => x.id === 'c'), 'nothing stored for the refused registration');
    await store.admin.updateSystem(system('a', ['A1'], { certificates: [] }), audit);
    await store.admin.updateSystem(system('b', ['A2'], { certificates: ['f'.repeat(64)] }), audit); // free again
    off();
  });

  t.test('retire: keys ended, pending deliveries and unacknowledged mail become dead letters', async (t) => {
    const { store } = await factory.open(t);
    await store.insertSystem(system('r', ['R1']), 'hr');
    await store.relay.plan([{ systemId: 'r', eventId: 'e1', dossierCode: 'D', revision: 1 }],
      [{ systemId: 'r', eventId: 'e2', dossierCode: 'D', revision: 2, type: 'dossier.updated', contentType: 'text/xml', body: '<a/>', bodyIsJson: false }], []);
    const now = Date.parse('2026-12-01T03:00:00Z');
    const res = await store.admin.retireSystem({ ...system('r', ['R1']), status: 'retired' }, now, { ...audit, action: 'system.retire' });
    t.same(res, { deadLetters: 2 });
    t.equal((await store.admin.systemMeta('r')).retiredAt, '2026-12-01T10:00:00+07:00');
    t.ok((await store.findKey('hr'))!.validUntil);
    t.equal((await store.relay.listDeadLetters({ system: 'r', limit: 10 })).length, 2);
    t.same(await store.relay.mailboxTake('r', 10, 1000), []);
    await store.insertSystem(system('s', ['R1']), null); // the agency is free again
    // A change computed from a view taken before the retire (another instance's, or a request's that awaited):
    // refused, so it cannot bring the system back nor take its agency from the system that has it now.
    await t.rejects(store.admin.updateSystem(system('r', ['R1']), audit), { code: 'HUB_SYSTEM_RETIRED' });
    await t.rejects(store.admin.rotateKey({ systemId: 'r', keyHmac: 'hr2', keyId: 'kr2', createdAt: '2026-12-01T11:00:00+07:00', validUntil: null }, '2026-12-01T11:00:00+07:00', audit),
      { code: 'HUB_SYSTEM_RETIRED' });
    t.equal(await store.findKey('hr2'), undefined, 'no key issued to the retired system');
    t.equal((await store.listSystems()).find((x) => x.id === 'r')?.status, 'retired', 'still retired');
  });

  t.test('admin tokens, settings, bookkeeping and traffic, rollout', async (t) => {
    const { store } = await factory.open(t);
    const a = store.admin;
    t.equal(await a.rotateAdminToken({ tokenId: 't1', tokenHmac: 'th1', createdAt: 'c1' }, '2026-12-05T00:00:00+07:00', audit), '2026-12-05T00:00:00+07:00');
    t.equal(await a.getSetting('admin.bootstrapValidUntil'), '2026-12-05T00:00:00+07:00');
    t.same(await a.findAdminToken('th1'), { tokenId: 't1', validUntil: null });
    await a.rotateAdminToken({ tokenId: 't2', tokenHmac: 'th2', createdAt: 'c2' }, '2026-12-04T00:00:00+07:00', audit);
    t.same(await a.findAdminToken('th1'), { tokenId: 't1', validUntil: '2026-12-04T00:00:00+07:00' });
    await store.insertSystem(system('a', []), 'h1');
    const traffic = new Map([['a\u00002026-12-01', day({ accepted: 2, refused: 1 })], ['a\u00002026-11-01', day({ accepted: 5, duplicates: 1 })]]);
    await a.recordBookkeeping({ keysUsed: new Map([['h1', '2026-12-01T09:00:00+07:00']]), systemsSeen: new Map([['a', '2026-12-01T09:00:00+07:00']]), traffic });
    await a.recordBookkeeping({ keysUsed: new Map(), systemsSeen: new Map([['a', '2026-12-01T08:00:00+07:00']]), traffic: new Map([['a\u00002026-12-01', day({ accepted: 1 })]]) });
    t.equal(await a.lastSeen('a'), '2026-12-01T09:00:00+07:00', 'never goes back');
    t.same(await a.traffic('a', '2026-11-15'), { window: { accepted: 3, refused: 1, duplicates: 0 }, total: { accepted: 8, refused: 1, duplicates: 1 } });
    t.equal((await a.systemMeta('a')).keys[0]!.lastUsedAt, '2026-12-01T09:00:00+07:00');
    const entry = (id: string, order: number) => ({ id, order, department: id, origin: 'seed' as const, successor: null, systemId: null, targetDate: null, note: null, updatedAt: 'u' });
    await a.saveRollout([entry('x', 1), entry('y', 2)], audit, 'file.json');
    await a.saveRollout([entry('x', 2), entry('y', 1)], audit);
    const r = await a.listRollout();
    t.equal(r.source, 'file.json');
    t.same(r.items.map((e) => [e.id, e.order]), [['y', 1], ['x', 2]], 'orders swapped in one patch');
  });

  t.test('traffic counters: authentications, statuses, codes by rule, summed over a window', async (t) => {
    const { store } = await factory.open(t);
    const a = store.admin;
    await store.insertSystem(system('a', []), null);
    t.same(await a.trafficWindow('a', '2026-11-01'), emptyDay(), 'nothing counted yet');
    await a.recordBookkeeping(batch({
      'a/2026-12-01': {
        accepted: 3, authOk: 2, lastAuthAt: T('12-01', '09:00'), lastAuthKey: 'k1', authFailed: 1, lastFailedAt: T('12-01', '08:00'), statuses: 1 << 2,
        codes: [
          { code: 'HUB_X', rule: 'agencyCode', count: 2, example: 'A1', exampleAt: T('12-01', '09:00') },
          { code: 'HUB_Y', rule: '', count: 1, example: null, exampleAt: null },
        ],
      },
      'a/2026-11-30': {
        authOk: 1, lastAuthAt: T('11-30', '23:00'), lastAuthKey: 'k0', statuses: 1 << 5,
        codes: [{ code: 'HUB_X', rule: 'agencyCode', count: 4, example: 'A9', exampleAt: T('11-30', '10:00') }],
      },
    }));
    // A second flush of the same day: counts add up, an older instant never replaces a later one, bits are ORed.
    await a.recordBookkeeping(batch({
      'a/2026-12-01': {
        refused: 2, authOk: 1, lastAuthAt: T('12-01', '08:30'), lastAuthKey: 'k-old', authFailed: 1, lastFailedAt: T('12-01', '10:00'), statuses: 1 << 3,
        codes: [
          { code: 'HUB_X', rule: 'agencyCode', count: 1, example: 'A0', exampleAt: T('12-01', '08:00') },
          { code: 'HUB_X', rule: 'procedureCode', count: 1, example: 'P7', exampleAt: T('12-01', '08:00') },
          { code: '', rule: 'knownProcedure', count: 1, example: 'P1', exampleAt: T('12-01', '07:00') },
        ],
      },
    }));
    // Through the side write the bookkeeping buffer uses: a later authentication wins, a later example too.
    await store.sideWrite({ kind: 'bookkeeping', batch: batch({
      'a/2026-12-01': {
        duplicates: 1, authOk: 1, lastAuthAt: T('12-01', '11:00'), lastAuthKey: 'k2',
        codes: [{ code: 'HUB_Y', rule: '', count: 2, example: 'D5', exampleAt: T('12-01', '11:00') }],
      },
    }) });
    const dec1 = await a.trafficWindow('a', '2026-12-01');
    t.same(dec1, {
      accepted: 3, refused: 2, duplicates: 1, authOk: 4, authFailed: 2, lastAuthAt: T('12-01', '11:00'), lastAuthKey: 'k2',
      lastFailedAt: T('12-01', '10:00'), statuses: (1 << 2) | (1 << 3),
      codes: [
        { code: '', rule: 'knownProcedure', count: 1, example: 'P1', exampleAt: T('12-01', '07:00') },
        { code: 'HUB_X', rule: 'agencyCode', count: 3, example: 'A1', exampleAt: T('12-01', '09:00') },
        { code: 'HUB_X', rule: 'procedureCode', count: 1, example: 'P7', exampleAt: T('12-01', '08:00') },
        { code: 'HUB_Y', rule: '', count: 3, example: 'D5', exampleAt: T('12-01', '11:00') },
      ],
    }, 'one day: codes by code then rule, each with its latest example');
    const both = await a.trafficWindow('a', '2026-11-30');
    t.match(both, { accepted: 3, authOk: 5, authFailed: 2, lastAuthAt: T('12-01', '11:00'), lastAuthKey: 'k2', statuses: (1 << 2) | (1 << 3) | (1 << 5) });
    t.same(both.codes.find((c) => c.rule === 'agencyCode'), { code: 'HUB_X', rule: 'agencyCode', count: 7, example: 'A1', exampleAt: T('12-01', '09:00') },
      'summed over the days, the latest example of any day');
    t.same(await a.trafficWindow('a', '2026-12-02'), emptyDay(), 'a window after the counted days');
    t.same(await a.trafficWindow('b', '2026-11-01'), emptyDay(), 'another system');
    t.same(await a.traffic('a', '2026-12-01'), { window: { accepted: 3, refused: 2, duplicates: 1 }, total: { accepted: 3, refused: 2, duplicates: 1 } });
  });

  t.test('audit: chained, queried, verified; altered, removed, reordered named; checkpoints', async (t) => {
    const kit = await factory.open(t);
    const { store } = kit;
    for (let i = 1; i <= 105; i++) await store.audit({ actor: i % 2 ? 'admin' : 'admin:ab', action: i % 3 ? 'system.read' : 'rollout.update', target: `s${i % 4}`, from: '10.0.0.1', detail: { n: i, z: 'Sở', b: [1, { y: 2, a: null }] } });
    t.match(await store.verifyAudit(), { ok: true, entries: 105, head: { seq: 105 }, checkpoint: { seq: 100 } });
    t.equal((await store.auditCheckpoints(10))[0]!.seq, 100, 'every 100th entry checkpoints');
    t.match(await store.auditCheckpoint(), { seq: 105, signature: null });
    t.equal(await store.auditCheckpoint(), undefined, 'nothing added since');
    t.equal((await store.queryAudit({ actor: 'admin', action: 'rollout.*', limit: 1000 })).length, 35);
    t.equal((await store.queryAudit({ actor: 'admin:ab', target: 's0', after: 50, limit: 1000 })).length, 14);
    const rows = await store.queryAudit({ limit: 2 });
    t.equal(rows[1]!.prevHash, rows[0]!.hash);
    t.same(rows[0]!.detail, { b: [1, { a: null, y: 2 }], n: 1, z: 'Sở' });
    t.equal((await store.listAudit(0, 1000)).length, 105);
    await kit.exec(`UPDATE audit SET detail = '{"n":999}' WHERE id = 7`);
    t.match(await store.verifyAudit(), { ok: false, firstBad: { seq: 7, problem: 'altered' } });
    await kit.exec(`UPDATE audit SET detail = (SELECT detail FROM audit WHERE id = 8) WHERE id = 7`);
    await kit.exec(`DELETE FROM audit WHERE id = 7`);
    t.match(await store.verifyAudit(), { ok: false, firstBad: { seq: 7, problem: 'removed' } });
  });

  t.test('audit: reordered entries are named', async (t) => {
    const kit = await factory.open(t);
    for (let i = 1; i <= 5; i++) await kit.store.audit({ actor: 'admin', action: 'a', target: null, detail: { i } });
    await kit.exec('UPDATE audit SET id = -2 WHERE id = 2');
    await kit.exec('UPDATE audit SET id = 2 WHERE id = 3');
    await kit.exec('UPDATE audit SET id = 3 WHERE id = -2');
    t.match(await kit.store.verifyAudit(), { ok: false, firstBad: { seq: 2, problem: 'reordered' } });
  });

  t.test('certificates: insert, list, revoke once', async (t) => {
    const { store } = await factory.open(t);
    await store.insertSystem(system('c', []), null);
    const cert = { serial: '0A', systemId: 'c', fingerprintSha256: 'f'.repeat(64), notBefore: 'nb', notAfter: 'na', pem: 'PEM', issuedAt: 'i1' };
    await store.certificates.insert(cert);
    t.same(await store.certificates.list('c'), [{ ...cert, revokedAt: null }]);
    t.equal((await store.certificates.revoke('0A', 'r1'))?.revokedAt, 'r1');
    t.equal((await store.certificates.revoke('0A', 'r2'))?.revokedAt, 'r1', 'the first instant stays');
    t.equal(await store.certificates.revoke('nope', 'r'), undefined);
  });

  t.test('on-time report and provisional due dates', async (t) => {
    const { store } = await factory.open(t);
    await store.commit(change({ code: `${AGENCY}-261127-0001`, status: 2 }));
    await store.commit(change({ code: `${AGENCY}-261127-0002`, status: 3 }));
    await store.commit(change({ code: `${AGENCY}-261127-0003`, status: 2, agency: '000.00.16.H12' }));
    const to = Date.parse('2027-01-01T00:00:00+07:00');
    const all = await store.ontimeReport({ to, end: Date.parse('2026-12-01T00:00:00+07:00') });
    t.match(all, { total: 3, inProgress: 3 - 1, refused: 1, overdue: 0 });
    const late = await store.ontimeReport({ to, end: Date.parse('2026-12-31T00:00:00+07:00') });
    t.match(late, { overdue: 2, inProgress: 0 }, 'due 18 Dec: overdue at the end of December');
    const byAgency = await store.ontimeReport({ to, end: to, groupBy: 'agency' });
    t.same((byAgency as { groups: { key: string; total: number }[] }).groups.map((g) => [g.key, g.total]), [[AGENCY, 2], ['000.00.16.H12', 1]]);
    const byMonth = await store.ontimeReport({ to, end: to, groupBy: 'month', scope: ['000.00.16.H12'] });
    t.same((byMonth as { groups: { key: string; total: number }[] }).groups.map((g) => [g.key, g.total]), [['2026-11', 1]]);
    t.equal(await store.provisionalDueDates(), 0);
  });
}
