// Operations endpoints and start-up: bootstrap systems, one-time secret files, /metrics, /docs, /openapi.json.
import t from 'tap';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, dossier } from '../helpers/hub.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Writable } from 'node:stream';

const CONFIG = new URL('../../config/', import.meta.url).pathname;

t.test('a fresh data dir: bootstrap systems registered once, keys and admin token written 0600, never logged', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-boot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs: string[] = [];
  const stream = new Writable({ write(c, _e, cb) { logs.push(String(c)); cb(); } });
  const config = loadConfig({}, { dataDir: path.join(dir, 'data'), configDir: CONFIG, relay: false, logLevel: 'info' });
  const { app, ctx } = await buildApp({ config, logStream: stream });
  await app.ready();
  t.same(ctx.registry.list().map((s) => s.id).sort(), ['cong-dvc-tinh', 'so-khdt', 'so-tnmt', 'so-tu-phap', 'so-xay-dung', 'undp-phuong-phu-my', 'undp-xa-tan-an']);
  // The two shipped mapping systems are "credentials": "manual": registered with no key, so no key file (mapping.md §19).
  for (const id of ['so-khdt', 'so-tu-phap']) {
    t.equal(ctx.registry.get(id)?.adapter, 'mapping', `${id} is a mapping system`);
    t.notOk(existsSync(path.join(dir, 'data', 'keys', `${id}.key`)), `${id}: no key file`);
  }
  const tokenFile = path.join(dir, 'data', 'secrets', 'admin-token');
  t.equal(statSync(tokenFile).mode & 0o777, 0o600);
  const token = readFileSync(tokenFile, 'utf8').trim();
  t.ok(token.length >= 32);
  const key = readFileSync(path.join(dir, 'data', 'keys', 'so-tnmt.key'), 'utf8').trim();
  t.equal(statSync(path.join(dir, 'data', 'keys', 'so-tnmt.key')).mode & 0o777, 0o600);
  const all = logs.join('');
  t.notOk(all.includes(token), 'the admin token is not logged');
  t.notOk(all.includes(key.split('.')[1]!), 'no key is logged');
  t.match(all, /admin-token/, 'the token file path is logged');
  const res = await app.inject({ method: 'POST', url: '/v1/inbound/so-tnmt', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' }, payload: readFileSync(new URL('../../../shared/spec/samples/tnmt-goi-tin.xml', import.meta.url)) });
  t.equal(res.statusCode, 202, 'the bootstrap key works');
  const admin = await app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { authorization: `Bearer ${token}` } });
  t.equal(admin.statusCode, 200, 'the generated admin token works');
  t.notOk(admin.body.includes('apiKey'), 'a listing never shows a key');
  await app.close();

  // Second start: nothing re-registered, the same token.
  const again = await buildApp({ config, logStream: new Writable({ write(_c, _e, cb) { cb(); } }) });
  t.equal(readFileSync(tokenFile, 'utf8').trim(), token, 'the token file is written once');
  t.equal(again.ctx.registry.list().length, 7);
  await again.app.close();
});

t.test('a malformed calendar stops the start with a message naming the file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-badcal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(CONFIG, 'holidays'), path.join(dir, 'config', 'holidays'), { recursive: true });
  cpSync(path.join(CONFIG, 'calendar.json'), path.join(dir, 'config', 'calendar.json'));
  const bad = JSON.parse(readFileSync(path.join(dir, 'config', 'holidays', '2026.json'), 'utf8'));
  bad.days.push({ date: '2027-01-01', type: 'off', name: 'wrong year' });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(dir, 'config', 'holidays', '2026.json'), JSON.stringify(bad));
  const config = loadConfig({}, { dataDir: path.join(dir, 'data'), configDir: path.join(dir, 'config'), relay: false, logLevel: 'silent' });
  await t.rejects(buildApp({ config }), /2026\.json/);
});

t.test('/metrics, /openapi.json, /docs, /schemas, /readyz', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  await hub.post('tnmt', key, dossier());
  await hub.post('tnmt', key, dossier({ status: 99 }));
  const metrics = await hub.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(metrics.statusCode, 200);
  t.match(metrics.body, /hub_ingest_results_total\{system="tnmt",code="OK"\} 1/);
  t.match(metrics.body, /hub_ingest_results_total\{system="tnmt",code="HUB_VALIDATION"\} 1/);
  t.match(metrics.body, /hub_http_requests_total\{method="POST",route="\/v1\/inbound\/:systemId",status="202"\}/);
  t.match(metrics.body, /hub_store_latency_seconds_bucket/);
  t.match(metrics.body, /hub_outbox_backlog 1/);

  const spec = (await hub.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  t.equal(spec.openapi, '3.1.0');
  for (const p of ['/v1/inbound/{systemId}', '/v1/dossiers/{code}', '/v1/dossiers', '/v1/admin/systems', '/readyz', '/v1/stats/ontime', '/v1/public/dossiers/{code}']) {
    t.ok(spec.paths[p], `${p} is documented`);
  }
  const refs = JSON.stringify(spec).match(/"\$ref":"([^"]+)"/g) ?? [];
  t.ok(refs.every((r) => r.includes('#/components/')), 'self-contained: every $ref points into components');
  const docs = await hub.app.inject({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200);
  t.match(docs.body, /swagger/i);
  const schema = await hub.app.inject({ method: 'GET', url: '/schemas/dossier.v1.json' });
  t.equal(schema.json().$id, 'https://lgsp-hub.local/schemas/dossier.v1.json');
  const ready = (await hub.app.inject({ method: 'GET', url: '/readyz' })).json();
  t.match(ready, { status: 'degraded', store: 'up', broker: 'down', outboxBacklog: 1 });
});
