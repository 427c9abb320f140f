// Issue 11, "Done when": an XML batch department with two namespaces, never seen before, onboarded from nothing with
// only the CLI (register, dry-run, push, samples, activate) and the admin API (keys, provenance): a mapping with
// mistakes → the dry-run of a real batch names them per item at their native paths → a fixed version → an approved
// sample → the activation suite passes → its key issued → a native XML batch is stored and its events reach a real
// AMQP consumer → a platform status change is pushed back to the department's own HTTP endpoint as namespace-correct
// XML → the provenance shows the mapping version that decoded the revision and encoded the delivery, delivered.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { department, onboardingHub, settledProvenance, waitFor, type Json } from './onboarding.js';

const SHIPPED = new URL('../../config/systems/so-tu-phap/', import.meta.url).pathname;
const ID = 'so-noi-vu';
const AGENCY = '000.00.41.H12';
const NS = { main: 'urn:sonoivu:tdkt:v1', person: 'urn:sonoivu:congdan:v1' };

/** The so-tu-phap example (mapping.md §21) as this department's software writes it: its namespaces, its agency. */
const own = (s: string) => s.replaceAll('urn:sotuphap:lltp:v1', NS.main).replaceAll('urn:sotuphap:congdan:v1', NS.person)
  .replaceAll('000.00.12.H12', AGENCY).replaceAll('Sở Tư pháp tỉnh Bình An', 'Sở Nội vụ tỉnh Bình An');

/** A batch of two: the shipped sample's dossier, and a second one just received (status 01, one step). */
function batch(): string {
  const xml = own(readFileSync(path.join(SHIPPED, 'samples', 'stp.xml'), 'utf8'));
  const first = /<stp:HoSo [\s\S]*?<\/stp:HoSo>/.exec(xml)![0];
  const second = first.replace('LLTP-2026-00871', 'LLTP-2026-00872').replace('trangThai="03"', 'trangThai="01"')
    .replace('Nguyễn Văn An', 'Trần Thị Mai').replace('079 190 001 234', '079 192 004 321')
    .replace(/<stp:Buoc thoiDiem="2026-11-27 10:30"[\s\S]*?<\/stp:Buoc>/, '');
  return xml.replace(first, `${first}\n  ${second}`);
}

