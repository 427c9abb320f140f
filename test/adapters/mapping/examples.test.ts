// mapping.md §20 (JSON, business registration) and §21 (XML batch, two namespaces), end to end at the pure level,
// and every shipped sample of config/systems/<id>/samples reproducing its *.expected.json (§17, §19).
import t from 'tap';
import { createMappingAdapter } from '../../../adapters/kit/mapping/adapter.js';
import { dryRun } from '../../../adapters/kit/mapping/dry-run.js';
import { MappingItemError } from '../../../adapters/kit/mapping/decode.js';
import { request, withNoIo, asStored, eventFor, plain } from '../../../adapters/kit/conformance.js';
import { parseXml, child, childrenNamed } from '../../../adapters/kit/xml.js';
import { canonicalJson } from '../../../src/util/canonical-json.js';
import { compiled, expected, mappingDoc, MAPPING_SYSTEMS, sample, samples } from './helpers.js';

const CT: Record<string, string> = { json: 'application/json', xml: 'application/xml' };

t.test('§20: the business-registration JSON decodes to the spec change, encodes back, and round-trips', async (t) => {
  const m = compiled(mappingDoc('so-khdt'));
  const adapter = createMappingAdapter(m, { version: 1 });
  t.equal(adapter.name, 'mapping');
  t.equal(adapter.version, '1');
  t.same(adapter.contentTypes, ['application/json']);
  t.same(adapter.provenance, { adapter: 'mapping', version: '1', sha256: m.sha256 });
  const req = request(sample('so-khdt', 'khdt.json'), 'application/json');
  const result = withNoIo(() => adapter.decode(req));
  t.equal(result.batch, false);
  const op = result.items[0]!.op!;
  t.equal(op.kind, 'change');
  if (op.kind !== 'change') return;
  t.same(op.ref, { localCode: 'KHDT-2026-004512' }, 'the blank maHoSoQG is absent');
  t.equal(canonicalJson(op.change), canonicalJson(expected('so-khdt', 'khdt.json').items[0].change));
  t.equal(result.items[0]!.nativePath!('/fees/1/amount'), '/hoSo/phiLePhi/1/soTien');

  const dossier = { ...asStored(op.change), code: '000.00.10.H12-261127-0042' };
  const msg = withNoIo(() => adapter.encode(eventFor(op, dossier), { systemId: 'so-khdt', localCode: 'KHDT-2026-004512' }));
  t.equal(msg.contentType, 'application/json; charset=utf-8');
  const native = JSON.parse(String(msg.body));
  t.equal(native.phienBan, '2.0');
  t.equal(native.hoSo.maHoSoQG, '000.00.10.H12-261127-0042');
  t.equal(native.hoSo.soHoSo, 'KHDT-2026-004512');
  t.equal(native.hoSo.ngayNop, '27/11/2026 08:15:02');
  t.equal(native.hoSo.hanTra, '02/12/2026');
  t.equal(native.hoSo.thanhPhan[0].tep.kichThuoc, '245.760');
  t.equal(native.hoSo.phiLePhi[0].soTien, '50.000');
  t.equal(native.hoSo.phiLePhi[0].daThu, 'C');
  t.equal(native.hoSo.doanhNghiep.nganhNghe, '4711;4719;5610');
  t.notOk('ten' in native.hoSo.trangThai, 'nothing is written for an ignored leaf');
  const again = withNoIo(() => adapter.decode(request(String(msg.body), 'application/json'))).items[0]!.op!;
  if (again.kind !== 'change') return;
  t.equal(canonicalJson(again.change), canonicalJson(op.change), 'decodes back to the same change');
  t.same(again.ref, { localCode: 'KHDT-2026-004512', code: '000.00.10.H12-261127-0042' });
});

