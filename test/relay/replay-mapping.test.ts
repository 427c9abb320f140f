// api.md "Dead letters", mapping.md §13: a dead letter of a mapping system is replayed encoded with the version now
// active (the default) or, with `mapping: "original"`, with the version it failed with — through the real broker
// to a real HTTP target, the pinned version kept on the replayed message.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startHub, dossier, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';
import { adminHeaders, brokerUp, cleanup, codeFor, startTarget, waitFor } from './helpers.js';

const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;
const KHDT = JSON.parse(readFileSync(`${SYSTEMS}so-khdt/mapping.json`, 'utf8')) as Record<string, any>;
const AGENCY = '000.00.10.H12';
const withVersionMark = (mark: string) => ({ ...KHDT, encode: { ...KHDT.encode, write: { phienBan: { value: mark } } } });

let hub: TestHub;
t.before(async () => {
  hub = await startHub({ relay: true, config: { retryDelaysMs: [200], retryAttempts: 1 } });
  await brokerUp(hub);
});
t.teardown(async () => cleanup(hub, ['so-khdt'])());

const admin = (method: string, url: string, payload?: unknown) =>
  hub.app.inject({ method: method as 'GET', url, headers: adminHeaders(ADMIN_TOKEN), ...(payload === undefined ? {} : { payload: payload as object }) });

t.test('replay with the active version or the original one', async (t) => {
  const target = await startTarget(() => 400);
  t.teardown(() => target.close());
  const platformKey = await hub.register({ id: 'cong', role: 'platform' });
  const reg = await admin('POST', '/v1/admin/systems', {
    id: 'so-khdt', name: 'Sở KHĐT', adapter: 'mapping', role: 'source', level: 'province', agencies: [AGENCY],
    delivery: { mode: 'push', url: target.url, timeoutMs: 2000 }, subscriptions: [{ events: ['dossier.received'], scope: 'own' }], mapping: withVersionMark('v1'),
  });
  t.equal(reg.statusCode, 201, reg.body);
  for (const n of [1, 2]) {
    const res = await hub.post('cong', platformKey, dossier({ code: codeFor(n, AGENCY), agency: { code: AGENCY, level: 'province' } }));
    t.equal(res.statusCode, 202, res.body);
  }
  const dead = await waitFor('two dead letters', async () => {
    const items = (await admin('GET', '/v1/admin/dead-letters?system=so-khdt')).json().items as { id: string; dossierCode: string; encodedBy: { version: number } | null }[];
    return items.length === 2 ? items : undefined;
  });
  t.same(target.hits.map((h) => JSON.parse(h.body).phienBan), ['v1', 'v1'], 'both failed encoded with version 1');
  const sha1 = (await admin('GET', '/v1/admin/systems/so-khdt')).json().mapping.sha256 as string;
  t.same(dead.map((d) => d.encodedBy), [{ adapter: 'mapping', version: 1, sha256: sha1 }, { adapter: 'mapping', version: 1, sha256: sha1 }]);

  const v2 = await admin('PUT', '/v1/admin/systems/so-khdt/mapping', { mapping: withVersionMark('v2') });
  t.equal(v2.statusCode, 201, v2.body);
  t.equal(v2.json().active, true);

  const bad = await admin('POST', `/v1/admin/dead-letters/${dead[0]!.id}/replay`, { mapping: 'first' });
  t.equal(bad.statusCode, 422, 'only active or original');
  t.equal(bad.json().code, 'HUB_VALIDATION');

  const original = await admin('POST', `/v1/admin/dead-letters/${dead[0]!.id}/replay`, { mapping: 'original' });
  t.equal(original.statusCode, 202, original.body);
  await waitFor('the replay encoded with the original version', () => target.hits.length >= 3);
  t.equal(JSON.parse(target.hits[2]!.body).phienBan, 'v1', 'encoded with version 1, the one it failed with');
  const again = await waitFor('the replay failed again', async () => (await hub.ctx.store.relay.listDeadLetters({ system: 'so-khdt', limit: 10 })).find((d) => d.dossierCode === dead[0]!.dossierCode && d.id !== dead[0]!.id));
  t.match(again.encodedBy, { adapter: 'mapping', version: 1 }, 'its attempt recorded version 1');

  const active = await admin('POST', `/v1/admin/dead-letters/${dead[1]!.id}/replay`, {});
  t.equal(active.statusCode, 202, active.body);
  await waitFor('the replay encoded with the active version', () => target.hits.length >= 4);
  t.equal(JSON.parse(target.hits[3]!.body).phienBan, 'v2', 'the default encodes with the active version');

  const audit = (await hub.ctx.store.listAudit(0, 1000)).filter((a) => a.action === 'dead-letter.replay' && (a.detail as { eventId?: string } | null)?.eventId);
  t.same(audit.map((a) => [a.target, (a.detail as { mapping: string }).mapping]), [[dead[0]!.id, 'original'], [dead[1]!.id, 'active']], 'the replays audited with their choice');
});
