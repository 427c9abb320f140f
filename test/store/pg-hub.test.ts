// The hub on PostgreSQL (DATABASE_URL): registration, an inbound dossier, its timeline and the feed, the audit
// chain, through the HTTP routes, with HUB_DB_POOL from the configuration.
import t from 'tap';
import { ADMIN_TOKEN, dossier, startHub } from '../helpers/hub.js';
import { tempDatabase } from '../helpers/pg.js';
import { loadConfig } from '../../src/config.js';
import { brokerUp, cleanup, waitFor } from '../relay/helpers.js';

t.test('HUB_DB_POOL: validated, default 10', async (t) => {
  t.equal(loadConfig({}).dbPool, 10);
  t.equal(loadConfig({ HUB_DB_POOL: '3' }).dbPool, 3);
  t.throws(() => loadConfig({ HUB_DB_POOL: '0' }), /dbPool/);
});

t.test('a hub with DATABASE_URL stores in PostgreSQL', async (t) => {
  const url = await tempDatabase(t);
  const hub = await startHub({ config: { databaseUrl: url, dbPool: 3 } });
  t.teardown(() => hub.close());
  t.equal(hub.ctx.store.kind, 'postgres');
  const key = await hub.register({ id: 'vpdk', agencies: [{ code: '000.00.15.H12' }] });
  const res = await hub.post('vpdk', key, dossier());
  t.equal(res.statusCode, 202, res.body);
  t.match(res.json(), { dossierCode: '000.00.15.H12-261127-0007', revision: 1, duplicate: false });
  t.equal((await hub.post('vpdk', key, dossier())).json().duplicate, true);
  const events = await hub.get('/v1/dossiers/000.00.15.H12-261127-0007/events', key);
  t.equal(events.json().items.length, 1);
  const feed = await hub.get('/v1/dossiers?limit=10', key);
  t.same(feed.json().items.map((d: { code: string }) => d.code), ['000.00.15.H12-261127-0007']);
  const verify = await hub.app.inject({ method: 'GET', url: '/v1/admin/audit/verify', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  t.match(verify.json(), { ok: true });
  t.ok(verify.json().entries >= 1, 'the registration was audited');
});

t.test('on PostgreSQL the relay takes the lease, relays the outbox and fills a mailbox', async (t) => {
  const url = await tempDatabase(t);
  const hub = await startHub({ relay: true, config: { databaseUrl: url, dbPool: 4 } });
  t.teardown(cleanup(hub, []));
  const platform = await hub.register({ id: 'cong', role: 'platform' });
  const pullKey = await hub.register({ id: 'pg-pull', agencies: ['000.00.64.H12'], delivery: { mode: 'pull' }, subscriptions: [{ events: ['dossier.received'], scope: 'own' }] });
  await brokerUp(hub);
  const pending = hub.app.inject({ method: 'GET', url: '/v1/systems/pg-pull/messages?waitSeconds=15', headers: { authorization: `Bearer ${pullKey}` } });
  await new Promise((r) => setTimeout(r, 300));
  const res = await hub.post('cong', platform, dossier({ code: '000.00.64.H12-261127-0001', agency: { code: '000.00.64.H12', level: 'province' } }));
  t.equal(res.statusCode, 202, res.body);
  const got = await pending;
  t.match(got.json().messages, [{ type: 'dossier.received', dossierCode: '000.00.64.H12-261127-0001', revision: 1 }], 'woken by NOTIFY, relayed through RabbitMQ');
  await waitFor('the outbox relayed', async () => (await hub.ctx.store.outboxBacklog()).count === 0);
});

t.test('two hubs on one database: a registration on one is seen by the other at once', async (t) => {
  const url = await tempDatabase(t);
  const a = await startHub({ config: { databaseUrl: url, dbPool: 2 } });
  const b = await startHub({ config: { databaseUrl: url, dbPool: 2 }, dataDir: a.dataDir });
  t.teardown(async () => { await b.close(); await a.close(); });
  const key = await a.register({ id: 'late', agencies: [{ code: '000.00.15.H12' }] });
  await waitFor('B knows the system', () => b.ctx.registry.get('late'), 2000);
  const res = await b.post('late', key, dossier());
  t.equal(res.statusCode, 202, res.body);
  t.equal((await a.get('/v1/dossiers/000.00.15.H12-261127-0007', key)).json().revision, 1, 'and A reads what B stored');
});
