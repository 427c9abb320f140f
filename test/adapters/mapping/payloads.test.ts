// Bad payloads (mapping.md §3, §5, §7, §8, §15): each error names the canonical field, the native path and the rule;
// the transforms one by one; batches; refusals of the whole payload.
import t from 'tap';
import { compileMapping } from '../../../adapters/kit/mapping/compile.js';
import { decodeDocument, type ItemRun } from '../../../adapters/kit/mapping/decode.js';
import { dryRun } from '../../../adapters/kit/mapping/dry-run.js';
import { AdapterError } from '../../../adapters/kit/contract.js';
import { compiled, edited, mappingDoc, minimal, sample } from './helpers.js';

const BASE = { so: 'A1', tt: '1.000001', ten: 'Nguyễn Văn A', ngay: '01/12/2026' };
const run = (doc: unknown, payload: unknown, opts = {}): ItemRun => decodeDocument(compiled(doc), Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), opts).items[0]!;
const rows = (item: ItemRun) => item.errors.map((e) => [e.code, e.canonical, e.native, e.rule]);
const thrown = (fn: () => unknown): AdapterError => {
  try { fn(); } catch (err) { if (err instanceof AdapterError) return err; throw err; }
  throw new Error('nothing thrown');
};

t.test('a list or an object where one value was expected', async (t) => {
  const m = minimal({ summary: { from: 'a/b' } });
  t.same(rows(run(m, { ...BASE, a: { b: ['x'] } })), [['HUB_VALIDATION', '/summary', '/a/b', '/fields/summary']]);
  t.equal(run(m, { ...BASE, a: { b: ['x'] } }).errors[0]!.message, 'expected one value, found a list (use each)');
  t.equal(run(m, { ...BASE, a: { b: { c: 1 } } }).errors[0]!.message, 'expected one value, found an object');
  t.same(rows(run(m, { ...BASE, a: [{ b: 'x' }] })), [['HUB_VALIDATION', '/summary', '/a', '/fields/summary']], 'a list on the way');
  const x = edited('so-tu-phap', () => {});
  const xml = sample('so-tu-phap', 'stp.xml').toString().replace('<cd:HoTen>Nguyễn Văn An</cd:HoTen>', '<cd:HoTen>A</cd:HoTen><cd:HoTen>B</cd:HoTen>');
  t.same(rows(run(x, xml)), [['HUB_VALIDATION', '/applicant/name', '/GoiTinHoSo/HoSo/1/NguoiYeuCau/HoTen', '/fields/applicant.name']]);
});

t.test('absence: missing, null and blank; fallback, default, required, in that order', async (t) => {
  const m = minimal({ summary: { from: 'a', fallback: { from: 'b' }, default: 'mặc định' }, receiptNumber: { from: 'r', required: true } });
  const item = run(m, { ...BASE, a: ' \u200B ', b: null, r: null });
  t.equal(item.change.summary, 'mặc định');
  t.same(rows(item), [['HUB_VALIDATION', '/receiptNumber', '/r', '/fields/receiptNumber']]);
  t.equal(run(m, { ...BASE, b: 'từ b', r: '1' }).change.summary, 'từ b');
  const left = run(minimal({ summary: { from: 'a' } }), BASE);
  t.notOk('summary' in left.change, 'an absent value leaves the target out');
});

t.test('text, shaping and the simple transforms', async (t) => {
  const m = minimal({
    summary: { from: 'a', text: 'clean', segment: { sep: '|', index: 1 }, case: 'upper' },
    'applicant.address': { joinOf: { paths: ['x', 'y', 'z'], with: ', ' } },
    'procedure.name': { firstOf: ['p1', 'p2'] },
    'extensions.test.tags': { from: 't', split: ',' },
    'applicant.phone': { from: 'ph', digits: { strict: true } },
    'applicant.idNumber': { from: 'id', digits: { lengths: [9, 12] } },
  });
  const ok = run(m, { ...BASE, a: 'mã |  đã   tiếp nhận | z', x: 'Ấp 3', y: '', z: 'xã Tân An', p2: 'Tên', t: 'a, ,b,', ph: '+84 (912) 345-678', id: '079.190.001.234' });
  t.same(ok.errors, []);
  t.equal(ok.change.summary, 'ĐÃ TIẾP NHẬN');
  t.equal(ok.change.applicant!.address, 'Ấp 3, xã Tân An');
  t.equal(ok.change.procedure!.name, 'Tên');
  t.same((ok.change.extensions as any).test.tags, ['a', 'b']);
  t.equal(ok.change.applicant!.phone, '+84912345678');
  t.equal(ok.change.applicant!.idNumber, '079190001234');
  const bad = run(m, { ...BASE, ph: '0918 456 789 (Zalo)', id: '1234567890' });
  t.same(rows(bad), [['HUB_VALIDATION', '/applicant/phone', '/ph', '/fields/applicant.phone'], ['HUB_VALIDATION', '/applicant/idNumber', '/id', '/fields/applicant.idNumber']]);
  t.equal(run(minimal({ summary: { from: 'a', segment: { sep: '|', index: 3 }, required: true } }), { ...BASE, a: 'x|y' }).errors[0]!.message, 'required value is missing', 'shaping that leaves nothing');
});

