// Issue 11, POST /v1/admin/adapters/dry-run: a candidate mapping, a system's stored version or a built-in adapter
// decodes a payload and nothing is stored; errors name their native fields; whole-payload refusals are answered
// as the inbound route would; audited with sha256s, never the payload.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ADMIN_TOKEN, startHub, type TestHub } from '../helpers/hub.js';

const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;
const read = (p: string) => readFileSync(`${SYSTEMS}${p}`, 'utf8');
const KHDT = JSON.parse(read('so-khdt/mapping.json')) as Record<string, unknown>;
const STP = JSON.parse(read('so-tu-phap/mapping.json')) as Record<string, unknown>;
const dry = (hub: TestHub, payload: unknown) =>
  hub.app.inject({ method: 'POST', url: '/v1/admin/adapters/dry-run', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: payload as object });

t.test('dry-run answers per mapping.md §16', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());

  const ok = await dry(hub, { mapping: KHDT, contentType: 'application/json', payload: read('so-khdt/samples/khdt.json') });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.json().mapping.source, 'request');
  t.equal(ok.json().items[0].ok, true);
  t.equal(ok.json().items[0].ref.localCode, 'KHDT-2026-004512');
  t.equal(ok.json().items[0].roundTrip.equal, true, 'round trip');

  // Each bad field of the broken sample is named at its native path.
  const broken = await dry(hub, { mapping: KHDT, contentType: 'application/json', payload: read('so-khdt/samples/khdt-broken.json') });
  const expected = JSON.parse(read('so-khdt/samples/khdt-broken.expected.json')) as { items: { errors: { code: string; native: string }[] }[] };
  t.same(broken.json().items[0].errors.map((e: { code: string; native: string }) => ({ code: e.code, native: e.native })), expected.items[0]!.errors);

  // The XML batch mapping: its broken sample too.
  const stp = await dry(hub, { mapping: STP, contentType: 'application/xml', payload: read('so-tu-phap/samples/stp-broken.xml') });
  t.equal(stp.statusCode, 200, stp.body);
  t.equal(stp.json().batch, true);
  const stpExpected = JSON.parse(read('so-tu-phap/samples/stp-broken.expected.json')) as { items: ({ ok: boolean; errors?: { code: string; native: string }[] })[] };
  t.same(stp.json().items.map((i: { ok: boolean; errors: { code: string; native: string }[] }) => (i.ok ? true : i.errors.map((e) => ({ code: e.code, native: e.native })))),
    stpExpected.items.map((i) => (i.ok ? true : i.errors)));

  // Refused whole: not JSON, DOCTYPE; a content type the mapping does not take is 415; a bad mapping 422.
  const notJson = await dry(hub, { mapping: KHDT, contentType: 'application/json', payload: '{"hoSo": ' });
  t.equal(notJson.json().refused.code, 'HUB_REQUEST_MALFORMED');
  t.same(notJson.json().items, []);
  const doctype = await dry(hub, { mapping: STP, contentType: 'application/xml', payloadBase64: Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>').toString('base64') });
  t.match(doctype.json().refused.code, /^HUB_/);
  t.equal((await dry(hub, { mapping: KHDT, contentType: 'text/plain', payload: 'x' })).statusCode, 415);
  const badMapping = await dry(hub, { mapping: { language: 'lgsp-mapping/1' }, contentType: 'application/json', payload: {} });
  t.equal(badMapping.statusCode, 422);
  t.equal(badMapping.json().code, 'HUB_MAPPING_INVALID');
  t.equal((await dry(hub, { contentType: 'application/json', payload: {} })).json().code, 'HUB_VALIDATION', 'nothing to decode with');
  t.equal((await dry(hub, { system: 'nope', contentType: 'application/json', payload: {} })).statusCode, 404);
  t.equal((await dry(hub, { mapping: KHDT, contentType: 'application/json' })).json().code, 'HUB_VALIDATION', 'no payload');

  // A built-in adapter: its items and native paths.
  const builtIn = await dry(hub, { adapter: 'canonical', contentType: 'application/json', payload: { code: 'x' } });
  t.equal(builtIn.statusCode, 200, builtIn.body);
  t.equal(builtIn.json().mapping.source, 'adapter');

  // A system's stored version; nothing stored; the audit has sha256s and no payload.
  const reg = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: {
    id: 'so-khdt', name: 'x', adapter: 'mapping', role: 'source', level: 'province', agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: KHDT } });
  t.equal(reg.statusCode, 201);
  const bySystem = await dry(hub, { system: 'so-khdt', contentType: 'application/json', payload: read('so-khdt/samples/khdt.json') });
  t.same([bySystem.json().mapping.source, bySystem.json().mapping.version], ['system', 1]);
  t.equal((await hub.ctx.store.feed({ limit: 10 })).items.length, 0, 'nothing stored');
  const audit = await hub.ctx.store.queryAudit({ action: 'mapping.dry-run', limit: 100 });
  t.ok(audit.length >= 10);
  t.notMatch(JSON.stringify(audit), /KHDT-2026-004512/, 'no payload in the audit');
  t.ok(audit.some((e) => (e.detail as { payloadSha256?: string } | null)?.payloadSha256), 'payload sha256 audited');
});

t.test('the admin body may be twice HUB_BODY_LIMIT; a payload over the limit is refused as inbound would (413)', async (t) => {
  const hub = await startHub({ config: { bodyLimit: 40_000 } });
  t.teardown(() => hub.close());
  const post = (payload: object) => hub.app.inject({ method: 'POST', url: '/v1/admin/adapters/dry-run', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload });
  const doc = (n: number) => JSON.stringify({ hoSo: { ghiChu: 'x'.repeat(n) } });
  // 32,000 bytes in base64 are ~43 kB of admin body: over 1 × the limit, under 2 ×, and under the limit as a payload.
  const fits = await post({ mapping: KHDT, contentType: 'application/json', payloadBase64: Buffer.from(doc(32_000)).toString('base64') });
  t.equal(fits.statusCode, 200, fits.body);
  t.notOk(fits.json().refused?.code === 'HUB_REQUEST_TOO_LARGE', 'decoded, not refused for its size');
  const large = await post({ mapping: KHDT, contentType: 'application/json', payload: doc(50_000) });
  t.equal(large.statusCode, 200, large.body);
  t.match(large.json(), { refused: { code: 'HUB_REQUEST_TOO_LARGE', status: 413 }, items: [] });
  const sample = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { id: 'khdt-big', name: 'x', adapter: 'mapping', role: 'source', level: 'province', agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: KHDT } });
  t.equal(sample.statusCode, 201, sample.body);
  const saved = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems/khdt-big/samples', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { name: 'big', contentType: 'application/json', payloadBase64: Buffer.from(doc(32_000)).toString('base64') } });
  t.equal(saved.statusCode, 201, `a sample near the inbound limit can be saved: ${saved.body.slice(0, 300)}`);
  t.equal((await post({ mapping: KHDT, contentType: 'application/json', payload: doc(90_000) })).statusCode, 413, 'over 2 × the limit: the admin body itself is too large');
});