t.test('§21: the judicial-record XML batch decodes by local names, encodes namespace-correct XML, and round-trips', async (t) => {
  const m = compiled(mappingDoc('so-tu-phap'));
  const adapter = createMappingAdapter(m, { version: 3 });
  t.same(adapter.contentTypes, ['application/xml', 'text/xml']);
  const req = request(sample('so-tu-phap', 'stp.xml'), 'application/xml');
  const result = withNoIo(() => adapter.decode(req));
  t.equal(result.batch, true);
  t.equal(result.items.length, 1);
  const item = result.items[0]!;
  t.ok(item.raw.toString('utf8').startsWith('<stp:HoSo soHoSo="LLTP-2026-00871"'), "the item's raw bytes are its own element");
  const op = item.op!;
  if (op.kind !== 'change') return t.fail('not a change');
  t.same(op.ref, { localCode: 'LLTP-2026-00871' });
  t.equal(canonicalJson(op.change), canonicalJson(expected('so-tu-phap', 'stp.xml').items[0].change));

  const dossier = { ...asStored(op.change), code: '000.00.12.H12-261127-0042' };
  const body = String(withNoIo(() => adapter.encode(eventFor(op, dossier), { systemId: 'so-tu-phap' })).body);
  t.ok(body.startsWith('<?xml version="1.0" encoding="UTF-8"?><stp:GoiTinHoSo xmlns:stp="urn:sotuphap:lltp:v1" xmlns:cd="urn:sotuphap:congdan:v1" phienBan="1.3"><stp:HoSo soHoSo="000.00.12.H12-261127-0042" maHoSoQuocGia="000.00.12.H12-261127-0042" kenh="TT" ngayTiepNhan="2026-11-27 09:05" ngayHenTra="2026-12-07" trangThai="03">'),
    'root declares both namespaces; the batch of one; attributes in rule order (without a localCode the national code is written)');
  t.match(body, '<cd:NguoiYeuCau doiTuong="CD"><cd:HoTen>Nguyễn Văn An</cd:HoTen><cd:SoDinhDanh>079190001234</cd:SoDinhDanh>');
  t.match(body, '<stp:LePhi ma="LP-LLTP" soTien="200.000" daNop="1">Lệ phí cấp Phiếu lý lịch tư pháp</stp:LePhi>');
  t.match(body, '<stp:NhatKy><stp:Buoc thoiDiem="2026-11-27 09:05" trangThai="01"');
  const tree = parseXml(Buffer.from(body)).root;
  t.equal(childrenNamed(child(child(tree, 'HoSo')!, 'NhatKy')!, 'Buoc').length, 2);
  const again = withNoIo(() => adapter.decode(request(body, 'text/xml'))).items[0]!.op!;
  if (again.kind !== 'change') return;
  t.equal(canonicalJson(again.change), canonicalJson(op.change), 'decodes back to the same change');
});

