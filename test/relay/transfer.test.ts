// A transfer (POST /v1/dossiers/{code}/transfer) reaches the system serving the target agency, push or pull;
// the system whose input caused a change is never sent it.
import t from 'tap';
import { startHub, dossier } from '../helpers/hub.js';
import { brokerUp, cleanup, codeFor, startTarget, waitFor } from './helpers.js';

const A = '000.00.71.H12';
const B = '000.00.72.H12';
const C = '000.00.73.H12';

t.test('a transfer reaches the new holder; the source is not sent its own change', async (t) => {
  const hub = await startHub({ relay: true });
  t.teardown(cleanup(hub, ['so-a', 'so-b']));
  const targetA = await startTarget(() => 200);
  const targetB = await startTarget(() => 200);
  t.teardown(() => targetA.close());
  t.teardown(() => targetB.close());
  const own = [{ events: ['dossier.received' as const, 'dossier.status-changed' as const, 'dossier.transferred' as const], scope: 'own' as const }];
  const keyA = await hub.register({ id: 'so-a', agencies: [A], delivery: { mode: 'push', url: targetA.url }, subscriptions: own });
  await hub.register({ id: 'so-b', agencies: [B], delivery: { mode: 'push', url: targetB.url }, subscriptions: own });
  const keyC = await hub.register({ id: 'so-c', agencies: [C], delivery: { mode: 'pull' }, subscriptions: [{ events: ['dossier.transferred'], scope: 'own' }] });
  const platformKey = await hub.register({ id: 'cong', role: 'platform' });
  await brokerUp(hub);

  const code = codeFor(1, A);
  const created = await hub.post('so-a', keyA, dossier({ code, agency: { code: A, level: 'province' } }));
  t.equal(created.statusCode, 202, created.body);
  const transfer = await hub.app.inject({
    method: 'POST', url: `/v1/dossiers/${code}/transfer`, headers: { authorization: `Bearer ${keyA}` },
    payload: { toAgency: B, reason: 'Chuyển xử lý' },
  });
  t.equal(transfer.statusCode, 202, transfer.body);
  t.equal(transfer.json().revision, 2);

  const hit = await waitFor('the transfer at the new holder', () => targetB.hits[0]);
  t.equal(hit.headers['x-revision'], '2');
  const ce = JSON.parse(hit.body);
  t.equal(ce.type, 'vn.gov.lgsp.dossier.transferred');
  t.equal(ce.data.dossier.routing.holder, 'so-b', 'the system serving the target agency holds it now');
  t.equal(ce.data.dossier.agency.code, B);
  t.match(ce.data.transfer, { fromAgency: A, toAgency: B, reason: 'Chuyển xử lý' });
  t.equal(targetB.hits.length, 1, 'revision 1 was outside so-b\'s scope then');

  // The platform passes it on to a pull-mode system: its mailbox has it; A (origin) and B (earlier holder) are told.
  const onward = await hub.app.inject({
    method: 'POST', url: `/v1/dossiers/${code}/transfer`, headers: { authorization: `Bearer ${platformKey}` }, payload: { toAgency: C },
  });
  t.equal(onward.statusCode, 202, onward.body);
  const res = await hub.app.inject({ method: 'GET', url: '/v1/systems/so-c/messages?waitSeconds=10', headers: { authorization: `Bearer ${keyC}` } });
  const [m] = res.json().messages;
  t.match(m, { type: 'dossier.transferred', dossierCode: code, revision: 3 });
  t.equal(m.body.data.dossier.routing.holder, 'so-c');
  await waitFor('A and B told of the onward transfer', () => targetA.hits.length >= 1 && targetB.hits.length >= 2);
  await new Promise((r) => setTimeout(r, 300));
  t.same(targetA.hits.map((h) => h.headers['x-revision']), ['3'], 'so-a got neither its own dossier nor its own transfer, only what others did');
  t.same(targetB.hits.map((h) => h.headers['x-revision']), ['2', '3']);
});
