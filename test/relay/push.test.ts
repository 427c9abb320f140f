// Push delivery against the real broker and real local HTTP targets: retries with growing delays, dead
// letters (store + `<p>.dead`) and their replay, per-dossier order behind a retry, dedup of a redelivery.
import t from 'tap';
import amqp from 'amqplib';
import { startHub, dossier, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';
import { AMQP_URL, adminHeaders, brokerUp, cleanup, codeFor, startTarget, waitFor } from './helpers.js';

const DELAYS = [200, 400, 800];
const SYSTEMS = ['svc-retry', 'svc-dead', 'svc-order', 'svc-refused'];
const AGENCY = { 'svc-retry': '000.00.41.H12', 'svc-dead': '000.00.42.H12', 'svc-order': '000.00.43.H12', 'svc-refused': '000.00.44.H12' } as const;

let hub: TestHub;
let platformKey: string;

t.before(async () => {
  hub = await startHub({ relay: true, config: { retryDelaysMs: DELAYS, retryAttempts: 4 } });
  platformKey = await hub.register({ id: 'cong', role: 'platform' });
  await brokerUp(hub);
});
t.teardown(async () => cleanup(hub, SYSTEMS)());

const registerTarget = (id: keyof typeof AGENCY, url: string, events = ['dossier.received']) => hub.register({
  id, agencies: [AGENCY[id]], delivery: { mode: 'push', url, timeoutMs: 2000 },
  subscriptions: [{ events: events as never, scope: 'own' }],
});
const postFor = async (id: keyof typeof AGENCY, n: number, extra: Record<string, unknown> = {}) => {
  const res = await hub.post('cong', platformKey, dossier({ code: codeFor(n, AGENCY[id]), agency: { code: AGENCY[id], level: 'province' }, ...extra }));
  if (res.statusCode !== 202) throw new Error(`${res.statusCode} ${res.body}`);
  return res.json();
};

t.test('a target that answers 503 for a while is sent the event once it recovers, after growing delays', async (t) => {
  const target = await startTarget((n) => (n < 3 ? 503 : 200));
  t.teardown(() => target.close());
  await registerTarget('svc-retry', target.url); // registered at run time: served at once
  const receipt = await postFor('svc-retry', 1);
  await waitFor('the 4th attempt', () => target.hits.length >= 4);
  await new Promise((r) => setTimeout(r, 1200));
  t.equal(target.hits.length, 4, 'three failures and one success, nothing after');
  const gaps = target.hits.slice(1).map((h, i) => h.at - target.hits[i]!.at);
  t.comment(`gaps between attempts: ${gaps.join(', ')} ms`);
  t.ok(gaps[0]! >= 150 && gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, 'growing delays (tiers 200, 400, 800 ms with jitter)');
  const ids = new Set(target.hits.map((h) => h.headers['x-event-id']));
  t.equal(ids.size, 1, 'the same event each time');
  const hit = target.hits[3]!;
  t.equal(hit.headers['x-dossier-code'], receipt.dossierCode);
  t.equal(hit.headers['x-revision'], '1');
  t.equal(hit.headers['content-type'], 'application/cloudevents+json', 'the canonical adapter posts the CloudEvent');
  t.equal(JSON.parse(hit.body).id, hit.headers['x-event-id']);

  // A redelivery of the same event (a duplicate publish) is not sent again.
  const conn = await amqp.connect(AMQP_URL);
  t.teardown(() => conn.close().catch(() => {}));
  const ch = await conn.createConfirmChannel();
  ch.publish(`${hub.ctx.config.amqpPrefix}.deliver`, 'svc-retry', Buffer.from(hit.body), {
    messageId: hit.headers['x-event-id'] as string, persistent: true,
    headers: { 'x-dossier-code': receipt.dossierCode, 'x-revision': 1, 'x-attempt': 0 },
  });
  await ch.waitForConfirms();
  await waitFor('the duplicate to be consumed', async () => /hub_delivery_results_total\{system="svc-retry",result="duplicate"\} 1/.test((await hub.app.inject('/metrics')).body), 5000);
  t.equal(target.hits.length, 4, 'the duplicate was dropped at delivery');
});

t.test('a target that answers 400 makes a dead letter (store and <p>.dead); fixed and replayed, it is delivered', async (t) => {
  let fixed = false;
  const target = await startTarget(() => (fixed ? 200 : 400));
  t.teardown(() => target.close());
  await registerTarget('svc-dead', target.url);
  const receipt = await postFor('svc-dead', 1);
  const list = await waitFor('a dead letter', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/v1/admin/dead-letters?system=svc-dead', headers: adminHeaders(ADMIN_TOKEN) });
    return res.json().items.length ? res.json() : undefined;
  });
  t.equal(target.hits.length, 1, 'a permanent failure is not retried');
  const dl = list.items[0];
  t.match(dl, { system: 'svc-dead', dossierCode: receipt.dossierCode, reason: 'HTTP 400', attempts: 1, eventId: target.hits[0]!.headers['x-event-id'] });
  t.match(dl.lastResponse, /^HTTP 400: refused with 400/);
  t.type(list.nextCursor, 'string');

  const conn = await amqp.connect(AMQP_URL);
  t.teardown(() => conn.close().catch(() => {}));
  const ch = await conn.createChannel();
  const copy = await waitFor('the copy in <p>.dead', async () => (await ch.get(`${hub.ctx.config.amqpPrefix}.dead`, { noAck: true })) || undefined, 5000);
  t.equal(copy.properties.messageId, dl.eventId);
  t.equal(copy.properties.headers?.['x-system'], 'svc-dead');
  t.equal(copy.properties.headers?.['x-reason'], 'HTTP 400');

  fixed = true;
  const replay = await hub.app.inject({ method: 'POST', url: `/v1/admin/dead-letters/${dl.id}/replay`, headers: adminHeaders(ADMIN_TOKEN) });
  t.equal(replay.statusCode, 202, replay.body);
  await waitFor('the replayed delivery', () => target.hits.length >= 2);
  t.equal(target.hits[1]!.headers['x-event-id'], dl.eventId);
  const after = await hub.app.inject({ method: 'GET', url: '/v1/admin/dead-letters?system=svc-dead', headers: adminHeaders(ADMIN_TOKEN) });
  t.same(after.json().items, [], 'no longer a dead letter');
  const again = await hub.app.inject({ method: 'POST', url: `/v1/admin/dead-letters/${dl.id}/replay`, headers: adminHeaders(ADMIN_TOKEN) });
  t.equal(again.statusCode, 404);

  // Discard: another failure, deleted.
  fixed = false;
  await postFor('svc-dead', 2);
  const second = await waitFor('a second dead letter', async () => (await hub.ctx.store.relay.listDeadLetters({ system: 'svc-dead', limit: 10 }))[0]);
  const del = await hub.app.inject({ method: 'DELETE', url: `/v1/admin/dead-letters/${second.id}`, headers: adminHeaders(ADMIN_TOKEN) });
  t.equal(del.statusCode, 204);
  const delAgain = await hub.app.inject({ method: 'DELETE', url: `/v1/admin/dead-letters/${second.id}`, headers: adminHeaders(ADMIN_TOKEN) });
  t.equal(delAgain.statusCode, 404);
  const noAuth = await hub.app.inject({ method: 'GET', url: '/v1/admin/dead-letters' });
  t.equal(noAuth.statusCode, 401);
  const audit = await hub.ctx.store.listAudit(0, 1000);
  t.ok(audit.some((a) => a.action === 'dead-letter.replay' && a.target === dl.id), 'replay audited');
  t.ok(audit.some((a) => a.action === 'dead-letter.discard' && a.target === second.id), 'discard audited');
});