// This flow runs on the PostgreSQL store (the JSON flow on SQLite), so both stores' provenance is shown end to end.
t.test('an XML batch department with two namespaces onboarded with the CLI and the API only, end to end (PostgreSQL store)', async (t) => {
  const o = await onboardingHub(t, { postgres: true });
  t.equal(o.hub.ctx.store.kind, 'postgres');
  const dept = await department({ contentType: 'application/xml; charset=utf-8', body: `<KetQua xmlns="${NS.main}" maLoi="0" moTa="Thành công"/>` });
  t.teardown(() => dept.close());
  const platform = await o.hub.register({ id: 'cong-dvc-tinh', role: 'platform', subscriptions: [] });

  const good = JSON.parse(own(readFileSync(path.join(SHIPPED, 'mapping.json'), 'utf8'))) as Json;
  good.name = 'Sở Nội vụ — phần mềm một cửa (XML)';
  t.same(good.source.namespaces, { stp: NS.main, cd: NS.person });
  // The first try, with two mistakes: the reception time read day-first, and status 03 left out of the table.
  const wrong = structuredClone(good);
  wrong.fields.receivedAt.date = ['dd/MM/yyyy HH:mm'];
  wrong.tables.trangThai.entries = (wrong.tables.trangThai.entries as [string, number][]).filter(([n]) => n !== '03');
  const registration = {
    id: ID, name: 'Sở Nội vụ — phần mềm một cửa', adapter: 'mapping', role: 'source', level: 'province',
    agencies: [{ code: AGENCY, name: 'Sở Nội vụ' }], delivery: { mode: 'push', url: dept.url, timeoutMs: 10_000 },
    subscriptions: [{ events: ['dossier.status-changed'], scope: 'own' }], mapping: wrong,
  };

  // 1. Register with the CLI.
  const add = await o.cli(['systems', 'add', '--file', o.file('reg.json', JSON.stringify(registration)), '--json']);
  t.equal(add.code, 0, add.err);
  const registrationKey = (JSON.parse(add.out) as Json).apiKey as string;

  // 2. Dry-run of a real batch with the CLI: exit 1, each item's errors at native paths with the item's index.
  const payloadFile = o.file('goi-tin.xml', batch());
  const dry = await o.cli(['mapping', 'dry-run', '--system', ID, '--payload', payloadFile, '--json']);
  t.equal(dry.code, 1, 'items with errors exit 1');
  const answer = JSON.parse(dry.out) as Json;
  t.equal(answer.batch, true);
  t.equal(answer.contentType, 'application/xml');
  const rows = (answer.items as Json[]).map((i) => ({ index: i.index, ok: i.ok, ref: i.ref, errors: i.errors.map((e: Json) => [e.code, e.canonical, e.native, e.rule]) }));
  t.same(rows, [
    { index: 0, ok: false, ref: { localCode: 'LLTP-2026-00871' }, errors: [
      ['HUB_DATE_INVALID', '/receivedAt', '/GoiTinHoSo/HoSo/1/@ngayTiepNhan', '/fields/receivedAt'],
      ['HUB_STATUS_UNKNOWN', '/status', '/GoiTinHoSo/HoSo/1/@trangThai', '/fields/status'],
      ['HUB_STATUS_UNKNOWN', '/steps/1/status', '/GoiTinHoSo/HoSo/1/NhatKy/Buoc/2/@trangThai', '/fields/steps/fields/status'],
    ] },
    { index: 1, ok: false, ref: { localCode: 'LLTP-2026-00872' }, errors: [
      ['HUB_DATE_INVALID', '/receivedAt', '/GoiTinHoSo/HoSo/2/@ngayTiepNhan', '/fields/receivedAt'],
    ] },
  ], 'the errors name canonical field, native path (element index in the batch) and rule');

  // 3. The fixed mapping, tried as the next version, then pushed with the CLI.
  const fixedFile = o.file('mapping-v2.json', JSON.stringify(good));
  const tryFixed = await o.cli(['mapping', 'dry-run', '--system', ID, '--mapping', fixedFile, '--payload', payloadFile, '--json']);
  t.equal(tryFixed.code, 0, tryFixed.err);
  for (const it of (JSON.parse(tryFixed.out) as Json).items as Json[]) {
    t.equal(it.ok, true, `item ${it.index} decodes`);
    t.same(it.unread, [], `item ${it.index}: every leaf read or ignored`);
    t.equal(it.roundTrip.equal, true, `item ${it.index} round-trips`);
  }
  const push = await o.cli(['mapping', 'push', '--system', ID, '--file', fixedFile, '--json']);
  t.equal(push.code, 0, push.err);
  const v2 = JSON.parse(push.out) as Json;
  t.match(v2, { version: 2, active: true });

  // 4. The batch saved as an approved sample with the CLI; 5. the activation suite passes over it.
  const sample = await o.cli(['samples', 'add', '--system', ID, '--payload', payloadFile, '--name', 'goi-tin-2-ho-so', '--json']);
  t.equal(sample.code, 0, sample.err);
  const saved = JSON.parse(sample.out) as Json;
  t.equal(saved.contentType, 'application/xml');
  t.same(saved.expected.items.map((i: Json) => [i.ok, i.ref.localCode, i.change.status]), [[true, 'LLTP-2026-00871', 4], [true, 'LLTP-2026-00872', 1]]);
  t.equal((await o.cli(['samples', 'list', '--system', ID])).code, 0, 'the sample reproduces');
  const activate = await o.cli(['mapping', 'activate', '--system', ID, '--version', '2', '--json']);
  t.equal(activate.code, 0, activate.err);
  const checks = Object.fromEntries((JSON.parse(activate.out) as Json).checks.map((c: Json) => [c.check, c.state]));
  t.match(checks, { schema: 'pass', samples: 'pass', roundTrip: 'pass' });
  t.equal((await o.cli(['mapping', 'activate', '--system', ID, '--version', '1'])).code, 1, 'the mistaken version fails the suite now');

  // 6. Switched on: the department's key issued with POST …/keys.
  const keys = await o.api('POST', `/v1/admin/systems/${ID}/keys`, { overlapSeconds: 0 });
  t.equal(keys.status, 201, keys.text);
  const key = keys.body.apiKey as string;
  t.equal((await o.hub.post(ID, registrationKey, batch(), { 'content-type': 'application/xml' })).statusCode, 401, 'the registration key no longer works');

  // 7. The department posts its batch in its own XML.
  const res = await o.hub.post(ID, key, batch(), { 'content-type': 'application/xml' });
  t.equal(res.statusCode, 202, res.body);
  const { accepted, rejected } = res.json() as { accepted: Json[]; rejected: Json[] };
  t.same(rejected, []);
  t.equal(accepted.length, 2);
  const [code, code2] = accepted.map((r) => r.dossierCode as string) as [string, string];

  // 8. Stored, read through the platform API.
  const stored = (await o.hub.get(`/v1/dossiers/${code}`, platform)).json() as Json;
  t.equal(stored.status, 4);
  t.equal(stored.applicant.name, 'Nguyễn Văn An');
  t.equal(stored.applicant.idNumber, '079190001234');
  t.equal(stored.receivedAt, '2026-11-27T09:05:00+07:00');
  t.same(stored.extensions.tuPhap, { certificateType: '1', copies: 2 });
  t.ok(stored.altCodes.some((a: Json) => a.system === ID && a.code === 'LLTP-2026-00871'));
  const stored2 = (await o.hub.get(`/v1/dossiers/${code2}`, platform)).json() as Json;
  t.match(stored2, { status: 1, applicant: { name: 'Trần Thị Mai' } }, 'the second item of the batch is its own dossier');

  // 9. Both events reach the subscriber queue on RabbitMQ.
  for (const c of [code, code2]) {
    const m = await waitFor(`dossier.received of ${c}`, () => o.events.find((e) => e.properties.type === 'dossier.received' && e.properties.headers?.['x-dossier-code'] === c));
    t.equal(m.properties.headers?.['x-source-system'], ID);
    t.equal((JSON.parse(m.content.toString('utf8')) as Json).subject, c);
  }

  // 10. The platform asks for a supplement; the department receives it as its own namespaced XML.
  const status = await o.hub.app.inject({
    method: 'POST', url: `/v1/dossiers/${code}/status`, headers: { authorization: `Bearer ${platform}` },
    payload: { status: 5, at: '2026-12-01T14:00:00+07:00', actor: 'Cổng DVC tỉnh', note: 'Bổ sung bản chụp căn cước rõ nét' },
  });
  t.equal(status.statusCode, 202, status.body);
  const hit = await waitFor('the push at the department', () => dept.hits[0], 60_000);
  t.match(String(hit.headers['content-type']), /xml/);
  const xml = hit.body;
  t.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
  t.match(xml, new RegExp(`<stp:GoiTinHoSo xmlns:stp="${NS.main}" xmlns:cd="${NS.person}" phienBan="1\\.3">`), 'root in its namespace, both declared');
  t.match(xml, /<stp:HoSo soHoSo="LLTP-2026-00871" maHoSoQuocGia="([^"]+)"/);
  t.equal(/maHoSoQuocGia="([^"]+)"/.exec(xml)![1], code, 'the national code');
  t.match(xml, /<stp:HoSo [^>]*trangThai="04"/, 'the new status in its own table');
  t.match(xml, /<stp:HoSo [^>]*ngayTiepNhan="2026-11-27 09:05"/, 'its own date format');
  t.match(xml, /<cd:NguoiYeuCau doiTuong="CD"><cd:HoTen>Nguyễn Văn An<\/cd:HoTen>/, 'the applicant in the citizen namespace');
  t.match(xml, /<stp:DonVi maDinhDanh="000\.00\.41\.H12">/);
  t.match(xml, /<stp:Buoc thoiDiem="2026-12-01 14:00" trangThai="04"[^>]*>Bổ sung bản chụp căn cước rõ nét<\/stp:Buoc>/, 'the new step');
  t.notMatch(xml, /LLTP-2026-00872/, 'only the changed dossier');
  // The department's own decoder (the active mapping) reads it back: the hub's dry-run of the delivered bytes.
  const reread = await o.api('POST', '/v1/admin/adapters/dry-run', { system: ID, contentType: 'application/xml', payloadBase64: Buffer.from(xml).toString('base64') });
  t.equal(reread.status, 200, reread.text);
  t.match(reread.body.items, [{ ok: true, ref: { localCode: 'LLTP-2026-00871', code }, change: { status: 5 } }]);
  t.equal(dept.hits.length, 1, 'one push');

  // 11. Provenance.
  const prov = await settledProvenance(o, code, ID, 2);
  const mapping2 = { adapter: 'mapping', version: 2, sha256: v2.sha256 };
  t.strictSame(prov.revisions[0].decodedBy, mapping2, 'revision 1 decoded by mapping version 2');
  t.match(prov.revisions[0], { revision: 1, type: 'dossier.received', source: ID, receiptId: accepted[0]!.receiptId, payloadSha256: accepted[0]!.payloadSha256 });
  t.match(prov.revisions[1], { revision: 2, type: 'dossier.status-changed', source: 'cong-dvc-tinh', decodedBy: null });
  const delivery = (prov.deliveries as Json[]).find((d) => d.system === ID)!;
  t.match(delivery, { system: ID, revision: 2, state: 'delivered' });
  t.equal(delivery.attempts.length, 1);
  t.match(delivery.attempts[0], { status: 200, verdict: 'ok' });
  t.strictSame(delivery.attempts[0].encodedBy, mapping2, 'the delivery encoded by mapping version 2');
});