t.test('tables: match exact/upper/fold, otherwise error/keep/value, status errors are HUB_STATUS_UNKNOWN', async (t) => {
  const tables = {
    st: { match: 'fold', entries: [['Đã tiếp nhận', 2]] },
    kind: { match: 'upper', entries: [['LP', 'fee']], otherwise: { value: 'charge' } },
    free: { entries: [['a', 'b']], otherwise: 'keep' },
  };
  const m = minimal({ status: { from: 's', table: 'st' }, summary: { from: 'f', table: 'free' }, fees: { each: 'fees', fields: { amount: { value: 0 }, kind: { from: 'k', table: 'kind' } } } }, {}, { tables });
  const ok = run(m, { ...BASE, s: '  ĐÃ  TIẾP NHẬN ', f: 'zz', fees: [{ k: 'lp' }, { k: 'x' }] });
  t.equal(ok.change.status, 2);
  t.equal(ok.change.summary, 'zz');
  t.same(ok.change.fees!.map((f) => f.kind), ['fee', 'charge']);
  const bad = run(m, { ...BASE, s: 'Da tiep nhan' });
  t.same(rows(bad), [['HUB_STATUS_UNKNOWN', '/status', '/s', '/fields/status']]);
  t.equal(bad.errors[0]!.message, '"Da tiep nhan" is not in table st', 'diacritics are kept by fold');
  const nonStatus = run(minimal({ channel: { from: 'c', table: 'k' } }, {}, { tables: { k: { entries: [['1', 'online']] } } }), { ...BASE, c: '2' });
  t.same(rows(nonStatus), [['HUB_VALIDATION', '/channel', '/c', '/fields/channel']]);
});

t.test('dates: patterns, real instants, dateOnly, timeFrom, explicit offsets', async (t) => {
  const m = minimal({
    receivedAt: { from: 'ngay', date: ['d/M/yyyy', 'yyyyMMddHHmmss'], timeFrom: 'gio' },
    dueAt: { from: 'han', date: ['dd/MM/yyyy'] },
    finishedAt: { from: 'xong', date: ['dd/MM/yyyy'] },
  });
  const ok = run(m, { ...BASE, ngay: '1/2/2026', gio: '8:05', han: '02/12/2026', xong: '2026-12-03T10:00:00Z' });
  t.same(ok.errors, []);
  t.equal(ok.change.receivedAt, '2026-02-01T08:05:00+07:00');
  t.equal(ok.change.dueAt, '2026-12-02T17:00:00+07:00', 'a due date alone is the end of the office day');
  t.equal(ok.change.finishedAt, '2026-12-03T17:00:00+07:00', 'an RFC 3339 value is taken with its offset');
  t.equal(run(m, { ...BASE, ngay: '20261127091500' }).change.receivedAt, '2026-11-27T09:15:00+07:00');
  t.equal(run(minimal({ submittedAt: { from: 's', date: ['dd/MM/yyyy'] } }), { ...BASE, s: '05/05/2026' }).change.submittedAt, '2026-05-05T00:00:00+07:00', '00:00 for other targets');
  const badTime = run(m, { ...BASE, gio: '25:00' });
  t.same(rows(badTime), [['HUB_DATE_INVALID', '/receivedAt', '/gio', '/fields/receivedAt']]);
  for (const v of ['31/4/2026', '30/2/2026', '1/1/1899']) t.match(run(m, { ...BASE, ngay: v }).errors[0]!.message, 'is not a real date/time (d/M/yyyy)', v);
  t.match(run(m, { ...BASE, ngay: '20261127246000' }).errors[0]!.message, 'is not a real date/time (yyyyMMddHHmmss)');
  t.equal(run(m, { ...BASE, ngay: '2026-11-27' }).errors[0]!.message, '"2026-11-27" does not match d/M/yyyy or yyyyMMddHHmmss');
});

