// Conformance: commit, duplicates, gapless revisions, code issuing, the feed, the outbox.
import type { Test } from 'tap';
import type { StoreFactory } from './harness.js';
import { AGENCY, change } from './harness.js';

export function commitTests(t: Test, factory: StoreFactory): void {
  t.test('commit stores a dossier, its events and an outbox row; a duplicate stores nothing', async (t) => {
    const { store } = await factory.open(t);
    const woken: number[] = [];
    const off = store.onCommitted(() => woken.push(1));
    const first = await store.commit(change({ code: `${AGENCY}-261127-0007` }));
    t.equal(first.receipt.revision, 1);
    t.equal(first.receipt.duplicate, false);
    t.equal((await store.getDossier(`${AGENCY}-261127-0007`))?.revision, 1);
    const again = change({ code: `${AGENCY}-261127-0007`, sha: 'same' });
    await store.commit(again);
    const dup = await store.commit(change({ code: `${AGENCY}-261127-0007`, sha: 'same' }));
    t.equal(dup.receipt.duplicate, true, 'same canonical hash from the same source: a duplicate');
    t.equal(dup.revisions.length, 0);
    t.equal(dup.receipt.revision, 2, 'the earlier receipt comes back');
    const events = await store.listEvents(`${AGENCY}-261127-0007`);
    t.same(events.map((e) => e.revision), [1, 2]);
    t.equal(await store.headSeq(), (await store.pendingOutbox(10)).at(-1)!.seq);
    const out = await store.pendingOutbox(10);
    t.equal(out.length, 2);
    t.match(JSON.parse(out[1]!.event), { subject: `${AGENCY}-261127-0007`, data: { revision: 2, dossier: { code: `${AGENCY}-261127-0007` } } });
    await t.resolves(async () => { for (let i = 0; i < 100 && !woken.length; i++) await new Promise((r) => setTimeout(r, 20)); });
    t.ok(woken.length, 'onCommitted told');
    off();
  });

  t.test('a reopened store has what was committed (migrations run again find nothing to do)', async (t) => {
    const kit = await factory.open(t);
    const r = await kit.store.commit(change({ localCode: 'R-1' }));
    const head = await kit.store.headSeq();
    const again = await kit.reopen();
    t.teardown(() => again.store.close());
    t.equal((await again.store.getDossier(r.receipt.dossierCode))?.revision, 1);
    t.equal(await again.store.headSeq(), head);
    t.equal((await again.store.commit(change({ localCode: 'R-2' }))).receipt.dossierCode.slice(-4), '0002', 'the sequence goes on');
  });

  t.test('a refused change stores nothing', async (t) => {
    const { store } = await factory.open(t);
    const bad = change({ code: 'not-a-code' });
    await t.rejects(store.commit(bad));
    t.equal(await store.headSeq(), 0);
    t.equal(await store.getDossier('not-a-code'), undefined);
  });

  t.test('revisions of one dossier are gapless under concurrent commits', async (t) => {
    const { store } = await factory.open(t);
    const code = `${AGENCY}-261127-0100`;
    await store.commit(change({ code }));
    await Promise.all(Array.from({ length: 20 }, () => store.commit(change({ code }))));
    t.same((await store.listEvents(code)).map((e) => e.revision), Array.from({ length: 21 }, (_, i) => i + 1));
  });

  t.test('issued codes: per agency and day, gapless, skipping numbers held; a local number maps to its dossier', async (t) => {
    const { store } = await factory.open(t);
    await store.commit(change({ code: `${AGENCY}-261127-0002` }));
    const codes = await Promise.all(Array.from({ length: 5 }, (_, i) => store.commit(change({ localCode: `L-${i}` })).then((r) => r.receipt.dossierCode)));
    t.same([...codes].sort(), ['0001', '0003', '0004', '0005', '0006'].map((n) => `${AGENCY}-261127-${n}`), '0002 was held');
    const other = await store.commit(change({ localCode: 'L-x', receivedAt: '2026-11-28T08:00:00+07:00' }));
    t.equal(other.receipt.dossierCode, `${AGENCY}-261128-0001`, 'another day starts at 1');
    t.equal(await store.findCodeByLocal('sys-a', 'L-3'), codes[3]);
    const update = await store.commit(change({ localCode: 'L-3' }));
    t.equal(update.receipt.dossierCode, codes[3], 'the local number finds its dossier');
    t.equal(update.receipt.revision, 2);
    await t.rejects(store.commit(change({ localCode: 'L-3', code: codes[4] })), { code: 'HUB_CODE_CONFLICT' });
  });

  t.test('the feed pages in change order, a changed dossier moves to the end, filters and scope apply', async (t) => {
    const { store } = await factory.open(t);
    const a = `${AGENCY}-261127-0001`;
    const b = `${AGENCY}-261127-0002`;
    await store.commit(change({ code: a }));
    await store.commit(change({ code: b, status: 4 }));
    await store.commit(change({ code: a, status: 4 }));
    const page1 = await store.feed({ limit: 1 });
    t.same(page1.items.map((d) => d.code), [b]);
    const page2 = await store.feed({ after: page1.last!, limit: 10 });
    t.same(page2.items.map((d) => d.code), [a]);
    t.same((await store.feed({ after: page2.last!, limit: 10 })).items, []);
    t.same((await store.feed({ status: 4, limit: 10 })).items.map((d) => d.code), [b, a]);
    t.same((await store.feed({ scope: ['nobody'], limit: 10 })).items, []);
    t.same((await store.feed({ scope: [AGENCY], agency: AGENCY, procedure: '1.004227', limit: 10 })).items.length, 2);
  });

  t.test('outbox: pending in order, marked relayed, backlog counted', async (t) => {
    const { store } = await factory.open(t);
    for (let i = 1; i <= 3; i++) await store.commit(change({ code: `${AGENCY}-261127-000${i}` }));
    const rows = await store.pendingOutbox(10);
    t.same(rows.map((r) => r.revision), [1, 1, 1]);
    t.ok(rows[0]!.seq < rows[1]!.seq && rows[1]!.seq < rows[2]!.seq);
    t.equal((await store.outboxBacklog()).count, 3);
    await store.markRelayed([rows[0]!.seq]);
    t.same((await store.pendingOutbox(10)).map((r) => r.seq), [rows[1]!.seq, rows[2]!.seq]);
    t.same((await store.pendingOutbox(10, rows[1]!.seq)).map((r) => r.seq), [rows[2]!.seq]);
    t.match(await store.outboxBacklog(), { count: 2, oldestCreatedAt: rows[1]!.createdAt });
  });
}
