// Issue 8, header hardening: two Authorization headers → 400; a traceparent that is not W3C trace-context is
// dropped (never stored or relayed); every 401 carries WWW-Authenticate, in the native formats too. Item 10:
// a registration with a bad mapping is refused whole; a mapping system without an active version answers 422.
import t from 'tap';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { startHub, dossier, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';
import { freePort } from '../helpers/net.js';
import { WWW_AUTHENTICATE } from '../../src/trust/auth.js';

const sample = (name: string) => readFileSync(new URL(`../../../shared/spec/samples/${name}`, import.meta.url), 'utf8');

let hub: TestHub;
let port: number;
let key: string;
t.before(async () => {
  port = await freePort();
  hub = await startHub({ config: { port, publicUrl: `http://127.0.0.1:${port}` } });
  key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  await hub.register({ id: 'so-tnmt', adapter: 'tnmt-xml', agencies: ['000.00.16.H12'] });
  await hub.register({ id: 'so-xay-dung', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'] });
  await hub.app.listen({ port, host: '127.0.0.1' });
});
t.teardown(() => hub.close());

/** One request written byte for byte (fetch and inject cannot repeat a header). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(request));
    let out = '';
    s.on('data', (d) => { out += String(d); });
    s.on('error', reject);
    s.on('close', () => resolve(out));
  });
}

t.test('two Authorization headers are refused with 400, on JSON and SOAP routes', async (t) => {
  const body = JSON.stringify(dossier({ code: '000.00.15.H12-261127-0101' }));
  const res = await raw(`POST /v1/inbound/tnmt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${key}\r\nAuthorization: Bearer tnmt.other\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  t.match(res, /^HTTP\/1\.1 400/);
  t.match(res, /HUB_REQUEST_MALFORMED/);
  t.equal(await hub.ctx.store.getDossier('000.00.15.H12-261127-0101'), undefined, 'nothing stored');
  const get = await raw(`GET /v1/dossiers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nauthorization: Bearer ${key}\r\nAuthorization: Bearer ${key}\r\n\r\n`);
  t.match(get, /^HTTP\/1\.1 400/, 'even when both carry the same key');
  const one = await raw(`GET /v1/dossiers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${key}\r\n\r\n`);
  t.match(one, /^HTTP\/1\.1 200/, 'one header is fine');
});

t.test('a traceparent that is not W3C trace-context is dropped; a valid one travels', async (t) => {
  const good = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const cases: [string, string | null][] = [
    [good, good],
    ['garbage', null],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', null],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', null],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01', null],
    [`${good}\u0001`, null],
    [`${good}, 00-aaaa`, null],
  ];
  let n = 200;
  for (const [header, expected] of cases) {
    const code = `000.00.15.H12-261127-0${n++}`;
    const res = await hub.post('tnmt', key, dossier({ code }), { traceparent: header });
    t.equal(res.statusCode, 202, JSON.stringify(header));
    const row = (await hub.ctx.store.pendingOutbox(10_000)).find((r) => r.dossierCode === code);
    t.equal(row?.traceparent ?? null, expected, `${JSON.stringify(header)} → ${expected}`);
  }
});

t.test('every 401 carries WWW-Authenticate: problem+json, SOAP Fault, TN&MT KetQua, admin', async (t) => {
  const base = `http://127.0.0.1:${port}`;
  const answers = [
    await fetch(`${base}/v1/dossiers`),
    await fetch(`${base}/v1/dossiers`, { headers: { authorization: 'Bearer tnmt.wrong' } }),
    await fetch(`${base}/v1/admin/systems`, { headers: { authorization: 'Bearer wrong' } }),
    await fetch(`${base}/v1/soap/so-xay-dung`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: sample('xay-dung-cap-nhat.xml') }),
    await fetch(`${base}/v1/inbound/so-tnmt`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: 'Bearer so-tnmt.wrong' }, body: sample('tnmt-goi-tin.xml') }),
  ];
  for (const [i, res] of answers.entries()) {
    t.equal(res.status, 401, res.url);
    // The SOAP adapter asks for Basic only (what SOAP stacks can answer); every other 401 offers both schemes.
    if (i === 3) t.match(res.headers.get('www-authenticate'), /^Basic realm="lgsp-hub"/, 'SOAP: Basic');
    else t.equal(res.headers.get('www-authenticate'), WWW_AUTHENTICATE, `${res.url} ${res.headers.get('content-type')}`);
  }
  t.match(await answers[3]!.text(), /Fault/, 'SOAP answers a Fault');
  t.match(await answers[4]!.text(), /KetQua/, 'TN&MT answers a KetQua');
});

t.test('adapter "mapping" with a bad mapping is refused with 422 HUB_MAPPING_INVALID and nothing is registered', async (t) => {
  const res = await hub.app.inject({
    method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { id: 'map-sys', name: 'x', adapter: 'mapping', role: 'source', level: 'province', agencies: ['000.00.17.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: { anything: true } },
  });
  t.equal(res.statusCode, 422);
  t.equal(res.json().code, 'HUB_MAPPING_INVALID');
  t.ok(res.json().errors.length > 0, 'errors point into the mapping');
  t.equal(hub.ctx.registry.get('map-sys'), undefined, 'nothing registered');
});

t.test('a system stored with an adapter this hub lacks answers 422, never 500', async (t) => {
  const record = { ...hub.ctx.registry.get('tnmt')!, id: 'legacy-map', adapter: 'mapping', agencies: [{ code: '000.00.18.H12', level: 'province' as const }] };
  const { keyHmac, newApiKey } = await import('../../src/trust/keys.js');
  const { loadSecrets } = await import('../../src/trust/secrets.js');
  const apiKey = newApiKey('legacy-map');
  await hub.ctx.store.insertSystem(record, keyHmac(loadSecrets(hub.dataDir, ADMIN_TOKEN).keySecret, apiKey));
  await hub.ctx.registry.load();
  const res = await hub.post('legacy-map', apiKey, dossier({ code: '000.00.18.H12-261127-0001', agency: { code: '000.00.18.H12', name: 'x', level: 'province' } }));
  t.equal(res.statusCode, 422);
  t.equal(res.json().code, 'HUB_SYSTEM_ADAPTER_UNKNOWN');
});
