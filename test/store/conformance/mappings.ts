// Conformance: mapping versions and the active pointer, samples, provenance (mapping.md §13, §17).
import type { Test } from 'tap';
import type { AuditEntry, MappingVersionInsert, SampleRecord } from '../../../src/store/types.js';
import type { StoreFactory } from './harness.js';
import { AGENCY, change, system } from './harness.js';

const version = (systemId: string, sha256: string): MappingVersionInsert => ({
  systemId, sha256, document: `{"sha":"${sha256}","fields":{"b":1,"a":2}}`, size: 40, createdAt: '2026-12-01T09:00:00+07:00', createdBy: 'admin', note: null,
});
const act = (target: string, v: number): AuditEntry => ({ actor: 'admin', action: 'mapping.activate', target, detail: { version: v } });
const made = (target: string): AuditEntry => ({ actor: 'admin', action: 'mapping.create', target });
const sample = (id: string, sha: string, createdAt: string): SampleRecord => ({
  id, systemId: 'm', name: `sample ${id}`, contentType: 'application/xml', payload: Buffer.from([0, 0xff, 0x3c, 0x61, 0x2f, 0x3e]), payloadSha256: sha,
  expected: { status: 2, fields: { 'agency.code': 'A1' } }, approvedVersion: 'mapping@1', createdAt, createdBy: 'admin',
});

