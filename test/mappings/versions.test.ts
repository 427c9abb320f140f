// Issue 11, mapping engine in the hub: a mapping system registered through the API decodes with its active
// version, every stored revision says which version decoded it, versions are immutable and activation (roll
// back or forward) moves the pointer with its audit entry and takes effect before the 2xx.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ADMIN_TOKEN, startHub, type TestHub } from '../helpers/hub.js';

const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;
const MAPPING = JSON.parse(readFileSync(`${SYSTEMS}so-khdt/mapping.json`, 'utf8')) as Record<string, unknown>;
const SAMPLE = readFileSync(`${SYSTEMS}so-khdt/samples/khdt.json`);
const admin = (hub: TestHub, method: string, url: string, payload?: unknown) =>
  hub.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
const registration = (mapping: unknown) => ({
  id: 'so-khdt', name: 'Sở KHĐT', adapter: 'mapping', role: 'source', level: 'province', agencies: ['000.00.10.H12'],
  delivery: { mode: 'none' }, subscriptions: [], mapping,
});

t.test('register, decode with version 1, store v2, roll back, provenance', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());

  const bad = await admin(hub, 'POST', '/v1/admin/systems', registration({ ...MAPPING, fields: { nope: { path: 'x' } } }));
  t.equal(bad.statusCode, 422);
  t.equal(bad.json().code, 'HUB_MAPPING_INVALID');
  t.ok(bad.json().errors.some((e: { path: string }) => e.path.startsWith('/fields')), 'a pointer into the mapping');
  t.equal(hub.ctx.registry.get('so-khdt'), undefined, 'nothing registered');
  t.equal((await admin(hub, 'POST', '/v1/admin/systems', registration(null))).json().code, 'HUB_MAPPING_INVALID', 'a mapping system needs a mapping');

  const reg = await admin(hub, 'POST', '/v1/admin/systems', registration(MAPPING));
  t.equal(reg.statusCode, 201, reg.body);
  const key = reg.json().apiKey as string;
  const shown = (await admin(hub, 'GET', '/v1/admin/systems/so-khdt')).json();
  t.equal(shown.mapping.activeVersion, 1);
  t.equal(shown.mapping.versions, 1);
  t.match(shown.mapping.sha256, /^[0-9a-f]{64}$/);
  const v1sha = shown.mapping.sha256 as string;

  const posted = await hub.post('so-khdt', key, SAMPLE);
  t.equal(posted.statusCode, 202, posted.body);
  const code = posted.json().dossierCode as string;
  const prov = (await admin(hub, 'GET', `/v1/admin/dossiers/${code}/provenance`)).json();
  t.same(prov.revisions[0].decodedBy, { adapter: 'mapping', version: 1, sha256: v1sha }, 'decodedBy names version 1');

  // A second version, not activated; the same document again is that version (200), nothing added.
  const v2doc = { ...MAPPING, name: 'v2' };
  const put = await admin(hub, 'PUT', '/v1/admin/systems/so-khdt/mapping', { mapping: v2doc, activate: false, note: 'draft' });
  t.equal(put.statusCode, 201, put.body);
  t.equal(put.json().version, 2);
  t.equal(put.json().active, false);
  const again = await admin(hub, 'PUT', '/v1/admin/systems/so-khdt/mapping', { mapping: v2doc, activate: false });
  t.equal(again.statusCode, 200);
  t.equal(again.json().version, 2);
  const refused = await admin(hub, 'PUT', '/v1/admin/systems/so-khdt/mapping', { mapping: { language: 'lgsp-mapping/1' } });
  t.equal(refused.statusCode, 422);
  t.equal(refused.json().code, 'HUB_MAPPING_INVALID');
  let list = (await admin(hub, 'GET', '/v1/admin/systems/so-khdt/mappings')).json();
  t.equal(list.active, 1);
  t.same(list.items.map((v: { version: number; note: string | null; active: boolean }) => [v.version, v.note, v.active]), [[1, null, true], [2, 'draft', false]]);
  const read = (await admin(hub, 'GET', '/v1/admin/systems/so-khdt/mappings/2')).json();
  t.equal(read.document.name, 'v2', 'the stored document');
  t.equal((await admin(hub, 'GET', '/v1/admin/systems/so-khdt/mappings/3')).statusCode, 404);

  // Activate 2: the next request decodes with it (before the 2xx of the activation).
  const act = await admin(hub, 'POST', '/v1/admin/systems/so-khdt/mappings/2/activate', {});
  t.equal(act.statusCode, 200, act.body);
  t.same([act.json().active, act.json().previous], [2, 1]);
  const changed = JSON.parse(SAMPLE.toString('utf8'));
  changed.hoSo.trangThai.ma = 'DA_CO_KET_QUA';
  const second = await hub.post('so-khdt', key, changed);
  t.equal(second.statusCode, 202, second.body);
  const prov2 = (await admin(hub, 'GET', `/v1/admin/dossiers/${code}/provenance`)).json();
  t.equal(prov2.revisions.at(-1).decodedBy.version, 2, 'decoded by version 2');
  t.equal(prov2.revisions[0].decodedBy.version, 1, 'the earlier revision keeps its version');

  // Roll back; the audit log has both activations.
  t.equal((await admin(hub, 'POST', '/v1/admin/systems/so-khdt/mappings/1/activate', {})).json().previous, 2);
  list = (await admin(hub, 'GET', '/v1/admin/systems/so-khdt/mappings')).json();
  t.equal(list.active, 1);
  const audit = (await admin(hub, 'GET', '/v1/admin/audit?action=mapping.*&target=so-khdt')).json();
  const activations = audit.items.filter((e: { action: string }) => e.action === 'mapping.activate');
  t.equal(activations.length, 3, 'registration, activate 2, roll back');
  // Each with the before and after of the active version (api.md "Audit log").
  const versions = (await admin(hub, 'GET', '/v1/admin/systems/so-khdt/mappings')).json().items as { version: number; sha256: string }[];
  const at = (n: number) => ({ version: n, sha256: versions.find((v) => v.version === n)!.sha256 });
  t.same(activations.map((e: { detail: unknown }) => e.detail), [
    { before: null, after: at(1), forced: false }, { before: at(1), after: at(2), forced: false }, { before: at(2), after: at(1), forced: false }]);
  t.equal(audit.items.filter((e: { action: string }) => e.action === 'mapping.version').length, 3, 'v2 stored, the equal document answered, the refused one (with its failure)');

  // A built-in system has no mapping versions; provenance of an unknown dossier is 404.
  await hub.register({ id: 'built-in' });
  t.equal((await admin(hub, 'GET', '/v1/admin/systems/built-in/mappings')).json().code, 'HUB_VALIDATION');
  t.equal((await admin(hub, 'GET', '/v1/admin/dossiers/000.00.10.H12-260101-0099/provenance')).statusCode, 404);
});
