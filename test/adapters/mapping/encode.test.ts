// mapping.md §10–§12: the rules read backwards, absent values, failures naming the canonical field, reply judgement.
import t from 'tap';
import { encodeDossier } from '../../../adapters/kit/mapping/encode.js';
import { judgeMappingReply } from '../../../adapters/kit/mapping/reply.js';
import { decodeDocument } from '../../../adapters/kit/mapping/decode.js';
import { AdapterError } from '../../../adapters/kit/contract.js';
import { asStored } from '../../../adapters/kit/conformance.js';
import type { Dossier } from '../../../src/canonical/types.js';
import { compiled, edited, mappingDoc, minimal } from './helpers.js';

const dossier = (over: Partial<Dossier> = {}): Dossier => ({
  ...asStored({ procedure: { code: '1.000001' }, agency: { code: '000.00.10.H12', level: 'province' }, applicant: { type: 'citizen', name: 'Lê Thị B' }, channel: 'online', receivedAt: '2026-11-27T08:05:00+07:00', status: 4 }),
  code: '000.00.10.H12-261127-0001', ...over,
});
const json = (doc: unknown, d: Dossier, localCode?: string) => JSON.parse(String(encodeDossier(compiled(doc), d, { systemId: 's', ...(localCode ? { localCode } : {}) }).body));

t.test('ref: the receiver\'s own number, else the national code; ref.code gets the national code', async (t) => {
  const m = minimal({}, {}, { ref: { localCode: { from: 'so' }, code: { from: 'ma' } } });
  t.same([json(m, dossier(), 'L-1').so, json(m, dossier(), 'L-1').ma], ['L-1', '000.00.10.H12-261127-0001']);
  t.equal(json(m, dossier()).so, '000.00.10.H12-261127-0001');
});

t.test('conversions backwards: date (first pattern, timeFrom gets HH:mm), number groups, split, joinOf, jsonType, encode switches', async (t) => {
  const m = minimal({
    receivedAt: { from: 'ngay', date: ['d/M/yyyy', 'dd/MM/yyyy HH:mm'], timeFrom: 'gio' },
    'applicant.address': { joinOf: { paths: ['a1', 'a2', 'a3'], with: ', ' } },
    'extensions.t.tags': { from: 'tags', split: ';' },
    'extensions.t.copies': { from: 'copies', number: { integer: true }, jsonType: 'number' },
    'applicant.vneidVerified': { from: 'vneid', table: 'yn', jsonType: 'boolean' },
    summary: { from: 'ty', encode: { value: 'cố định' } },
    receiptNumber: { from: 'sbn', encode: false },
    outcome: { from: 'kq', decode: false, table: 'kq' },
  }, {}, { tables: { yn: { entries: [['true', true], ['false', false]] }, kq: { entries: [['1', 'approved']] } } });
  const out = json(m, dossier({ applicant: { type: 'citizen', name: 'X', address: 'Ấp 3, xã Tân An, tỉnh Bình An, Việt Nam', vneidVerified: true }, extensions: { t: { tags: ['a', 'b'], copies: 2 } }, receiptNumber: 'BN-1', outcome: 'approved' }));
  t.equal(out.ngay, '27/11/2026');
  t.equal(out.gio, '08:05');
  t.same([out.a1, out.a2, out.a3], ['Ấp 3', 'xã Tân An', 'tỉnh Bình An, Việt Nam'], 'the last path takes the rest');
  t.equal(out.tags, 'a;b');
  t.equal(out.copies, 2);
  t.equal(out.vneid, true);
  t.equal(out.ty, 'cố định');
  t.notOk('sbn' in out, 'encode: false');
  t.equal(out.kq, '1', 'decode: false still writes');
  t.notOk('han' in out, 'an absent value writes nothing');
  const khdt = compiled(mappingDoc('so-khdt'));
  const body = JSON.parse(String(encodeDossier(khdt, dossier({ fees: [{ name: 'Phí', amount: 1234567 }] }), { systemId: 's' }).body));
  t.same(body.hoSo.phiLePhi, [{ ten: 'Phí', soTien: '1.234.567' }]);
});

