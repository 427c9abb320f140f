// Issue 11, "Done when": a JSON department never seen before is onboarded from nothing, as a new administrator would,
// with only the CLI (register, dry-run, push, samples, activate) and the admin API (keys, provenance): a mapping with
// mistakes → the dry-run of a real payload names them at their native paths → a fixed version → an approved sample →
// the activation suite passes → its key issued → a native JSON dossier is stored and its event reaches a real AMQP
// consumer → a platform status change is pushed back to the department's own HTTP endpoint as native JSON → the
// provenance shows which mapping version decoded the revision and encoded each delivery attempt (a 503 retried,
// then a 200), delivered.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { department, onboardingHub, settledProvenance, waitFor, type Json } from './onboarding.js';

const SHIPPED = new URL('../../config/systems/so-khdt/', import.meta.url).pathname;
const ID = 'bql-kcn';
const AGENCY = '000.00.40.H12';

/** The so-khdt example (mapping.md §20) as the industrial-zone board's software speaks it: same shape, its own agency. */
function nativePayload(): string {
  return readFileSync(path.join(SHIPPED, 'samples', 'khdt.json'), 'utf8')
    .replaceAll('000.00.10.H12', AGENCY).replaceAll('Sở Tài chính tỉnh Bình An', 'Ban Quản lý các khu công nghiệp tỉnh Bình An')
    .replaceAll('KHDT-2026-004512', 'KCN-2026-000318');
}

