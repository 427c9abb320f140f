// Issue 8 items 1, 5 and 7 through the real hub over HTTP: the failed-login limit per (client address, claimed
// system) refuses every attempt during a block, a correct key included; credential-less requests count; audit
// entries never carry a presented secret; routes that need no credentials are never throttled by the limit.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHub, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';
import { freePort } from '../helpers/net.js';
import { fingerprint } from '../../src/trust/failures.js';

let hub: TestHub;
let base: string;
let key: string;
t.before(async () => {
  const port = await freePort();
  hub = await startHub({ config: { port, publicUrl: `http://127.0.0.1:${port}`, trustProxy: ['127.0.0.1'] } });
  key = await hub.register({ id: 'so-tnmt', adapter: 'tnmt-xml', agencies: ['000.00.15.H12'] });
  await hub.register({ id: 'so-xay-dung', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'] });
  await hub.app.listen({ port, host: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
});
t.teardown(() => hub.close());

// Each test speaks as its own client address (the test proxy's X-Forwarded-For), so tests do not share windows.
const from = (client: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': client, ...headers });
const get = (url: string, client: string, headers: Record<string, string> = {}) => fetch(base + url, { headers: from(client, headers) });
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
const authFailures = async (client: string) => (await hub.ctx.store.listAudit(0, 100_000)).filter((e) => e.action === 'auth.failed' && e.from === client);

t.test('after 20 failures for a system, every attempt from that client for it is 429, the right key too', async (t) => {
  const client = '10.8.0.1';
  const codes: number[] = [];
  for (let i = 0; i < 20; i++) codes.push((await get('/v1/dossiers', client, bearer('so-tnmt.guess'))).status);
  t.same(codes, Array(20).fill(401));
  const right = await get('/v1/dossiers', client, bearer(key));
  t.equal(right.status, 429, 'the correct key is refused during the block');
  t.equal((await right.json()).code, 'HUB_AUTH_RATE_LIMITED');
  const retryAfter = Number(right.headers.get('retry-after'));
  t.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, `Retry-After ${retryAfter} s: until the 15-minute window ends`);
  t.equal((await get('/v1/dossiers', client, basic('so-tnmt', key))).status, 429, 'Basic for the same system too');
  t.equal((await get('/v1/dossiers', '10.8.0.2', bearer(key))).status, 200, 'another client is not blocked');
  t.equal((await get('/v1/dossiers', client, bearer('so-xay-dung.guess'))).status, 401, 'another claimed system is not blocked');
  const inbound = await fetch(`${base}/v1/inbound/so-tnmt`, { method: 'POST', headers: from(client, { ...bearer(key), 'content-type': 'application/xml' }), body: '<GoiTin/>' });
  t.equal(inbound.status, 429, 'the native route too');
  t.ok(inbound.headers.get('retry-after'), 'with Retry-After');
});

t.test('credential-less requests count as failures of their client; open routes are not throttled', async (t) => {
  const client = '10.8.1.1';
  const codes: number[] = [];
  for (let i = 0; i < 22; i++) codes.push((await get('/v1/dossiers', client)).status);
  t.same(codes.slice(0, 20), Array(20).fill(401));
  t.same(codes.slice(20), [429, 429], 'the 21st credential-less request is 429');
  t.equal((await get('/v1/admin/systems', client)).status, 429, 'on every protected route');
  const soap = await fetch(`${base}/v1/soap/so-xay-dung`, { method: 'POST', headers: from(client, { 'content-type': 'text/xml' }), body: '<x/>' });
  t.equal(soap.status, 429, 'the SOAP endpoint without credentials');
  for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/asyncapi.json', '/docs', '/v1/soap/so-xay-dung?wsdl', '/schemas/dossier.v1.schema.json']) {
    const res = await get(url, client);
    t.not(res.status, 429, `${url} is not throttled (${res.status})`);
    t.ok(res.status < 500, `${url} answers`);
  }
  t.equal((await get('/v1/public/dossiers/000.00.15.H12-261127-0007?verifier=1234', client)).status, 404, 'the look-up is not throttled by it');
  t.equal((await get('/v1/dossiers', client, bearer(key))).status, 200, 'a client\'s keyed requests are not blocked by its credential-less ones');
  const entries = await authFailures(client);
  t.ok(entries.length >= 1, 'credential-less attempts are audited');
  t.same(entries[0]!.detail, { path: '/v1/dossiers', scheme: 'none', count: 1 });
  t.equal(entries[0]!.actor, 'anonymous');
  t.equal(entries[0]!.target, null);
});

t.test('a key typed into the Basic user name reaches neither the audit log, nor the logs, nor the store file', async (t) => {
  const client = '10.8.2.1';
  const secretKey = `${key}x`; // key-shaped, not the key
  await get('/v1/dossiers', client, basic(secretKey, 'whatever'));
  await get('/v1/dossiers', client, basic('so-tnmt', secretKey));
  await get('/v1/dossiers', client, bearer(secretKey));
  const soapEnv = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>${secretKey}</wsse:Username><wsse:Password>${secretKey}</wsse:Password></wsse:UsernameToken></wsse:Security></soap:Header><soap:Body><TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>X</MaHoSo></TraCuuHoSo></soap:Body></soap:Envelope>`;
  const soap = await fetch(`${base}/v1/soap/so-xay-dung`, { method: 'POST', headers: from(client, { 'content-type': 'text/xml' }), body: soapEnv });
  t.equal(soap.status, 401);
  const entries = await authFailures(client);
  const all = JSON.stringify(entries);
  t.notOk(all.includes(secretKey.split('.')[1]!), 'no part of the secret in the audit entries');
  const fp = fingerprint(secretKey);
  const first = entries[0]!;
  t.same({ actor: first.actor, target: first.target, detail: first.detail }, {
    actor: 'anonymous', target: null, detail: { path: '/v1/dossiers', scheme: 'basic', claimedFingerprint: fp, count: 1 },
  }, 'a claim that is not id-shaped is kept as its fingerprint');
  await hub.ctx.auth.failures.tick(Date.now() + 120_000); // summaries of the counted ones, as the tick would
  const summaries = await authFailures(client);
  t.ok(summaries.some((e) => (e.detail as { scheme?: string }).scheme === 'ws-security' && (e.detail as { claimedFingerprint?: string }).claimedFingerprint === fp), 'the WS-Security attempt is counted under the same fingerprint');
  t.notOk(JSON.stringify(summaries).includes(secretKey.split('.')[1]!), 'summaries carry no secret either');
  const logs = hub.logs.join('');
  t.notOk(logs.includes(secretKey.split('.')[1]!), 'nor in the logs');
  const db = readFileSync(path.join(hub.dataDir, 'hub.sqlite'));
  const wal = (() => { try { return readFileSync(path.join(hub.dataDir, 'hub.sqlite-wal')); } catch { return Buffer.alloc(0); } })();
  t.notOk(db.includes(secretKey.split('.')[1]!) || wal.includes(secretKey.split('.')[1]!), 'nor anywhere in the store files');
});

t.test('failures of one minute: the first written at once, the rest as one appended summary (429s included)', async (t) => {
  const client = '10.8.3.1';
  for (let i = 0; i < 25; i++) await get('/v1/dossiers', client, bearer('so-tnmt.guess'));
  const before = await authFailures(client);
  // Unless the minute turned during the loop, only the first is written so far.
  t.ok(before.length <= 2, `${before.length} entries before the tick`);
  t.equal((before[0]!.detail as { count: number }).count, 1);
  await hub.ctx.auth.failures.tick(Date.now() + 120_000);
  const after = await authFailures(client);
  const total = after.reduce((n, e) => n + (e.detail as { count: number }).count, 0);
  t.equal(total, 25, 'every attempt is counted, the five answered 429 too');
  t.ok(after.every((e) => e.target === 'so-tnmt' && e.actor === 'anonymous'));
  t.same(after.slice(0, before.length), before, 'entries already written are never updated');
});

t.test('admin: a blocked client gets 429 for the right admin token too', async (t) => {
  const client = '10.8.4.1';
  for (let i = 0; i < 20; i++) await get('/v1/admin/systems', client, bearer('not-the-admin-token'));
  t.equal((await get('/v1/admin/systems', client, bearer(ADMIN_TOKEN))).status, 429);
  t.equal((await get('/v1/admin/systems', '10.8.4.2', bearer(ADMIN_TOKEN))).status, 200);
});