t.test('a dossier the rules cannot write throws AdapterError HUB_VALIDATION naming the canonical field', async (t) => {
  const m = compiled(edited('so-khdt', (d) => { d.tables.trangThai.entries = d.tables.trangThai.entries.filter(([, s]: [string, number]) => s !== 8); }));
  const err = t.throws(() => encodeDossier(m, dossier({ status: 8 }), { systemId: 's' })) as unknown as AdapterError;
  t.type(err, AdapterError);
  t.equal(err.code, 'HUB_VALIDATION');
  t.equal(err.errors[0]!.path, '/status');
  const steps = t.throws(() => encodeDossier(m, dossier({ steps: [{ at: '2026-11-27T08:05:00+07:00', status: 4 }, { at: '2026-11-27T09:05:00+07:00', status: 8 }] }), { systemId: 's' })) as unknown as AdapterError;
  t.equal(steps.errors[0]!.path, '/steps/1/status');
});

t.test('XML: namespaces on the root, prefixes by namespaceOf or the parent, a default namespace, escaping', async (t) => {
  const doc = {
    language: 'lgsp-mapping/1',
    source: { format: 'xml', root: 'Goi', namespaces: { '': 'urn:d', p: 'urn:p' }, namespaceOf: { Nguoi: 'p' }, item: 'HoSo' },
    ref: { localCode: { from: '@so' } },
    fields: { ...minimal().fields, 'procedure.code': { from: '@tt' }, 'applicant.name': { from: 'Nguoi/Ten' }, receivedAt: { from: '@ngay', date: ['yyyy-MM-dd'] }, summary: { from: 'TrichYeu' } },
  };
  const body = String(encodeDossier(compiled(doc), dossier({ summary: 'a < b & "c"' }), { systemId: 's' }).body);
  t.ok(body.startsWith('<?xml version="1.0" encoding="UTF-8"?><Goi xmlns="urn:d" xmlns:p="urn:p"><HoSo so="000.00.10.H12-261127-0001" tt="1.000001" ngay="2026-11-27"><p:Nguoi><p:Ten>Lê Thị B</p:Ten></p:Nguoi><TrichYeu>a &lt; b &amp; &quot;c&quot;</TrichYeu></HoSo></Goi>'), body);
  const back = decodeDocument(compiled(doc), Buffer.from(body)).items[0]!;
  t.equal(back.change.summary, 'a < b & "c"');
});

t.test('reply judgement: okStatus, transient and permanent statuses, okWhen read with the kit parser', async (t) => {
  const khdt = compiled(mappingDoc('so-khdt'));
  t.same(judgeMappingReply(khdt, 201, '{"maLoi":"0"}'), { ok: true });
  t.same(judgeMappingReply(khdt, 202, '{"maLoi":"0"}'), { ok: false, permanent: true, reason: 'HTTP 202' }, '202 is not in okStatus');
  for (const s of [500, 503, 408, 429]) t.equal((judgeMappingReply(khdt, s, '') as { permanent: boolean }).permanent, false, `${s} is transient`);
  t.equal((judgeMappingReply(khdt, 404, '') as { permanent: boolean }).permanent, true);
  t.same(judgeMappingReply(khdt, 200, '{"maLoi":"7"}'), { ok: false, permanent: true, reason: 'reply maLoi = "7" (expected one of "0")' });
  t.same(judgeMappingReply(khdt, 200, '<html>'), { ok: false, permanent: true, reason: 'reply not parseable' });
  t.same(judgeMappingReply(khdt, 200, '{"__proto__":{"maLoi":"0"}}'), { ok: false, permanent: true, reason: 'reply not parseable' });
  const stp = compiled(mappingDoc('so-tu-phap'));
  t.same(judgeMappingReply(stp, 200, '<KetQua maLoi=" 0 "/>'), { ok: true });
  t.equal((judgeMappingReply(stp, 200, '<KetQua/>') as { reason: string }).reason, 'reply @maLoi = "" (expected one of "0")');
  t.same(judgeMappingReply(compiled(minimal()), 204, ''), { ok: true }, 'without reply any 2xx is success');
});