t.test('§20/§21 broken samples: every error names the canonical field, the native path and the rule, in the order of the spec', async (t) => {
  const khdt = dryRun(compiled(mappingDoc('so-khdt')), sample('so-khdt', 'khdt-broken.json'), 'application/json');
  if (!khdt.ok) return t.fail('refused');
  const rows = khdt.answer.items[0]!.errors.map((e) => [e.code, e.canonical, e.native, e.rule]);
  t.same(rows, [
    ['HUB_VALIDATION', '/applicant/name', '/hoSo/nguoiNop/hoTen', '/fields/applicant.name'],
    ['HUB_DATE_INVALID', '/receivedAt', '/hoSo/ngayNop', '/fields/receivedAt'],
    ['HUB_STATUS_UNKNOWN', '/status', '/hoSo/trangThai/ma', '/fields/status'],
    ['HUB_VALIDATION', '/fees/1/amount', '/hoSo/phiLePhi/1/soTien', '/fields/fees/fields/amount'],
    ['HUB_DATE_INVALID', '/steps/1/at', '/hoSo/quaTrinh/1/thoiDiem', '/fields/steps/fields/at'],
    ['HUB_VALIDATION', '/procedure/code', '/hoSo/thuTuc/ma', null],
    ['HUB_VALIDATION', '/applicant/email', '/hoSo/nguoiNop/email', null],
  ]);
  const errs = khdt.answer.items[0]!.errors;
  t.equal(errs[0]!.message, 'required value is missing');
  t.notOk('value' in errs[0]!, 'no value for a missing one');
  t.equal(errs[1]!.message, '"31/02/2026 08:15:02" is not a real date/time (dd/MM/yyyy HH:mm:ss)');
  t.equal(errs[1]!.value, '31/02/2026 08:15:02');
  t.match(errs[3]!.message, /^"100,000" is not a number written/);
  t.equal(errs[4]!.message, '"27-11-2026 09:40" does not match dd/MM/yyyy HH:mm or dd/MM/yyyy HH:mm:ss');
  t.match(errs[5]!.message, /must match pattern/);
  t.equal(errs[5]!.value, '1001612', 'a JSON number is read as its text');
  t.match(errs[6]!.message, /must match format "email"/);
  t.notOk(khdt.answer.items[0]!.encoded, 'an item with errors has no encoded preview');
  t.ok(khdt.answer.items[0]!.change.receiptNumber, 'change holds what decoded');

  const adapter = createMappingAdapter(compiled(mappingDoc('so-tu-phap')), { version: 1 });
  const broken = request(sample('so-tu-phap', 'stp-broken.xml'), 'application/xml');
  const item = withNoIo(() => adapter.decode(broken)).items[0]!;
  t.type(item.error, MappingItemError, 'the renamed prefix still decodes: only local names count');
  const details = (item.error as MappingItemError).details.map((e) => [e.code, e.canonical, e.native, e.rule]);
  t.same(details, [
    ['HUB_DATE_INVALID', '/receivedAt', '/GoiTinHoSo/HoSo/1/@ngayTiepNhan', '/fields/receivedAt'],
    ['HUB_STATUS_UNKNOWN', '/steps/1/status', '/GoiTinHoSo/HoSo/1/NhatKy/Buoc/2/@trangThai', '/fields/steps/fields/status'],
  ]);
  t.same(item.error!.errors.map((e) => e.path), ['/GoiTinHoSo/HoSo/1/@ngayTiepNhan', '/GoiTinHoSo/HoSo/1/NhatKy/Buoc/2/@trangThai'], 'the AdapterError names native paths');
  t.equal(item.error!.code, 'HUB_DATE_INVALID');
});

t.test('dry-run of the ok samples: no error, nothing unread, encoded preview, equal round trip with the notCarried values lost', async (t) => {
  for (const [id, file] of [['so-khdt', 'khdt.json'], ['so-tu-phap', 'stp.xml']] as const) {
    const m = compiled(mappingDoc(id));
    const r = dryRun(m, sample(id, file), CT[file.split('.')[1]!]!, { trace: true });
    if (!r.ok) return t.fail('refused');
    const a = r.answer;
    t.same(a.mapping, { sha256: m.sha256, size: m.size, warnings: [] });
    t.match(a.payloadSha256, /^[0-9a-f]{64}$/);
    const item = a.items[0]!;
    t.equal(item.ok, true, id);
    t.same(item.unread, [], `${id}: every leaf read or ignored`);
    t.same(item.roundTrip, { equal: true, lost: ['/agency/level'], diff: [] }, id);
    t.ok(item.encoded && 'body' in item.encoded);
    const status = item.trace!.find((row) => row.canonical === '/status')!;
    t.same(status.rule, '/fields/status');
    t.equal(status.value, 4);
  }
  const off = dryRun(compiled(mappingDoc('so-khdt')), sample('so-khdt', 'khdt.json'), 'application/json', { encode: false });
  if (off.ok) t.notOk(off.answer.items[0]!.encoded, 'encode: false turns the preview off');
});

t.test('every shipped sample reproduces its approved result (§17 matching)', async (t) => {
  for (const id of MAPPING_SYSTEMS) {
    const m = compiled(mappingDoc(id));
    for (const file of samples(id)) {
      const exp = expected(id, file);
      const r = dryRun(m, sample(id, file), CT[file.split('.').pop()!]!, { encode: false });
      if (!r.ok) { t.fail(`${id}/${file} refused`); continue; }
      if (exp.refused) { t.equal(r.answer.refused?.code, exp.refused.code, `${id}/${file}`); continue; }
      const got = r.answer.items.map((i) => (i.ok ? { ok: true, ref: i.ref, change: i.change } : { ok: false, errors: i.errors.map((e) => ({ code: e.code, native: e.native })) }));
      t.equal(canonicalJson(plain(got)), canonicalJson(exp.items), `${id}/${file}`);
    }
  }
});
