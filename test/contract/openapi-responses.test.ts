// Real answers of every documented operation, from real HTTP requests to a started hub, validate against the
// served /openapi.json: the status is documented, the media type is documented for it, and a JSON body validates
// against the operation's response schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it).
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { startHub, dossier, ADMIN_TOKEN } from '../helpers/hub.js';
import { rsaCsr, rsaKey } from '../trust/helpers.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const SAMPLES = new URL('../../../shared/spec/samples/', import.meta.url).pathname;
const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;
type Json = Record<string, any>;
const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

t.test('every operation answers as the document says', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const base = await hub.app.listen({ port: 0, host: '127.0.0.1' });
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');

  const templates = Object.keys(doc.paths).map((p) => ({ p, re: new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
  const covered = new Set<string>();
  async function call(method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
    const res = await fetch(`${base}${url}`, { method, headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
    const body = await res.text();
    const pathOnly = url.split('?')[0]!;
    const tpl = templates.find((x) => x.re.test(pathOnly));
    const where = `${method} ${url} → ${res.status}`;
    if (!tpl) { t.fail(`${where}: no path in the document`); return { status: res.status, body }; }
    const op = doc.paths[tpl.p][method.toLowerCase()] as Json | undefined;
    if (!op) { t.fail(`${where}: no operation`); return { status: res.status, body }; }
    covered.add(op.operationId);
    const key = String(res.status) in op.responses ? String(res.status) : `${String(res.status)[0]}XX`;
    const response = op.responses[key] as Json | undefined;
    if (!response) { t.fail(`${where}: status not documented`); return { status: res.status, body }; }
    if (!response.content) { t.equal(body, '', `${where}: no body, as documented`); return { status: res.status, body }; }
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    t.ok(type in response.content, `${where}: ${type} documented`);
    if (/json$/.test(type) && type in response.content) {
      const pointer = `openapi#/paths/${esc(tpl.p)}/${method.toLowerCase()}/responses/${key}/content/${esc(type)}/schema`;
      const validate = ajv.compile({ $ref: pointer });
      t.ok(validate(JSON.parse(body)), `${where}: body validates`) || t.comment(JSON.stringify(validate.errors?.slice(0, 3)));
    }
    return { status: res.status, body };
  }
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

  // Ops and contracts.
  for (const u of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/asyncapi.json', '/schemas/dossier.v1.json']) await call('GET', u);

  // Registration of the shipped TN&MT and SOAP systems (as config/systems has them), a canonical source, a pull system.
  const shipped = readdirSync(SYSTEMS).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(SYSTEMS, f), 'utf8')) as Json);
  const keys: Record<string, string> = {};
  for (const adapter of ['tnmt-xml', 'xay-dung-soap']) {
    const reg = shipped.find((s) => s.adapter === adapter)!;
    const r = await call('POST', '/v1/admin/systems', { headers: admin, body: JSON.stringify(reg) });
    t.equal(r.status, 201);
    keys[reg.id] = JSON.parse(r.body).apiKey;
  }
  const tnmt = shipped.find((s) => s.adapter === 'tnmt-xml')!.id as string;
  const soap = shipped.find((s) => s.adapter === 'xay-dung-soap')!.id as string;
  const reg = (id: string, extra: Json) => JSON.stringify({ id, name: id, adapter: 'canonical', role: 'source', level: 'province', agencies: [], delivery: { mode: 'none' }, subscriptions: [], mapping: null, ...extra });
  const src = JSON.parse((await call('POST', '/v1/admin/systems', { headers: admin, body: reg('vpdk', { agencies: ['000.00.15.H13'] }) })).body).apiKey as string;
  const pull = JSON.parse((await call('POST', '/v1/admin/systems', { headers: admin, body: reg('pull-sys', { delivery: { mode: 'pull' }, agencies: ['000.00.16.H13'] }) })).body).apiKey as string;
  await call('POST', '/v1/admin/systems', { headers: admin, body: reg('vpdk', {}) }); // 409
  await call('POST', '/v1/admin/systems', { headers: { 'content-type': 'application/json' }, body: reg('x-sys', {}) }); // 401
  await call('GET', '/v1/admin/systems', { headers: admin });
  await call('GET', `/v1/admin/systems/${tnmt}`, { headers: admin });
  await call('GET', '/v1/admin/systems/nobody', { headers: admin });
  await call('GET', '/v1/admin/systems?status=all&limit=2', { headers: admin });
  await call('GET', '/v1/admin/systems?cursor=nonsense', { headers: admin }); // 400
  const merge = { ...admin, 'content-type': 'application/merge-patch+json' };
  t.equal((await call('PATCH', '/v1/admin/systems/pull-sys', { headers: merge, body: JSON.stringify({ name: 'Pull system' }) })).status, 200);
  await call('PATCH', '/v1/admin/systems/pull-sys', { headers: merge, body: JSON.stringify({ id: 'other' }) }); // 422
  t.equal((await call('POST', '/v1/admin/systems/pull-sys/keys', { headers: admin, body: JSON.stringify({ overlapSeconds: 60 }) })).status, 201);
  await call('POST', '/v1/admin/systems/nobody/keys', { headers: admin, body: '{}' }); // 404
  await call('DELETE', '/v1/admin/systems/nobody', { headers: admin }); // 404
  // No seed file in this hub: the registry starts empty, and the patch adds an entry linked to a system.
  t.equal((await call('PATCH', '/v1/admin/rollout', { headers: admin, body: JSON.stringify({ entries: [{ id: 'so-y-te', department: 'Sở Y tế', order: 1, systemId: 'pull-sys', note: 'contract test' }] }) })).status, 200);
  await call('PATCH', '/v1/admin/rollout', { headers: admin, body: JSON.stringify({ entries: [{ id: 'so-y-te', order: 'first' }] }) }); // 422
  t.equal((await call('GET', '/v1/admin/rollout', { headers: admin })).status, 200);
  t.equal((await call('GET', `/v1/admin/systems/${tnmt}/conformance`, { headers: admin })).status, 200);
  t.equal((await call('GET', `/v1/admin/systems/${soap}/conformance`, { headers: admin })).status, 200);
  t.equal((await call('GET', '/v1/admin/systems/nobody/conformance', { headers: admin })).status, 404);
  t.equal((await call('GET', '/v1/admin/overview', { headers: admin })).status, 200);
  await call('GET', '/v1/admin/overview'); // 401
  t.equal((await call('GET', '/v1/admin/stats/ontime?groupBy=month', { headers: admin })).status, 200);
  await call('GET', '/v1/admin/stats/ontime', { headers: { ...admin, accept: 'text/csv' } });
  await call('GET', '/v1/admin/stats/ontime?from=bad', { headers: admin }); // 400

  // The console's session: sign in (201, then 401), read it back, sign out (403 without CSRF, then 204).
  const json = { 'content-type': 'application/json' };
  await call('POST', '/v1/console/session', { headers: json, body: JSON.stringify({ token: 'not-the-token-0123456789abcdef0123456789' }) });
  const signIn = await fetch(`${base}/v1/console/session`, { method: 'POST', headers: json, body: JSON.stringify({ token: ADMIN_TOKEN }) });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  await call('POST', '/v1/console/session', { headers: json, body: JSON.stringify({ token: ADMIN_TOKEN }) });
  const csrf = (JSON.parse((await call('GET', '/v1/console/session', { headers: { cookie } })).body) as Json).csrfToken as string;
  await call('GET', '/v1/console/session'); // 401
  await call('DELETE', '/v1/console/session', { headers: { cookie } }); // 403
  t.equal((await call('DELETE', '/v1/console/session', { headers: { cookie, 'x-csrf-token': csrf } })).status, 204);

  // Inbound: canonical (202, 422, 415, 401), TN&MT (XML and JSON answers), SOAP (answer, Fault), the WSDL.
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const code = '000.00.15.H13-261127-0007';
  // Documents, fees, a supplement and a result: the DVCQG forms below carry every nested list.
  const file = { name: 'Đơn đề nghị', componentCode: 'TP01', url: 'https://dvc.example/don.pdf', digitised: true };
  const d = dossier({
    code, agency: { code: '000.00.15.H13', level: 'province' },
    documents: [file], fees: [{ code: 'LP', name: 'Lệ phí', amount: 8000, kind: 'charge', method: 'online', onlinePaid: true, paid: true }],
    supplements: [{ requestedAt: '2026-11-27T10:00:00+07:00', reason: 'Thiếu tờ khai', documents: [file] }],
    results: [{ name: 'Giấy phép', code: 'KQ01', url: 'https://dvc.example/kq.pdf' }],
  });
  t.equal((await call('POST', '/v1/inbound/vpdk', { headers: { ...bearer(src), 'content-type': 'application/json' }, body: JSON.stringify(d) })).status, 202);
  await call('POST', '/v1/inbound/vpdk', { headers: { ...bearer(src), 'content-type': 'application/json' }, body: JSON.stringify({ ...d, status: 99 }) });
  await call('POST', '/v1/inbound/vpdk', { headers: { ...bearer(src), 'content-type': 'text/csv' }, body: 'a,b' });
  await call('POST', '/v1/inbound/vpdk', { headers: { 'content-type': 'application/json' }, body: '{}' });
  const goiTin = readFileSync(path.join(SAMPLES, 'tnmt-goi-tin.xml'), 'utf8');
  await call('POST', `/v1/inbound/${tnmt}`, { headers: { ...bearer(keys[tnmt]!), 'content-type': 'application/xml' }, body: goiTin });
  await call('POST', `/v1/inbound/${tnmt}`, { headers: { ...bearer(keys[tnmt]!), 'content-type': 'application/xml', accept: 'application/json' }, body: goiTin });
  await call('POST', `/v1/inbound/${tnmt}`, { headers: { ...bearer(keys[tnmt]!), 'content-type': 'application/xml' }, body: '<GoiTin' });
  const soapHeaders = { ...bearer(keys[soap]!), 'content-type': 'text/xml; charset=utf-8' };
  await call('POST', `/v1/soap/${soap}`, { headers: soapHeaders, body: readFileSync(path.join(SAMPLES, 'xay-dung-tiep-nhan.xml'), 'utf8') });
  await call('POST', `/v1/soap/${soap}`, { headers: soapHeaders, body: '<soap:Envelope/>' });
  await call('POST', `/v1/soap/${soap}`, { headers: { 'content-type': 'text/xml' }, body: '<x/>' });
  t.equal((await call('GET', `/v1/soap/${soap}?wsdl`)).status, 200);
  t.equal((await call('GET', `/v1/soap/${soap}?WSDL`)).status, 200, '?WSDL in capitals');
  await call('GET', '/v1/soap/nobody?wsdl');

  // Reading and changing dossiers.
  await call('GET', `/v1/dossiers/${code}`, { headers: bearer(src) });
  await call('GET', `/v1/dossiers/${code}?format=dvcqg`, { headers: bearer(src) });
  await call('GET', `/v1/dossiers/${code}?format=dvcqg-sync`, { headers: bearer(src) });
  await call('GET', `/v1/dossiers/${code}?format=dvcqg-progress`, { headers: bearer(src) });
  t.equal((await call('GET', `/v1/dossiers/${code}`, { headers: { ...bearer(src), 'if-none-match': '"1-canonical"' } })).status, 304);
  await call('GET', '/v1/dossiers/000.00.15.H13-261127-9999', { headers: bearer(src) });
  await call('GET', `/v1/dossiers/${code}/events`, { headers: bearer(src) });
  await call('GET', '/v1/dossiers?limit=5', { headers: bearer(src) });
  await call('GET', '/v1/dossiers?cursor=nonsense', { headers: bearer(src) });
  t.equal((await call('POST', `/v1/dossiers/${code}/status`, { headers: { ...bearer(src), 'content-type': 'application/json' }, body: JSON.stringify({ status: 4, at: '2026-11-27T10:00:00+07:00' }) })).status, 202);
  await call('POST', `/v1/dossiers/${code}/transfer`, { headers: { ...bearer(src), 'content-type': 'application/json' }, body: JSON.stringify({ toAgency: '000.00.99.H13' }) });
  await call('POST', `/v1/dossiers/${code}/transfer`, { headers: { ...bearer(src), 'content-type': 'application/json' }, body: JSON.stringify({ toAgency: '000.00.16.H13' }) });

  // Mailbox, statistics, the citizen look-up, dead letters.
  await call('GET', '/v1/systems/pull-sys/messages?max=5', { headers: bearer(pull) });
  await call('GET', '/v1/systems/vpdk/messages', { headers: bearer(src) });
  await call('POST', '/v1/systems/pull-sys/messages/01JD8X3YQ6ZB2M1N4P5R6S7T8V/ack', { headers: bearer(pull) });
  await call('GET', '/v1/stats/ontime?from=2026-01-01&to=2027-01-01&groupBy=agency', { headers: bearer(src) });
  await call('GET', '/v1/stats/ontime', { headers: { ...bearer(src), accept: 'text/csv' } });
  await call('GET', '/v1/stats/ontime?from=2027-01-01&to=2026-01-01', { headers: bearer(src) });
  t.equal((await call('GET', `/v1/public/dossiers/${code}?verifier=${String(d.applicant && (d.applicant as Json).phone).slice(-4)}`)).status, 200);
  await call('GET', `/v1/public/dossiers/${code}?verifier=0000`);
  await call('GET', '/v1/admin/dead-letters', { headers: admin });
  await call('POST', '/v1/admin/dead-letters/01JD8X3YQ6ZB2M1N4P5R6S7T8V/replay', { headers: admin });
  await call('DELETE', '/v1/admin/dead-letters/01JD8X3YQ6ZB2M1N4P5R6S7T8V', { headers: admin });

  // Mapping versions and provenance (api.md "Mapping versions").
  const mapping = JSON.parse(readFileSync(path.join(SYSTEMS, 'so-khdt', 'mapping.json'), 'utf8')) as Json;
  t.equal((await call('POST', '/v1/admin/systems', { headers: admin, body: JSON.stringify({ id: 'map-khdt', name: 'KHDT', adapter: 'mapping', role: 'source', level: 'province', agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping }) })).status, 201);
  t.equal((await call('PUT', '/v1/admin/systems/map-khdt/mapping', { headers: admin, body: JSON.stringify({ mapping: { ...mapping, name: 'v2' }, note: 'v2' }) })).status, 201);
  await call('PUT', '/v1/admin/systems/map-khdt/mapping', { headers: admin, body: JSON.stringify({ mapping: { language: 'x' } }) }); // 422
  await call('GET', '/v1/admin/systems/map-khdt/mappings', { headers: admin });
  await call('GET', '/v1/admin/systems/map-khdt/mappings/1', { headers: admin });
  await call('GET', '/v1/admin/systems/map-khdt/mappings/9', { headers: admin }); // 404
  t.equal((await call('POST', '/v1/admin/systems/map-khdt/mappings/1/activate', { headers: admin, body: '{}' })).status, 200);
  t.equal((await call('GET', `/v1/admin/dossiers/${code}/provenance`, { headers: admin })).status, 200);
  await call('GET', '/v1/admin/dossiers/000.00.00.A00-000101-0009/provenance', { headers: admin }); // 404
  t.equal((await call('GET', `/v1/admin/dossiers/${code}`, { headers: admin })).status, 200);
  await call('GET', '/v1/admin/dossiers/KHONG-CO', { headers: admin }); // 404
  t.equal((await call('POST', '/v1/admin/adapters/dry-run', { headers: admin, body: JSON.stringify({ mapping, contentType: 'application/json', payload: readFileSync(path.join(SYSTEMS, 'so-khdt', 'samples', 'khdt.json'), 'utf8') }) })).status, 200);
  await call('POST', '/v1/admin/adapters/dry-run', { headers: admin, body: JSON.stringify({ mapping: { language: 'x' }, contentType: 'application/json', payload: {} }) }); // 422
  const sample = JSON.parse((await call('POST', '/v1/admin/systems/map-khdt/samples', { headers: admin, body: JSON.stringify({ name: 's', contentType: 'application/json', payload: readFileSync(path.join(SYSTEMS, 'so-khdt', 'samples', 'khdt.json'), 'utf8') }) })).body) as Json;
  await call('POST', '/v1/admin/systems/map-khdt/samples', { headers: admin, body: JSON.stringify({ name: 's', contentType: 'application/json', payload: '{}', expected: { refused: { code: 'HUB_X' } } }) }); // 422
  await call('GET', '/v1/admin/systems/map-khdt/samples', { headers: admin });
  await call('GET', `/v1/admin/systems/map-khdt/samples/${sample.id}`, { headers: admin });
  t.equal((await call('POST', `/v1/admin/systems/map-khdt/samples/${sample.id}/approve`, { headers: admin, body: '{}' })).status, 200);
  t.equal((await call('DELETE', `/v1/admin/systems/map-khdt/samples/${sample.id}`, { headers: admin })).status, 204);
  await call('DELETE', `/v1/admin/systems/map-khdt/samples/${sample.id}`, { headers: admin }); // 404

  // Trust: the CA (public), certificates from a CSR, receipt verification (public).
  await call('GET', '/v1/trust/ca.pem');
  const csr = rsaCsr(rsaKey());
  const cert = JSON.parse((await call('POST', '/v1/admin/systems/vpdk/certificates', { headers: admin, body: JSON.stringify({ csr }) })).body) as Json;
  await call('POST', '/v1/admin/systems/vpdk/certificates', { headers: admin, body: JSON.stringify({ csr: 'not a csr' }) });
  await call('GET', '/v1/admin/systems/vpdk/certificates', { headers: admin });
  await call('DELETE', `/v1/admin/systems/vpdk/certificates/${cert.serial}`, { headers: admin });
  await call('DELETE', '/v1/admin/systems/vpdk/certificates/00ff', { headers: admin });
  await call('POST', '/v1/receipts/verify', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ receiptId: 'x' }) });

  // The audit log of all the above, its chain and checkpoints; then a retirement and the admin token's rotation
  // (the earlier token stays valid for the overlap).
  t.equal((await call('GET', '/v1/admin/audit?action=system.*&limit=5', { headers: admin })).status, 200);
  await call('GET', '/v1/admin/audit?since=yesterday', { headers: admin }); // 400
  t.equal((await call('GET', '/v1/admin/audit/verify', { headers: admin })).status, 200);
  await call('GET', '/v1/admin/audit/checkpoints', { headers: admin });
  t.equal((await call('DELETE', '/v1/admin/systems/pull-sys', { headers: admin })).status, 200);
  t.equal((await call('POST', '/v1/admin/token', { headers: admin, body: JSON.stringify({ overlapSeconds: 600 }) })).status, 201);
  await call('POST', '/v1/admin/token', { headers: admin, body: JSON.stringify({ overlapSeconds: -1 }) }); // 400

  const all = Object.values<Json>(doc.paths).flatMap((item) => Object.values<Json>(item).map((op) => op.operationId as string));
  t.same(all.filter((id) => !covered.has(id)), [], 'every operation was called');
});