export function mappingTests(t: Test, factory: StoreFactory): void {
  t.test('mapping versions: numbered per system, a known document found again, the pointer moved with its audit entry', async (t) => {
    const { store } = await factory.open(t);
    const m = store.mappings;
    await store.insertSystem(system('m', ['M1'], { adapter: 'mapping' }), 'hm', { version: version('m', 's1'), audit: act('m', 1) });
    await store.insertSystem(system('n', ['N1']), null);
    t.match(await m.listVersions('m'), { active: 1, items: [{ version: 1, sha256: 's1', size: 40, createdBy: 'admin', note: null, active: true }] },
      'a registration stores version 1, active');
    t.ok(await store.findKey('hm'), 'with its key');
    t.same(await m.addVersion(version('m', 's2'), made('m'), null), { version: 2, created: true, previous: 1 });
    t.same(await m.addVersion(version('m', 's1'), made('m'), null), { version: 1, created: false, previous: 1 }, 'same sha256: the stored version');
    t.same(await m.addVersion(version('m', 's3'), made('m'), act('m', 3)), { version: 3, created: true, previous: 1 }, 'added and activated');
    t.same(await m.addVersion(version('n', 's1'), made('n'), null), { version: 1, created: true, previous: null }, 'numbered per system');
    t.equal(await m.activate('m', 2, act('m', 2)), 3);
    const listed = await m.listVersions('m');
    t.same(listed.items.map((v) => [v.version, v.active]), [[1, false], [2, true], [3, false]]);
    t.equal(listed.active, 2);
    t.same(await m.listVersions('n'), { active: null, items: [{ ...listed.items[0]!, active: false }] });
    t.equal((await m.getVersion('m', 2))?.document, version('m', 's2').document, 'kept as received');
    t.equal((await m.getVersion('m', 2))?.active, true);
    t.equal(await m.getVersion('m', 9), undefined);
    t.same(await m.activeVersions(), [{ systemId: 'm', version: 2, sha256: 's2', document: version('m', 's2').document }]);
    const audit = await store.queryAudit({ action: 'mapping.*', limit: 100 });
    t.same(audit.map((e) => [e.action, e.target]), [
      ['mapping.activate', 'm'], ['mapping.create', 'm'], ['mapping.create', 'm'], ['mapping.activate', 'm'], ['mapping.create', 'm'],
      ['mapping.create', 'n'], ['mapping.activate', 'm'],
    ], 'every change audited, an activation inside an addition before it');
  });

  t.test('samples: payload bytes kept, found by sha256, approved, deleted, one per payload', async (t) => {
    const { store } = await factory.open(t);
    const m = store.mappings;
    await store.insertSystem(system('m', []), null);
    const audit = { actor: 'admin', action: 'sample.create', target: 'm' };
    await m.addSample(sample('s2', 'p2', '2026-12-01T10:00:00+07:00'), audit);
    await m.addSample(sample('s1', 'p1', '2026-12-01T10:00:00+07:00'), audit);
    await m.addSample(sample('s0', 'p0', '2026-12-01T11:00:00+07:00'), audit);
    await t.rejects(m.addSample(sample('s9', 'p1', '2026-12-01T12:00:00+07:00'), audit), 'one sample per payload');
    t.same((await m.listSamples('m')).map((s) => s.id), ['s1', 's2', 's0'], 'oldest first, then by id');
    t.same(await m.getSample('m', 's1'), sample('s1', 'p1', '2026-12-01T10:00:00+07:00'), 'bytes and expected object as stored');
    t.equal((await m.findSample('m', 'p2'))?.id, 's2');
    t.equal(await m.findSample('x', 'p2'), undefined);
    t.equal(await m.countSamples('m'), 3);
    await m.approveSample('m', 's1', { status: 3 }, 'mapping@2', { ...audit, action: 'sample.approve' });
    t.match(await m.getSample('m', 's1'), { expected: { status: 3 }, approvedVersion: 'mapping@2' });
    t.equal(await m.deleteSample('m', 's1', { ...audit, action: 'sample.delete' }), true);
    t.equal(await m.deleteSample('m', 's1', { ...audit, action: 'sample.delete' }), false);
    t.equal(await m.countSamples('m'), 2);
    t.equal((await store.queryAudit({ action: 'sample.*', limit: 100 })).length, 3 + 1 + 2);
  });

  t.test('provenance: which adapter decoded each revision, encoded each delivery, mail and dead letter', async (t) => {
    const { store } = await factory.open(t);
    for (const id of ['p', 'q', 'r', 'w']) await store.insertSystem(system(id, []), null);
    const decodedBy = { adapter: 'mapping', version: 2, sha256: 'ab'.repeat(32) };
    const code = `${AGENCY}-261127-0101`;
    await store.commit({ ...change({ code, status: 2 }), decodedBy });
    await store.commit(change({ code, status: 3 }));
    const encodedBy = { adapter: 'mapping', version: 1, sha256: 'cd'.repeat(32) };
    const mail = { type: 'dossier.updated' as const, contentType: 'text/xml', body: '<a/>', bodyIsJson: false };
    await store.relay.plan([{ systemId: 'p', eventId: 'e1', dossierCode: code, revision: 1 }, { systemId: 'w', eventId: 'e4', dossierCode: code, revision: 2 }],
      [{ systemId: 'q', eventId: 'e2', dossierCode: code, revision: 1, ...mail, encodedBy: { adapter: 'igate', version: '1' } }], []);
    await store.relay.markDelivered('p', 'e1', encodedBy);
    await store.relay.addDeadLetter({ systemId: 'r', eventId: 'e3', dossierCode: code, revision: 2, reason: 'encoding failed', attempts: 1,
      lastResponse: null, event: '{}', encodedBy });
    const p = await store.mappings.provenance(code);
    t.same(p.revisions.map((r) => [r.revision, r.decodedBy]), [[1, decodedBy], [2, null]]);
    t.match(p.revisions[0], { source: 'sys-a', type: 'dossier.received', receiptId: String, payloadSha256: String });
    const by = new Map(p.deliveries.map((d) => [d.system, d]));
    t.equal(by.size, 4);
    t.match(by.get('p'), { state: 'delivered', revision: 1, attempts: [{ verdict: 'ok', encodedBy }] });
    t.match(by.get('q'), { state: 'pending', attempts: [{ verdict: 'pending', encodedBy: { adapter: 'igate', version: '1' } }] }, 'mail encoded when planned');
    t.match(by.get('r'), { state: 'dead', revision: 2, attempts: [{ verdict: 'dead', encodedBy }] });
    t.same(by.get('w')?.attempts, [], 'not tried yet');
    // A dead letter reads back the version it failed with (a replay may choose it: mapping.md §13).
    const [dead] = await store.relay.listDeadLetters({ system: 'r', limit: 10 });
    t.same(dead?.encodedBy, encodedBy, 'listed with its encodedBy');
    t.same((await store.relay.getDeadLetter(dead!.id))?.encodedBy, encodedBy, 'read back with its encodedBy');
    t.ok(!Number.isNaN(Date.parse(by.get('p')!.attempts[0]!.at)));
    t.same(await store.mappings.provenance('nope'), { revisions: [], deliveries: [] });
  });

  t.test('provenance: each try of a push delivery is a row (at, status, verdict, encodedBy), in order, beside its outcome', async (t) => {
    const { store } = await factory.open(t);
    for (const id of ['p', 'd']) await store.insertSystem(system(id, []), null);
    const code = `${AGENCY}-261127-0102`;
    await store.commit(change({ code, status: 2 }));
    const v1 = { adapter: 'mapping', version: 1, sha256: 'ef'.repeat(32) };
    const v2 = { adapter: 'mapping', version: 2, sha256: '12'.repeat(32) };
    await store.relay.plan([{ systemId: 'p', eventId: 'e1', dossierCode: code, revision: 1 }, { systemId: 'd', eventId: 'e2', dossierCode: code, revision: 1 }], [], []);
    const at = Date.parse('2026-12-01T02:00:00Z');
    await store.relay.recordAttempt({ systemId: 'p', eventId: 'e1', dossierCode: code, at, status: 503, verdict: 'retry', encodedBy: v1 });
    await store.relay.recordAttempt({ systemId: 'p', eventId: 'e1', dossierCode: code, at: at + 1000, status: null, verdict: 'retry', encodedBy: v1 });
    await store.relay.recordAttempt({ systemId: 'p', eventId: 'e1', dossierCode: code, at: at + 2000, status: 200, verdict: 'ok', encodedBy: v2 });
    await store.relay.markDelivered('p', 'e1', v2);
    await store.relay.recordAttempt({ systemId: 'd', eventId: 'e2', dossierCode: code, at, status: 400, verdict: 'failed', encodedBy: v2 });
    await store.relay.addDeadLetter({ systemId: 'd', eventId: 'e2', dossierCode: code, revision: 1, reason: 'HTTP 400', attempts: 1, lastResponse: 'HTTP 400: no', event: '{}', encodedBy: v2 });
    const by = new Map((await store.mappings.provenance(code)).deliveries.map((d) => [d.system, d]));
    t.equal(by.get('p')?.state, 'delivered');
    t.strictSame(by.get('p')?.attempts, [
      { at: '2026-12-01T02:00:00.000Z', status: 503, verdict: 'retry', encodedBy: v1 },
      { at: '2026-12-01T02:00:01.000Z', status: null, verdict: 'retry', encodedBy: v1 },
      { at: '2026-12-01T02:00:02.000Z', status: 200, verdict: 'ok', encodedBy: v2 },
    ], 'every attempt, oldest first, with the version that encoded it');
    t.equal(by.get('d')?.state, 'dead');
    t.strictSame(by.get('d')?.attempts, [{ at: '2026-12-01T02:00:00.000Z', status: 400, verdict: 'failed', encodedBy: v2 }]);
  });
}
