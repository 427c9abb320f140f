// Issue 11: retiring a system stops its deliveries: pending pushes (waiting in a retry tier) and unacknowledged
// mailbox messages become dead letters "system retired", whose replay is 409, and `<p>.deliver.<id>` is deleted.
import t from 'tap';
import amqp from 'amqplib';
import { startHub, dossier, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';
import { AMQP_URL, brokerUp, cleanup, codeFor, startTarget, waitFor } from '../relay/helpers.js';

const PUSH = { id: 'svc-retire-push', agency: '000.00.51.H12' };
const PULL = { id: 'svc-retire-pull', agency: '000.00.52.H12' };
let hub: TestHub;
let platformKey: string;
const admin = (method: 'GET' | 'POST' | 'DELETE', url: string) => hub.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

t.before(async () => {
  // One long retry tier: a failed delivery stays pending in it for the whole test.
  hub = await startHub({ relay: true, config: { retryDelaysMs: [60_000], retryAttempts: 5 } });
  platformKey = await hub.register({ id: 'cong', role: 'platform' });
  await brokerUp(hub);
});
t.teardown(async () => cleanup(hub, [PUSH.id, PULL.id])());

t.test('pending deliveries become dead letters and the queue is deleted', async (t) => {
  const target = await startTarget(() => 503);
  t.teardown(() => target.close());
  await hub.register({ id: PUSH.id, agencies: [PUSH.agency], delivery: { mode: 'push', url: target.url, timeoutMs: 2000 }, subscriptions: [{ events: ['dossier.received'], scope: 'own' }] });
  await hub.register({ id: PULL.id, agencies: [PULL.agency], delivery: { mode: 'pull' }, subscriptions: [{ events: ['dossier.received'], scope: 'own' }] });
  for (const [i, s] of [[1, PUSH], [2, PULL]] as const) {
    const res = await hub.post('cong', platformKey, dossier({ code: codeFor(i, s.agency), agency: { code: s.agency, level: 'province' } }));
    t.equal(res.statusCode, 202);
  }
  await waitFor('the first push attempt', () => target.hits.length >= 1);
  await waitFor('the pending push and the mailbox message', async () =>
    (await hub.ctx.store.relay.deliveryState(PUSH.id, target.hits[0]!.headers['x-event-id'] as string)) === 'pending' &&
    (await hub.ctx.store.relay.mailboxNextVisible(PULL.id)) !== null);
  t.same((await admin('GET', '/v1/admin/dead-letters')).json().items, [], 'no dead letter before');

  for (const s of [PUSH, PULL]) t.equal((await admin('DELETE', `/v1/admin/systems/${s.id}`)).statusCode, 200);
  const dead = (await admin('GET', '/v1/admin/dead-letters')).json().items;
  t.same(dead.map((d: { system: string; reason: string }) => [d.system, d.reason]).sort(), [[PULL.id, 'system retired'], [PUSH.id, 'system retired']]);
  const replay = await admin('POST', `/v1/admin/dead-letters/${dead[0].id}/replay`);
  t.equal(replay.statusCode, 409);
  t.equal(replay.json().code, 'HUB_DEAD_LETTER_TARGET');

  const conn = await amqp.connect(AMQP_URL);
  t.teardown(() => conn.close().catch(() => {}));
  const queue = `${hub.ctx.config.amqpPrefix}.deliver.${PUSH.id}`;
  await waitFor('the queue to be deleted', async () => {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    try {
      await ch.checkQueue(queue);
      await ch.close();
      return false;
    } catch {
      return true; // 404 NOT_FOUND closes the channel
    }
  }, 10_000, 200);
  t.pass(`${queue} is gone`);
});