t.test('a JSON department onboarded with the CLI and the API only, end to end', async (t) => {
  const o = await onboardingHub(t);
  const dept = await department({ contentType: 'application/json; charset=utf-8', body: '{"maLoi":"0","moTa":"Thành công"}', busyFirst: true });
  t.teardown(() => dept.close());
  const platform = await o.hub.register({ id: 'cong-dvc-tinh', role: 'platform', subscriptions: [] });

  // The mapping the administrator wrote first, with two mistakes: the submission date read as ISO, and the
  // in-progress status missing from the status table.
  const good = JSON.parse(readFileSync(path.join(SHIPPED, 'mapping.json'), 'utf8')) as Json;
  good.name = 'Ban Quản lý các khu công nghiệp — phần mềm đăng ký đầu tư (JSON)';
  const wrong = structuredClone(good);
  wrong.fields.receivedAt.date = ['yyyy-MM-dd HH:mm:ss'];
  wrong.tables.trangThai.entries = (wrong.tables.trangThai.entries as [string, number][]).filter(([n]) => n !== 'DANG_XU_LY');
  const registration = {
    id: ID, name: 'Ban Quản lý các khu công nghiệp — đăng ký đầu tư', adapter: 'mapping', role: 'source', level: 'province',
    agencies: [{ code: AGENCY, name: 'Ban Quản lý các khu công nghiệp tỉnh' }],
    delivery: { mode: 'push', url: dept.url, timeoutMs: 10_000 },
    subscriptions: [{ events: ['dossier.status-changed'], scope: 'own' }], mapping: wrong,
  };

  // 1. Register with the CLI: the mapping with mistakes is valid, so it is version 1.
  const add = await o.cli(['systems', 'add', '--file', o.file('reg.json', JSON.stringify(registration)), '--json']);
  t.equal(add.code, 0, add.err);
  const registered = JSON.parse(add.out) as Json;
  t.equal(registered.id, ID);
  const registrationKey = registered.apiKey as string;
  t.match(registrationKey, new RegExp(`^${ID}\\.`));
  const read = await o.api('GET', `/v1/admin/systems/${ID}`);
  t.equal(read.body.mapping.activeVersion, 1);
  t.notOk(read.text.includes(registrationKey.split('.')[1]!), 'the record never shows a key');

  // 2. Dry-run of a real payload with the CLI: exit 1, and the errors at the native paths.
  const payloadFile = o.file('ho-so.json', nativePayload());
  const dry = await o.cli(['mapping', 'dry-run', '--system', ID, '--payload', payloadFile, '--json']);
  t.equal(dry.code, 1, 'an item with errors exits 1');
  const item = (JSON.parse(dry.out) as Json).items[0] as Json;
  t.equal(item.ok, false);
  t.same(item.ref, { localCode: 'KCN-2026-000318' });
  t.same(item.errors.map((e: Json) => ({ code: e.code, canonical: e.canonical, native: e.native, rule: e.rule, value: e.value })), [
    { code: 'HUB_DATE_INVALID', canonical: '/receivedAt', native: '/hoSo/ngayNop', rule: '/fields/receivedAt', value: '27/11/2026 08:15:02' },
    { code: 'HUB_STATUS_UNKNOWN', canonical: '/status', native: '/hoSo/trangThai/ma', rule: '/fields/status', value: 'DANG_XU_LY' },
    { code: 'HUB_STATUS_UNKNOWN', canonical: '/steps/1/status', native: '/hoSo/quaTrinh/1/trangThai', rule: '/fields/steps/fields/status', value: 'DANG_XU_LY' },
  ], 'each error names the canonical field, the native path (with list index) and the rule');
  const table = await o.cli(['mapping', 'dry-run', '--system', ID, '--payload', payloadFile]);
  t.equal(table.code, 1);
  t.match(table.out, /\/hoSo\/ngayNop/, 'the readable table shows the native path');
  t.equal((await o.api('GET', '/v1/dossiers?limit=10', undefined, platform)).body.items.length, 0, 'a dry-run stores nothing');

  // 3. The fixed mapping: tried as the next version (--mapping with --system), then pushed with the CLI.
  const fixedFile = o.file('mapping-v2.json', JSON.stringify(good));
  const tryFixed = await o.cli(['mapping', 'dry-run', '--system', ID, '--mapping', fixedFile, '--payload', payloadFile, '--trace', '--json']);
  t.equal(tryFixed.code, 0, tryFixed.err);
  const fixedItem = (JSON.parse(tryFixed.out) as Json).items[0] as Json;
  t.equal(fixedItem.ok, true);
  t.same(fixedItem.unread, [], 'every native leaf is read or ignored');
  t.equal(fixedItem.roundTrip.equal, true, 'it round-trips');
  t.ok(fixedItem.trace.some((r: Json) => r.native === '/hoSo/ngayNop' && r.value === '2026-11-27T08:15:02+07:00' && r.rule === '/fields/receivedAt'));
  const push = await o.cli(['mapping', 'push', '--system', ID, '--file', fixedFile, '--note', 'ngayNop dd/MM/yyyy; DANG_XU_LY', '--json']);
  t.equal(push.code, 0, push.err);
  const v2 = JSON.parse(push.out) as Json;
  t.equal(v2.version, 2);
  t.equal(v2.active, true);

  // 4. The payload saved as an approved sample with the CLI, and listed as reproducing.
  const sample = await o.cli(['samples', 'add', '--system', ID, '--payload', payloadFile, '--name', 'ho-so-thanh-lap', '--json']);
  t.equal(sample.code, 0, sample.err);
  const saved = JSON.parse(sample.out) as Json;
  t.equal(saved.approvedVersion, '2');
  t.equal(saved.expected.items[0].ok, true);
  t.equal(saved.expected.items[0].change.status, 4);
  const list = await o.cli(['samples', 'list', '--system', ID]);
  t.equal(list.code, 0, list.err);
  t.match(list.out, /ho-so-thanh-lap/);

  // 5. The activation suite over version 2 with its sample passes; version 1 no longer may be activated.
  const activate = await o.cli(['mapping', 'activate', '--system', ID, '--version', '2', '--json']);
  t.equal(activate.code, 0, activate.err);
  const checks = Object.fromEntries((JSON.parse(activate.out) as Json).checks.map((c: Json) => [c.check, c.state]));
  t.equal(checks.schema, 'pass');
  t.equal(checks.samples, 'pass');
  t.equal(checks.roundTrip, 'pass');
  const back = await o.cli(['mapping', 'activate', '--system', ID, '--version', '1']);
  t.equal(back.code, 1, 'the mistaken version fails the suite: its sample does not reproduce');
  t.match(back.err, /samples/);
  t.equal((await o.api('GET', `/v1/admin/systems/${ID}/mappings`)).body.active, 2, 'version 2 stays active');
  const sha2 = (await o.api('GET', `/v1/admin/systems/${ID}/mappings/2`)).body.sha256 as string;
  t.equal(sha2, v2.sha256);

  // 6. Switched on: the department's key is issued with POST …/keys (the registration's key stops at once).
  const keys = await o.api('POST', `/v1/admin/systems/${ID}/keys`, { overlapSeconds: 0 });
  t.equal(keys.status, 201, keys.text);
  const key = keys.body.apiKey as string;
  t.equal((await o.hub.post(ID, registrationKey, nativePayload())).statusCode, 401, 'the registration key no longer works');

  // 7. The department posts its dossier in its own JSON.
  const accepted = await o.hub.post(ID, key, nativePayload());
  t.equal(accepted.statusCode, 202, accepted.body);
  const receipt = accepted.json() as Json;
  const code = receipt.dossierCode as string;
  t.match(code, new RegExp(`^${AGENCY.replaceAll('.', '\\.')}-261127-\\d{4}$`), 'the hub issued the national code');

  // 8. Stored: read through the platform API.
  const stored = (await o.hub.get(`/v1/dossiers/${code}`, platform)).json() as Json;
  t.equal(stored.status, 4);
  t.equal(stored.applicant.name, 'Công ty TNHH Thương mại Dịch vụ Tân Phú');
  t.equal(stored.applicant.idNumber, '0312345678');
  t.equal(stored.receivedAt, '2026-11-27T08:15:02+07:00');
  t.same(stored.fees.map((f: Json) => f.amount), [50000, 100000]);
  t.same(stored.extensions.khdt, { taxCode: '3702998877', charterCapital: 1500000000, industries: ['4711', '4719', '5610'] });
  t.ok(stored.altCodes.some((a: Json) => a.system === ID && a.code === 'KCN-2026-000318'), "the department's own number is kept");

  // 9. The platform's event reaches the subscriber queue on RabbitMQ.
  const received = await waitFor('dossier.received on the subscriber queue', () => o.events.find((m) => m.properties.type === 'dossier.received' && m.properties.headers?.['x-dossier-code'] === code));
  const ce = JSON.parse(received.content.toString('utf8')) as Json;
  t.equal(ce.subject, code);
  t.equal(received.properties.headers?.['x-source-system'], ID);
  t.equal(ce.data.dossier.applicant.name, 'Công ty TNHH Thương mại Dịch vụ Tân Phú');

  // 10. The platform posts a status change; it is pushed to the department in its own JSON.
  const status = await o.hub.app.inject({
    method: 'POST', url: `/v1/dossiers/${code}/status`, headers: { authorization: `Bearer ${platform}` },
    payload: { status: 5, at: '2026-12-01T09:00:00+07:00', actor: 'Cổng DVC tỉnh', note: 'Bổ sung điều lệ có chữ ký' },
  });
  t.equal(status.statusCode, 202, status.body);
  const hit = await waitFor('the push at the department', () => dept.hits[0], 60_000);
  t.match(String(hit.headers['content-type']), /^application\/json/);
  t.equal(hit.headers['x-dossier-code'], code);
  const native = JSON.parse(hit.body) as Json;
  t.equal(native.phienBan, '2.0');
  t.equal(native.hoSo.soHoSo, 'KCN-2026-000318', "the department's own number");
  t.equal(native.hoSo.maHoSoQG, code, 'the national code');
  t.equal(native.hoSo.trangThai.ma, 'CHO_BO_SUNG', 'the new status in its own table');
  t.equal(native.hoSo.ngayNop, '27/11/2026 08:15:02', 'its own date format');
  t.equal(native.hoSo.phiLePhi[1].soTien, '100.000', 'its own number format');
  t.equal(native.hoSo.coQuan.maDinhDanh, AGENCY);
  const last = (native.hoSo.quaTrinh as Json[]).at(-1)!;
  t.same([last.thoiDiem, last.trangThai, last.ghiChu], ['01/12/2026 09:00', 'CHO_BO_SUNG', 'Bổ sung điều lệ có chữ ký'], 'the new step, in its own format');
  // The first push was answered 503: the relay tried again with the same body; nothing else was sent (the
  // department is not sent the change its own input caused).
  const retried = await waitFor('the retried push', () => dept.hits[1], 60_000);
  t.equal(retried.body, hit.body, 'the retry carries the same native body');
  t.equal(dept.hits.length, 2);

  // 11. Provenance: the mapping version that decoded revision 1 and encoded the delivery of revision 2, delivered.
  const prov = await settledProvenance(o, code, ID, 2);
  const mapping2 = { adapter: 'mapping', version: 2, sha256: sha2 };
  t.equal(prov.code, code);
  t.match(prov.revisions[0], { revision: 1, type: 'dossier.received', source: ID, receiptId: receipt.receiptId, payloadSha256: receipt.payloadSha256 });
  t.strictSame(prov.revisions[0].decodedBy, mapping2, 'revision 1 was decoded by mapping version 2');
  t.match(prov.revisions[1], { revision: 2, type: 'dossier.status-changed', source: 'cong-dvc-tinh', decodedBy: null });
  const delivery = (prov.deliveries as Json[]).find((d) => d.system === ID)!;
  t.match(delivery, { system: ID, revision: 2, state: 'delivered' });
  t.same(delivery.attempts.map((a: Json) => [a.status, a.verdict]), [[503, 'retry'], [200, 'ok']], 'each attempt is a row: the 503, then the 200');
  for (const a of delivery.attempts as Json[]) {
    t.ok(!Number.isNaN(Date.parse(a.at)), 'the attempt has its time');
    t.strictSame(a.encodedBy, mapping2, 'encoded by mapping version 2');
  }
  t.ok(Date.parse(delivery.attempts[0].at) <= Date.parse(delivery.attempts[1].at), 'oldest first');
});