t.test('numbers: groups of three, decimal, integer, refusals', async (t) => {
  const m = (number: object) => minimal({ 'extensions.t.n': { from: 'n', number } });
  const n = (spec: object, v: string) => { const i = run(m(spec), { ...BASE, n: v }); return i.errors.length ? i.errors[0]!.message : (i.change.extensions as any).t.n; };
  t.equal(n({ group: '.' }, '1.500.000'), 1500000);
  t.equal(n({ group: '.' }, '1500000'), 1500000, 'no group separator at all is accepted');
  t.equal(n({ group: '.' }, '1.500,25'), 1500.25);
  t.equal(n({ group: ' ', decimal: ',' }, '12 345,5'), 12345.5);
  t.equal(n({}, '3.75'), 3.75);
  for (const v of ['15.00.000', '1.500000', '-5', '1e3', '+1', '12a', '99999999999999999']) t.match(n({ group: '.' }, v), /is not a number written/, v);
  t.match(n({ group: '.', integer: true }, '600,000'), 'is not a number written {"group":".","decimal":",","integer":true}');
});

t.test('lookups read in-memory catalogues only: hit, default, required', async (t) => {
  const m = minimal({ 'agency.code': { from: 'cq' }, 'agency.level': { from: 'cq', lookup: 'agencyLevel', required: true }, 'procedure.name': { from: 'tt', lookup: 'procedureName' } });
  const catalogues = { agencyLevel: new Map([['000.00.10.H12', 'province']]), procedureName: new Map([['1.000001', 'Thủ tục mẫu']]) };
  const ok = run(m, { ...BASE, cq: '000.00.10.H12' }, { catalogues });
  t.same(ok.change.agency, { code: '000.00.10.H12', level: 'province' });
  t.equal(ok.change.procedure!.name, 'Thủ tục mẫu');
  const miss = run(m, { ...BASE, cq: '000.00.99.H12' }, { catalogues });
  t.same(rows(miss), [['HUB_VALIDATION', '/agency/level', '/cq', '/fields/agency.level']]);
  t.match(miss.errors[0]!.message, 'not in the catalogue');
});

t.test('lists: object as one element, absent vs empty, keepIf, caps checked before iterating, element errors with index', async (t) => {
  const m = minimal({ fees: { each: 'phi', fields: { name: { from: 'ten' }, amount: { from: 'tien', number: { group: '.', integer: true } } }, keepIf: 'amount', maxItems: 3 } });
  t.same(run(m, { ...BASE, phi: { ten: 'Lệ phí', tien: '5.000' } }).change.fees, [{ name: 'Lệ phí', amount: 5000 }]);
  t.same(rows(run(m, { ...BASE, phi: { ten: 'x', tien: 'y' } })), [['HUB_VALIDATION', '/fees/0/amount', '/phi/tien', '/fields/fees/fields/amount']], 'an object element has no index');
  t.same(run(m, { ...BASE, phi: [] }).change.fees, []);
  t.notOk('fees' in run(m, { ...BASE, phi: null }).change, 'null: absent, the stored list stays');
  t.same(run(m, { ...BASE, phi: [{ ten: 'a', tien: '0' }, { ten: 'b', tien: '1.000' }] }).change.fees, [{ name: 'b', amount: 1000 }], 'keepIf drops zero amounts');
  const over = run(m, { ...BASE, phi: Array.from({ length: 4 }, () => ({ ten: 'a', tien: 'bad' })) });
  t.same(rows(over), [['HUB_VALIDATION', '/fees', '/phi', '/fields/fees']], 'one error; the elements are not read');
  t.equal(over.errors[0]!.message, 'the list has 4 elements; at most 3');
  const x = mappingDoc('so-tu-phap');
  const empty = run(x, sample('so-tu-phap', 'stp.xml').toString().replace(/<stp:NhatKy>[\s\S]*<\/stp:NhatKy>/, '<stp:NhatKy/>').replace(/<stp:LePhi[\s\S]*?<\/stp:LePhi>/, ''));
  t.same(empty.change.steps, [], '<NhatKy/> gives []');
  t.notOk('fees' in empty.change, 'no LePhi: absent');
});

t.test('length guard: a raw value over 4 × maxLength is refused before normalisation', async (t) => {
  const item = run(minimal(), { ...BASE, ten: 'a'.repeat(1201) });
  t.same(rows(item), [['HUB_VALIDATION', '/applicant/name', '/ten', '/fields/applicant.name']]);
  t.equal(item.errors[0]!.value!.length, 200, 'the value is cut at 200 characters');
  t.same(rows(run(minimal(), { ...BASE, ten: 'a'.repeat(301) })).map((r) => r[3]), [null], '301 passes the guard; the canonical maxLength refuses it (rule null)');
});

