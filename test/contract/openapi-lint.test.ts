// The served /openapi.json passes Redocly's recommended rules (redocly.yaml: 0 errors, 0 warnings), and holds the
// contract a platform team generates its client from: an operationId each, problem+json errors, public endpoints
// without credentials, the inbound request bodies per adapter content type.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub } from '../helpers/hub.js';
import { allAdapters } from '../../adapters/registry.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
type Json = Record<string, any>;

t.test('Redocly lints the served document with 0 errors and 0 warnings', async (t) => {
  const hub = await startHub();
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-oas-'));
  t.teardown(async () => { await hub.close(); rmSync(dir, { recursive: true, force: true }); });
  const file = path.join(dir, 'openapi.json');
  writeFileSync(file, (await hub.app.inject({ method: 'GET', url: '/openapi.json' })).body);
  let out: string;
  try {
    out = execFileSync(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    out = (err as { stdout: string }).stdout; // exit 1 on errors: the report says which
  }
  const report = JSON.parse(out) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
  const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
  t.same(problems, [], 'no problems');
  t.equal(report.totals.errors, 0);
  t.equal(report.totals.warnings, 0);
});

t.test('operationIds, problem+json errors, public endpoints and inbound bodies', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const doc = (await hub.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json;
  const ids: string[] = [];
  // The trust issue adds GET /v1/trust/ca.pem and POST /v1/receipts/verify, public too.
  const publicOps = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json', '/asyncapi.json', '/schemas/dossier.v1.json', 'get /v1/soap/{systemId}', '/v1/public/dossiers/{code}', '/v1/trust/ca.pem', 'post /v1/receipts/verify', 'post /v1/console/session']);
  for (const [p, item] of Object.entries<Json>(doc.paths)) {
    for (const m of METHODS.filter((x) => item[x])) {
      const op = item[m] as Json;
      const where = `${m} ${p}`;
      t.type(op.operationId, 'string', `${where}: operationId`);
      ids.push(op.operationId);
      const isPublic = publicOps.has(p) || publicOps.has(where);
      if (isPublic) t.same(op.security, [], `${where}: security []`);
      else {
        t.notSame(op.security, [], `${where}: credentials required`);
        t.ok(Object.keys(op.responses).some((s) => s.startsWith('4')), `${where}: documents its 4XX answers`);
      }
      for (const [status, r] of Object.entries<Json>(op.responses)) {
        if (!/^[45]/.test(status) || !r.content || where === 'get /readyz') continue; // 503 there is the readiness report
        t.notOk('application/json' in r.content, `${where} ${status}: not application/json`);
        if (!(p.startsWith('/v1/soap') && status.startsWith('5'))) t.same(r.content['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' }, `${where} ${status}: problem+json`);
      }
    }
  }
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  for (const name of ['Dossier', 'SystemRegistration', 'System', 'Receipt', 'Problem']) t.ok(doc.components.schemas[name], `component ${name}`);
  t.equal(doc.components.schemas.Dossier.properties.code.$ref, '#/components/schemas/Dossier/$defs/dossierCode', 'the canonical schema, its $defs inside the component');
  t.same(doc.paths['/v1/dossiers'].get.responses['200'].content['application/json'].schema.properties.items.items, { $ref: '#/components/schemas/Dossier' }, 'feed items are canonical dossiers');
  const inbound = doc.paths['/v1/inbound/{systemId}'].post.requestBody.content as Json;
  const types = allAdapters().filter((a) => a.answers !== 'soap').flatMap((a) => a.contentTypes);
  t.same(Object.keys(inbound).sort(), [...new Set(types)].sort(), 'every content type an inbound adapter takes');
  t.ok(inbound['application/xml'].examples['tnmt-xml'].value.includes('GoiTin'), 'a TN&MT example');
  t.ok(inbound['application/json'].examples.canonical.value.receivedAt, 'a canonical example');
  const soap = doc.paths['/v1/soap/{systemId}'].post.requestBody.content as Json;
  t.ok(soap['text/xml'].examples['xay-dung-soap'].value.includes('TiepNhanHoSo'), 'a SOAP example');
  t.ok(doc.paths['/v1/soap/{systemId}'].get.parameters.some((x: Json) => x.in === 'query' && x.name === 'wsdl'), 'the wsdl query parameter');
});