t.test('a later revision waits while an earlier one to the same target is in retry', async (t) => {
  let failuresOfFirst = 0;
  const target = await startTarget((_n, hit) => {
    if (hit.headers['x-revision'] === '1' && failuresOfFirst < 2) {
      failuresOfFirst++;
      return 503;
    }
    return 200;
  });
  t.teardown(() => target.close());
  await registerTarget('svc-order', target.url, ['dossier.received', 'dossier.status-changed']);
  await postFor('svc-order', 1);
  await postFor('svc-order', 1, { status: 4, steps: [{ at: '2026-11-27T08:15:00+07:00', status: 2 }, { at: '2026-11-28T08:00:00+07:00', status: 4 }] });
  await waitFor('both revisions delivered', () => target.hits.filter((h) => h.headers['x-revision'] === '2').length >= 1 && failuresOfFirst === 2, 10_000);
  await new Promise((r) => setTimeout(r, 300));
  const order = target.hits.map((h) => h.headers['x-revision']);
  t.same(order, ['1', '1', '1', '2'], 'revision 2 is sent only after revision 1 got through');
});

t.test('connection refused is transient; the last attempt makes a dead letter', async (t) => {
  const closed = await startTarget(() => 200);
  await closed.close(); // nothing listens there any more
  await registerTarget('svc-refused', closed.url);
  await postFor('svc-refused', 1);
  const dl = await waitFor('exhausted attempts', async () => (await hub.ctx.store.relay.listDeadLetters({ system: 'svc-refused', limit: 10 }))[0], 10_000);
  t.equal(dl.attempts, 4);
  t.match(dl.reason, /^attempts exhausted \(4\): network: ECONNREFUSED/);
});