t.test('batches: cap and emptiness refused before any item; each item on its own with its 1-based native index', async (t) => {
  const m = compiled(mappingDoc('so-tu-phap'));
  const one = sample('so-tu-phap', 'stp.xml').toString();
  const hoSo = one.slice(one.indexOf('<stp:HoSo '), one.indexOf('</stp:HoSo>') + '</stp:HoSo>'.length);
  const batch = (items: string[]) => Buffer.from(one.replace(hoSo, items.join('\n')));
  const two = decodeDocument(m, batch([hoSo, hoSo.replace('trangThai="03" kenh', 'trangThai="99" kenh')]));
  t.equal(two.items.length, 2);
  t.same(two.items[0]!.errors, []);
  t.same(rows(two.items[1]!), [['HUB_STATUS_UNKNOWN', '/status', '/GoiTinHoSo/HoSo/2/@trangThai', '/fields/status']]);
  const tooMany = thrown(() => decodeDocument(m, batch(Array.from({ length: 201 }, () => '<stp:HoSo/>'))));
  t.equal(tooMany.code, 'HUB_BATCH_TOO_LARGE');
  t.same(tooMany.errors[0]!.path, '/GoiTinHoSo/HoSo');
  const none = thrown(() => decodeDocument(m, batch([])));
  t.equal(none.code, 'HUB_VALIDATION');
  t.equal(none.errors[0]!.path, '/GoiTinHoSo/HoSo');
  const root = thrown(() => decodeDocument(m, Buffer.from('<GoiTin><HoSo/></GoiTin>')));
  t.same([root.code, root.errors[0]!.path], ['HUB_VALIDATION', '/GoiTin']);
  const latin = thrown(() => decodeDocument(m, Buffer.from(one.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'))));
  t.equal(latin.code, 'HUB_REQUEST_ENCODING');
});

t.test('transfer: read only when its node is present, then toAgency is required', async (t) => {
  const m = minimal({}, {}, { transfer: { at: 'lienThong', fields: { toAgency: { from: 'lienThong/den' }, reason: { from: 'lienThong/lyDo' } } } });
  t.notOk(run(m, BASE).transfer);
  t.same(run(m, { ...BASE, lienThong: { den: '000.00.12.H12', lyDo: 'Chuyển' } }).transfer, { toAgency: '000.00.12.H12', reason: 'Chuyển' });
  t.same(rows(run(m, { ...BASE, lienThong: { lyDo: 'x' } })), [['HUB_VALIDATION', '/transfer/toAgency', '/lienThong/den', '/transfer/fields/toAgency']]);
});

t.test('dry-run refusals of the whole payload are answered as "refused" with the inbound code', async (t) => {
  const m = compileMapping(mappingDoc('so-khdt'));
  const cases: [string | Buffer, string, string][] = [
    ['{"hoSo":', 'application/json', 'HUB_REQUEST_MALFORMED'],
    ['{"hoSo":{"__proto__":{}}}', 'application/json', 'HUB_REQUEST_FORBIDDEN_KEY'],
    [Buffer.from([0x7b, 0xff, 0x7d]), 'application/json', 'HUB_REQUEST_ENCODING'],
    ['{"hoSo":{}}', 'application/xml', 'HUB_MEDIA_TYPE'],
    ['{"phienBan":"2.0"}', 'application/json', 'HUB_VALIDATION'],
  ];
  for (const [payload, ct, code] of cases) {
    const r = dryRun(m, payload, ct);
    if (!r.ok) { t.fail('mapping refused'); continue; }
    t.equal(r.answer.refused?.code, code, code);
    t.same(r.answer.items, []);
  }
  const invalid = dryRun(compileMapping({ language: 'lgsp-mapping/1' }), '{}', 'application/json');
  t.same(invalid.ok ? null : [invalid.code, invalid.status], ['HUB_MAPPING_INVALID', 422], 'compile errors are passed through');
  const unread = dryRun(m, JSON.stringify({ ...JSON.parse(sample('so-khdt', 'khdt.json').toString()), extra: 'x', hoSo: { ...JSON.parse(sample('so-khdt', 'khdt.json').toString()).hoSo, moi: { a: '1', b: ' ' } } }), 'application/json');
  t.same(unread.ok && unread.answer.items[0]!.unread, ['/extra', '/hoSo/moi/a'], 'unread leaves (the envelope first): blank ones and ignored ones left out');
});
