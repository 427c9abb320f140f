// Issue 11 / mapping.md §19: the shipped Planning and Investment (now Sở Tài chính) system, as a fresh install starts
// with the project's own config/: registered at first start as mapping version 1 with its samples approved by hub
// and no key ("credentials": "manual"), so it cannot post; an administrator switches it on by issuing its first key;
// its sample payload then gives a stored dossier and an event on a real AMQP consumer (a vhost of the test's own).
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import amqp, { type ConsumeMessage } from 'amqplib';
import { ADMIN_TOKEN, startHub } from '../helpers/hub.js';
import { createVhost } from '../helpers/vhost.js';
import { topologyNames } from '../../src/relay/topology.js';
import { brokerUp, waitFor } from '../relay/helpers.js';

const CONFIG = new URL('../../config/', import.meta.url).pathname;
type Json = Record<string, any>;

t.test('so-khdt ships switched off, is switched on by its first key, and its sample payload flows', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-shipped-khdt-'));
  const vhost = createVhost('khdt');
  const hub = await startHub({ dataDir: path.join(dir, 'data'), configDir: CONFIG, relay: { amqpUrl: vhost.url } });
  const conn = await amqp.connect(vhost.url);
  t.teardown(async () => { await conn.close().catch(() => {}); await hub.close(); vhost.remove(); rmSync(dir, { recursive: true, force: true }); });
  const admin = (method: string, url: string, payload?: unknown) => hub.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('platform', { durable: true });
  await ch.assertExchange(topologyNames(hub.ctx.config.amqpPrefix).events, 'topic', { durable: true });
  await ch.bindQueue(queue, topologyNames(hub.ctx.config.amqpPrefix).events, 'dossier.#');
  const events: ConsumeMessage[] = [];
  await ch.consume(queue, (m) => { if (m) { events.push(m); ch.ack(m); } });
  await brokerUp(hub);

  // First start: registered, mapping version 1, its shipped samples approved by hub, no key at all.
  const sys = (await admin('GET', '/v1/admin/systems/so-khdt')).json() as Json;
  t.match(sys, { id: 'so-khdt', adapter: 'mapping', status: 'active', agencies: [{ code: '000.00.10.H12' }], mapping: { activeVersion: 1, versions: 1 } });
  t.same(sys.keys, [], 'no key until an administrator issues one');
  t.notOk(existsSync(path.join(dir, 'data', 'keys', 'so-khdt.key')), 'no key file');
  const v1 = (await admin('GET', '/v1/admin/systems/so-khdt/mappings/1')).json() as Json;
  t.same(JSON.parse(typeof v1.document === 'string' ? v1.document : JSON.stringify(v1.document)), JSON.parse(readFileSync(path.join(CONFIG, 'systems', 'so-khdt', 'mapping.json'), 'utf8')),
    'version 1 is the shipped document');
  const samples = ((await admin('GET', '/v1/admin/systems/so-khdt/samples')).json() as Json).items as Json[];
  t.same(samples.map((s) => [s.name, s.ok, s.reproduces]).sort(), [['khdt', true, true], ['khdt-broken', false, true], ['khdt-ma-quoc-gia', true, true]]);
  const payload = readFileSync(path.join(CONFIG, 'systems', 'so-khdt', 'samples', 'khdt.json'));
  const post = (key: string) => hub.app.inject({ method: 'POST', url: '/v1/inbound/so-khdt', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload });
  t.equal((await post('so-khdt.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).statusCode, 401, 'switched off: nothing is accepted');
  t.equal(((await admin('GET', '/v1/admin/rollout')).json() as Json).items.find((e: Json) => e.id === 'so-khdt').systemId, 'so-khdt', 'the rollout entry links it');

  // Switched on: its first key.
  const issued = await admin('POST', '/v1/admin/systems/so-khdt/keys', { overlapSeconds: 0 });
  t.equal(issued.statusCode, 201, issued.body);
  const key = (issued.json() as Json).apiKey as string;
  t.equal(((await admin('GET', '/v1/admin/systems/so-khdt')).json() as Json).keys.length, 1);

  const res = await post(key);
  t.equal(res.statusCode, 202, res.body);
  const receipt = res.json() as Json;
  const code = receipt.dossierCode as string;
  t.match(code, /^000\.00\.10\.H12-261127-\d{4}$/);
  const platformKey = readFileSync(path.join(dir, 'data', 'keys', 'cong-dvc-tinh.key'), 'utf8').trim();
  const stored = (await hub.app.inject({ method: 'GET', url: `/v1/dossiers/${code}`, headers: { authorization: `Bearer ${platformKey}` } })).json() as Json;
  const expected = JSON.parse(readFileSync(path.join(CONFIG, 'systems', 'so-khdt', 'samples', 'khdt.expected.json'), 'utf8')).items[0].change as Json;
  t.match(stored, { status: expected.status, applicant: expected.applicant, procedure: expected.procedure, fees: expected.fees, extensions: expected.extensions, receivedAt: expected.receivedAt },
    'stored as the approved sample decodes');
  const ev = await waitFor('dossier.received on the platform queue', () => events.find((m) => m.properties.headers?.['x-dossier-code'] === code));
  t.equal(ev.properties.type, 'dossier.received');
  t.equal(ev.properties.headers?.['x-source-system'], 'so-khdt');
  const prov = (await admin('GET', `/v1/admin/dossiers/${code}/provenance`)).json() as Json;
  t.strictSame(prov.revisions[0].decodedBy, { adapter: 'mapping', version: 1, sha256: v1.sha256 }, 'decoded by the shipped version 1');
});
