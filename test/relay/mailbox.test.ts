// The mailbox of pull-mode systems (api.md): long-poll woken by a new message, visibility timeout, ack,
// native bodies from the system's adapter, and who may read it.
import t from 'tap';
import { startHub, dossier, type TestHub } from '../helpers/hub.js';
import { brokerUp, cleanup, codeFor, waitFor } from './helpers.js';

const UNDP = '000.00.61.H12';
const XML = '000.00.62.H12';
let hub: TestHub;
let platformKey: string;
let undpKey: string;
let xmlKey: string;
let pushKey: string;

t.before(async () => {
  hub = await startHub({ relay: true, config: { mailboxVisibilityS: 1 } });
  platformKey = await hub.register({ id: 'cong', role: 'platform' });
  const pull = (agency: string) => ({ agencies: [agency], delivery: { mode: 'pull' as const }, subscriptions: [{ events: ['dossier.received' as const, 'dossier.status-changed' as const], scope: 'own' as const }] });
  undpKey = await hub.register({ id: 'mb-undp', adapter: 'undp-motcua', level: 'commune', ...pull(UNDP) });
  xmlKey = await hub.register({ id: 'mb-xml', adapter: 'tnmt-xml', ...pull(XML) });
  pushKey = await hub.register({ id: 'mb-push', agencies: ['000.00.63.H12'], delivery: { mode: 'push', url: 'http://127.0.0.1:9/' }, subscriptions: [] });
  await brokerUp(hub);
});
t.teardown(async () => cleanup(hub, ['mb-push'])());

const post = async (agency: string, n: number, level = 'province') => {
  const res = await hub.post('cong', platformKey, dossier({ code: codeFor(n, agency), agency: { code: agency, level } }));
  if (res.statusCode !== 202) throw new Error(`${res.statusCode} ${res.body}`);
  return res.json();
};
const read = (id: string, key: string, query = '') => hub.app.inject({ method: 'GET', url: `/v1/systems/${id}/messages${query}`, headers: { authorization: `Bearer ${key}` } });
const ack = (id: string, key: string, messageId: string) => hub.app.inject({ method: 'POST', url: `/v1/systems/${id}/messages/${messageId}/ack`, headers: { authorization: `Bearer ${key}` } });

t.test('a long-poll answers as soon as a message arrives', async (t) => {
  const started = Date.now();
  const pending = read('mb-undp', undpKey, '?waitSeconds=15');
  await new Promise((r) => setTimeout(r, 500));
  const posted = Date.now();
  const receipt = await post(UNDP, 1, 'commune');
  const res = await pending;
  const answeredAfter = Date.now() - posted;
  t.equal(res.statusCode, 200, res.body);
  t.comment(`answered ${answeredAfter} ms after the POST (${Date.now() - started} ms after asking)`);
  t.ok(answeredAfter < 3000, 'woken by the new message, not by the 15 s timeout');
  const [m] = res.json().messages;
  t.match(m, { type: 'dossier.received', dossierCode: receipt.dossierCode, revision: 1, contentType: 'application/json' });
  t.equal(typeof m.body, 'object', 'a JSON format gives a JSON value');
  t.equal(m.body.ma_ho_so_qg, receipt.dossierCode, "the UNDP adapter's native shape");
  t.equal((await ack('mb-undp', undpKey, m.id)).statusCode, 204);
});

t.test('unacknowledged comes back after the visibility timeout; acknowledged never does', async (t) => {
  await post(UNDP, 2, 'commune');
  const first = await waitFor('the message', async () => (await read('mb-undp', undpKey)).json().messages[0]);
  t.same((await read('mb-undp', undpKey)).json(), { messages: [] }, 'invisible while handed out');
  // A long-poll started now is answered when the visibility timeout (1 s) runs out.
  const asked = Date.now();
  const again = await read('mb-undp', undpKey, '?waitSeconds=10');
  const waited = Date.now() - asked;
  t.ok(waited < 3000, `handed out again after the visibility timeout (${waited} ms)`);
  const m = again.json().messages[0];
  t.equal(m.id, first.id, 'same id across hand-outs');
  t.equal(m.eventId, first.eventId);
  t.equal((await ack('mb-undp', undpKey, m.id)).statusCode, 204);
  t.equal((await ack('mb-undp', undpKey, m.id)).statusCode, 204, 'ack again: 204');
  await new Promise((r) => setTimeout(r, 1300));
  t.same((await read('mb-undp', undpKey, '?waitSeconds=1')).json(), { messages: [] }, 'an acknowledged message never comes back');
});

t.test('XML formats give a string body; max bounds the answer', async (t) => {
  await Promise.all([1, 2, 3].map((n) => post(XML, n)));
  await waitFor('three messages', async () => (await hub.ctx.store.relay.mailboxNextVisible('mb-xml')) !== null);
  await waitFor('three relayed', async () => (await hub.ctx.store.outboxBacklog()).count === 0);
  const res = await read('mb-xml', xmlKey, '?max=2');
  const { messages } = res.json();
  t.equal(messages.length, 2);
  t.equal(typeof messages[0].body, 'string');
  t.match(messages[0].body, /<GoiTin|<HoSo/);
  t.match(messages[0].contentType, /xml/);
  const rest = await read('mb-xml', xmlKey, '?max=100');
  t.equal(rest.json().messages.length, 1);
});

t.test('only the system itself reads its mailbox', async (t) => {
  const other = await read('mb-undp', xmlKey);
  t.equal(other.statusCode, 403);
  t.equal(other.json().code, 'HUB_AUTHZ_SYSTEM');
  t.equal((await ack('mb-undp', xmlKey, '01ARZ3NDEKTSV4RRFFQ69G5FAV')).statusCode, 403);
  t.equal((await ack('mb-undp', undpKey, '01ARZ3NDEKTSV4RRFFQ69G5FAV')).statusCode, 404, 'an id the system never had');
  const xmlMessage = (await hub.ctx.store.relay.mailboxTake('mb-xml', 1, 0))[0];
  if (xmlMessage) t.equal((await ack('mb-undp', undpKey, xmlMessage.id)).statusCode, 404, "another system's message id is unknown here");
  const push = await read('mb-push', pushKey);
  t.equal(push.statusCode, 409);
  t.equal(push.json().code, 'HUB_MAILBOX_NOT_PULL');
  t.equal((await read('mb-undp', undpKey, '?max=101')).statusCode, 400);
  t.equal((await read('mb-undp', undpKey, '?waitSeconds=21')).statusCode, 400);
  t.equal((await hub.app.inject({ method: 'GET', url: '/v1/systems/mb-undp/messages' })).statusCode, 401);
});
