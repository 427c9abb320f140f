// Conformance: planned deliveries, the mailbox, dead letters.
import type { Test } from 'tap';
import type { StoreFactory } from './harness.js';

const mail = (eventId: string, revision = 1) => ({
  systemId: 'sys-m', eventId, dossierCode: 'D1', revision, type: 'dossier.updated' as const, contentType: 'application/json', body: `{"n":${revision}}`, bodyIsJson: true,
});
const deadOf = (eventId: string) => ({ systemId: 'sys-p', eventId, dossierCode: 'D1', revision: 1, reason: 'HTTP 500', attempts: 3, lastResponse: 'x', event: '{}' });

export function relayTests(t: Test, factory: StoreFactory): void {
  t.test('deliveries: planned once, order per dossier, delivered', async (t) => {
    const { store } = await factory.open(t);
    const r = store.relay;
    await r.plan([{ systemId: 'sys-p', eventId: 'e1', dossierCode: 'D1', revision: 1 }, { systemId: 'sys-p', eventId: 'e2', dossierCode: 'D1', revision: 2 }], [], []);
    await r.plan([{ systemId: 'sys-p', eventId: 'e1', dossierCode: 'D1', revision: 1 }], [], []);
    t.equal(await r.deliveryState('sys-p', 'e1'), 'pending');
    t.equal(await r.earlierPending('sys-p', 'D1', 2), true);
    await r.markDelivered('sys-p', 'e1');
    t.equal(await r.deliveryState('sys-p', 'e1'), 'delivered');
    t.equal(await r.earlierPending('sys-p', 'D1', 2), false);
    t.equal(await r.deliveryState('sys-p', 'nope'), undefined);
  });

  t.test('mailbox: hand-out hides, comes back, ack, onMailbox', async (t) => {
    const { store } = await factory.open(t);
    const r = store.relay;
    const told: string[] = [];
    const off = r.onMailbox((s) => told.push(s));
    await r.plan([], [mail('e1', 1), mail('e2', 2)], []);
    await r.plan([], [mail('e1', 1)], []);
    for (let i = 0; i < 100 && !told.length; i++) await new Promise((res) => setTimeout(res, 20));
    t.ok(told.includes('sys-m'), 'onMailbox told');
    off();
    const now = Date.now();
    const got = await r.mailboxTake('sys-m', 10, 30_000, now);
    t.same(got.map((m) => [m.eventId, m.body]), [['e1', { n: 1 }], ['e2', { n: 2 }]], 'oldest first, JSON body parsed');
    t.same(await r.mailboxTake('sys-m', 10, 30_000, now), [], 'hidden');
    t.equal(await r.mailboxNextVisible('sys-m'), now + 30_000);
    const again = await r.mailboxTake('sys-m', 1, 30_000, now + 30_000);
    t.same(again.map((m) => m.id), [got[0]!.id], 'visible again after the timeout, same id');
    t.equal(await r.mailboxAck('sys-m', got[0]!.id), 'acked');
    t.equal(await r.mailboxAck('sys-m', got[0]!.id), 'already');
    t.equal(await r.mailboxAck('sys-m', 'nope'), 'unknown');
    t.equal(await r.mailboxAck('other', got[1]!.id), 'unknown', 'another system never had it');
    t.match(await r.depths!(), { mailbox: { 'sys-m': 1 } });
  });

  t.test('concurrent hand-outs never give one message twice', async (t) => {
    const { store } = await factory.open(t);
    const r = store.relay;
    await r.plan([], Array.from({ length: 30 }, (_, i) => mail(`e${i}`, i + 1)), []);
    const takes = await Promise.all(Array.from({ length: 6 }, () => r.mailboxTake('sys-m', 10, 60_000)));
    const ids = takes.flat().map((m) => m.id);
    t.equal(new Set(ids).size, ids.length, 'no message handed out twice');
    t.equal(ids.length, 30);
  });

  t.test('dead letters: stored, listed, replayed or discarded once', async (t) => {
    const { store } = await factory.open(t);
    const r = store.relay;
    await r.plan([{ systemId: 'sys-p', eventId: 'd1', dossierCode: 'D1', revision: 1 }], [], []);
    const d1 = await r.addDeadLetter(deadOf('d1'));
    t.equal(await r.deliveryState('sys-p', 'd1'), 'dead');
    await r.plan([], [], [deadOf('d1'), deadOf('d2')]);
    const list = await r.listDeadLetters({ limit: 10 });
    t.same(list.map((d) => d.eventId), ['d1', 'd2'], 'an open one is not stored twice');
    t.match(list[0], { systemId: 'sys-p', dossierCode: 'D1', reason: 'HTTP 500', attempts: 3, lastResponse: 'x', event: '{}' });
    t.same((await r.listDeadLetters({ after: d1.id, limit: 10 })).map((d) => d.eventId), ['d2']);
    t.same(await r.listDeadLetters({ system: 'other', limit: 10 }), []);
    t.equal((await r.getDeadLetter(d1.id))?.eventId, 'd1');
    t.equal(await r.resolveDeadLetter(d1.id, 'replayed'), true);
    t.equal(await r.resolveDeadLetter(d1.id, 'discarded'), false, 'closed already');
    t.equal(await r.deliveryState('sys-p', 'd1'), 'pending', 'replayed: pending again');
    t.equal(await r.getDeadLetter(d1.id), undefined);
    t.match(await r.depths!(), { deadLetters: { 'sys-p': 1 } });
  });
}
