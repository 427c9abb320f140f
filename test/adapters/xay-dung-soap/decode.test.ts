// Every fixture of the adapter decodes to its expected DecodedOp array; every malformed one is refused with its
// code and element path; prefixes, SOAPAction, NFD, CRLF and BOM do not change the result.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { DecodeResult, DecodedOp, InboundRequest } from '../../../adapters/kit/contract.js';
import { AdapterError } from '../../../adapters/kit/contract.js';
import { xayDungSoapAdapter as adapter } from '../../../adapters/xay-dung-soap/index.js';
import { SYSTEM_ID } from './fixtures/helpers.js';

const FIXTURES = new URL('../../../adapters/xay-dung-soap/fixtures/', import.meta.url);
const INVALID = new URL('invalid/', FIXTURES);
// The specification's samples live beside the repository in the shared workspace; the fixtures hold copies.
const SAMPLES = new URL('../../../../shared/spec/samples/', import.meta.url);

/** The headers real clients sent with some fixtures: decode must not depend on them. */
const HEADERS: Record<string, Record<string, string>> = {
  'tiep-nhan-tns-prefix.xml': { soapaction: '"urn:sxd:motcua:v1/TiepNhanHoSo"' },
  'tiep-nhan-m-prefix.xml': { soapaction: 'urn:sxd:motcua:v1/TiepNhanHoSo' },
  'tiep-nhan-lists.xml': { soapaction: '' },
  'cap-nhat-m-prefix.xml': { soapaction: '"urn:sxd:motcua:v1/TiepNhanHoSo"' }, // names another operation: the body wins
  'tra-cuu.xml': { soapaction: '"urn:sxd:motcua:v1/TraCuuHoSo"' },
};

function request(body: Buffer | string, headers: Record<string, string> = {}): InboundRequest {
  const contentType = (headers['content-type'] ?? 'text/xml').split(';')[0]!;
  return { body: Buffer.isBuffer(body) ? body : Buffer.from(body), contentType, headers, systemId: SYSTEM_ID };
}

const ops = (r: DecodeResult): (DecodedOp | undefined)[] => r.items.map((i) => i.op);

/** Decode and return {code, path} of the refusal, thrown or carried by the item. */
function refusal(body: Buffer | string): { code: string; path: string | undefined } | undefined {
  try {
    const e = adapter.decode(request(body)).items[0]?.error;
    return e && { code: e.code, path: e.errors[0]?.path };
  } catch (err) {
    if (!(err instanceof AdapterError)) throw err;
    return { code: err.code, path: err.errors[0]?.path };
  }
}

const valid = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'));
const invalid = readdirSync(INVALID).filter((f) => f.endsWith('.xml'));

t.test('fixtures: at least the two samples and ten variations, each with its expected ops', async (t) => {
  t.ok(valid.length >= 12, `${valid.length} valid fixtures`);
  for (const f of valid) {
    const expected = JSON.parse(readFileSync(new URL(f.replace(/\.xml$/, '.expected.json'), FIXTURES), 'utf8'));
    const result = adapter.decode(request(readFileSync(new URL(f, FIXTURES)), HEADERS[f]));
    t.equal(result.batch, false, `${f}: one dossier per request`);
    t.equal(result.items[0]?.error, undefined, `${f}: no error`);
    t.strictSame(ops(result), expected, `${f}: expected ops`);
  }
});

t.test('the fixtures named after the samples are the samples', { skip: !existsSync(SAMPLES) && 'no spec samples here' }, async (t) => {
  for (const [fixture, sample] of [['tiep-nhan.xml', 'xay-dung-tiep-nhan.xml'], ['cap-nhat.xml', 'xay-dung-cap-nhat.xml']] as const) {
    t.equal(readFileSync(new URL(fixture, FIXTURES), 'utf8'), readFileSync(new URL(sample, SAMPLES), 'utf8'), fixture);
  }
});

t.test('the TiepNhanHoSo sample maps every field of the table', async (t) => {
  const r = adapter.decode(request(readFileSync(new URL('tiep-nhan.xml', FIXTURES))));
  t.equal(r.operation, 'TiepNhanHoSo');
  const op = r.items[0]!.op!;
  if (op.kind !== 'change') throw new Error('a change expected');
  t.strictSame(op.ref, { localCode: 'SXD-2026-004512' }, 'empty MaHoSoQuocGia: no national code');
  const c = op.change;
  t.equal(c.code, undefined);
  t.strictSame(c.altCodes, [{ system: SYSTEM_ID, code: 'SXD-2026-004512' }]);
  t.strictSame(c.procedure, { code: '1.009794', name: 'Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II' });
  t.strictSame(c.agency, { code: '000.00.11.H12', name: 'Sở Xây dựng', level: 'province' });
  t.equal(c.receivedAt, '2026-11-27T08:30:00+07:00');
  t.equal(c.dueAt, '2026-12-25T17:00:00+07:00');
  t.equal(c.status, 2);
  t.equal(c.channel, 'in_person');
  t.strictSame(c.applicant, { type: 'business', name: 'Công ty TNHH Xây dựng Hoàng Phát', idNumber: '0312345678', phone: '02838123456', address: '12 Lê Lợi, phường Bến Thành' });
  t.equal(c.summary, 'Xin cấp phép xây dựng trụ sở văn phòng 9 tầng');
  t.strictSame(c.extensions, { xayDung: { building: { type: 'Công trình dân dụng cấp II', location: 'Lô A3, khu đô thị mới', floorArea: 4250.5, floors: 9 } } });
  t.equal(c.documents?.length, 2);
  t.strictSame(c.fees, [{ code: 'LP-GPXD', name: 'Lệ phí cấp giấy phép xây dựng', amount: 150000 }]);
  t.strictSame(c.steps, [{ at: '2026-11-27T08:30:00+07:00', status: 2, actor: 'Nguyễn Thị Lan', department: 'Bộ phận một cửa', note: 'Tiếp nhận hồ sơ' }]);
});

t.test('the CapNhatTrangThai sample is a status change with one step', async (t) => {
  const r = adapter.decode(request(readFileSync(new URL('cap-nhat.xml', FIXTURES))));
  t.equal(r.operation, 'CapNhatTrangThai');
  t.strictSame(ops(r), [{
    kind: 'change', ref: { localCode: 'SXD-2026-004512' },
    change: { status: 4, steps: [{ at: '2026-11-28T10:05:00+07:00', status: 4, actor: 'Trần Văn Minh', note: 'Chuyển phòng Quản lý xây dựng thẩm định' }] },
  }]);
});

t.test('numbers, lists and a national code (tiep-nhan-lists)', async (t) => {
  const [op] = ops(adapter.decode(request(readFileSync(new URL('tiep-nhan-lists.xml', FIXTURES)))));
  if (op?.kind !== 'change') throw new Error('a change expected');
  t.strictSame(op.ref, { code: '000.00.11.H12-261127-0031', localCode: 'SXD-2026-004512' });
  t.equal(op.change.code, '000.00.11.H12-261127-0031');
  t.strictSame(op.change.fees?.map((f) => f.amount), [150000, 1500000, 12500000], 'thousands dots');
  t.equal((op.change.extensions?.['xayDung']?.['building'] as { floorArea: number }).floorArea, 32450.75, '32.450,75');
  t.equal(op.change.documents?.length, 3);
  t.equal(op.change.documents?.[2]?.url, 'https://motcua-sxd.example/files/4512/gcn.pdf?v=2&dl=1', 'entities decoded');
  t.equal(op.change.steps?.length, 3);
  t.equal(op.change.dueAt, '2026-12-25T17:00:00+07:00', 'a date alone is a deadline at the end of the office day');
  t.equal(op.change.applicant?.idNumber, '0101234567001');
});

t.test('NFD, zero-width characters, doubled spaces, CRLF and a BOM give the same dossier as the sample', async (t) => {
  const raw = readFileSync(new URL('tiep-nhan-nfd-crlf-bom.xml', FIXTURES));
  t.same([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the fixture starts with a BOM');
  t.ok(raw.toString('utf8').includes('\r\n'), 'CRLF');
  t.not(raw.toString('utf8'), raw.toString('utf8').normalize('NFC'), 'decomposed');
  const [nfd] = ops(adapter.decode(request(raw)));
  const [nfc] = ops(adapter.decode(request(readFileSync(new URL('tiep-nhan.xml', FIXTURES)))));
  if (nfd?.kind !== 'change' || nfc?.kind !== 'change') throw new Error('changes expected');
  const json = JSON.stringify(nfd);
  t.equal(json, json.normalize('NFC'), 'every string is NFC');
  t.notMatch(json, /[\u200B-\u200D\uFEFF]/, 'no zero-width characters');
  t.strictSame({ ...nfd.change, altCodes: [] }, { ...nfc.change, altCodes: [] }, 'same content apart from the number');
});

t.test('the operation comes from the body, whatever SOAPAction says or whether it is there', async (t) => {
  const body = readFileSync(new URL('cap-nhat.xml', FIXTURES));
  const expected = ops(adapter.decode(request(body)));
  for (const soapaction of ['"urn:sxd:motcua:v1/CapNhatTrangThai"', 'urn:sxd:motcua:v1/CapNhatTrangThai', '', '""', '"urn:sxd:motcua:v1/TraCuuHoSo"', 'TiepNhanHoSo']) {
    const r = adapter.decode(request(body, { soapaction }));
    t.equal(r.operation, 'CapNhatTrangThai', `SOAPAction ${JSON.stringify(soapaction)}`);
    t.strictSame(ops(r), expected);
  }
});

t.test('malformed fixtures are refused with their code and element path', async (t) => {
  t.ok(invalid.length >= 20, `${invalid.length} invalid fixtures`);
  for (const f of invalid) {
    const expected = JSON.parse(readFileSync(new URL(f.replace(/\.xml$/, '.error.json'), INVALID), 'utf8'));
    t.strictSame(refusal(readFileSync(new URL(f, INVALID))), expected, f);
  }
});

t.test('field errors are the item error (the request was readable), structural ones are thrown', async (t) => {
  const r = adapter.decode(request(readFileSync(new URL('unknown-status.xml', INVALID))));
  t.equal(r.operation, 'TiepNhanHoSo');
  t.equal(r.items[0]?.op, undefined);
  t.equal(r.items[0]?.error?.code, 'HUB_STATUS_UNKNOWN');
  t.throws(() => adapter.decode(request(readFileSync(new URL('unknown-operation.xml', INVALID)))), { code: 'HUB_VALIDATION' });
  t.throws(() => adapter.decode(request(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))), { code: 'HUB_REQUEST_ENCODING' });
});

t.test('nativePath maps canonical pointers to the elements the department wrote', async (t) => {
  const tiep = adapter.decode(request(readFileSync(new URL('tiep-nhan.xml', FIXTURES)))).items[0]!.nativePath!;
  const H = '/Envelope/Body/TiepNhanHoSo/HoSo';
  t.equal(tiep('/receivedAt'), `${H}/NgayNhan`);
  t.equal(tiep('/applicant/name'), `${H}/NguoiNop/HoTen`);
  t.equal(tiep('/applicant/phone'), `${H}/NguoiNop/DienThoai`);
  t.equal(tiep('/procedure/code'), `${H}/MaThuTuc`);
  t.equal(tiep('/agency/code'), `${H}/MaDonVi`);
  t.equal(tiep('/code'), `${H}/MaHoSoQuocGia`);
  t.equal(tiep('/summary'), `${H}/TrichYeu`);
  t.equal(tiep('/documents/1/name'), `${H}/TepDinhKem/Tep/1/TenTep`);
  t.equal(tiep('/fees/0/amount'), `${H}/PhiLePhi/Phi/0/SoTien`);
  t.equal(tiep('/steps/0/at'), `${H}/QuaTrinhXuLy/Buoc/0/ThoiGian`);
  t.equal(tiep('/steps/0/unknownField'), `${H}/QuaTrinhXuLy/Buoc/0`);
  t.equal(tiep('/extensions/xayDung/building/floorArea'), `${H}/CongTrinh/DienTichSan`);
  t.equal(tiep('/applicant/name/extra'), `${H}/NguoiNop/HoTen`, 'the longest mapped prefix');
  t.equal(tiep('/reopenReason'), H, 'unmapped: the HoSo element');
  t.equal(tiep(''), H);
  const cap = adapter.decode(request(readFileSync(new URL('cap-nhat.xml', FIXTURES)))).items[0]!.nativePath!;
  t.equal(cap('/status'), '/Envelope/Body/CapNhatTrangThai/TrangThai');
  t.equal(cap('/steps/0/at'), '/Envelope/Body/CapNhatTrangThai/ThoiGian');
  t.equal(cap('/steps/0/note'), '/Envelope/Body/CapNhatTrangThai/NoiDung');
  t.equal(cap('/dueAt'), '/Envelope/Body/CapNhatTrangThai/NgayHenTraMoi');
});

t.test('credentials: the WS-Security UsernameToken, prefix-independent; undefined when absent', async (t) => {
  t.strictSame(adapter.credentials!(request(readFileSync(new URL('tiep-nhan-wsse.xml', FIXTURES)))), {
    username: 'fixture-system', password: 'fixture-system.c2VjcmV0LWtleS1vZi10aGUtZGVwYXJ0bWVudA',
  });
  const plain = (prefix: string, type = '') =>
    `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header><${prefix}Security xmlns${prefix ? `:${prefix.slice(0, -1)}` : ''}="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><${prefix}UsernameToken><${prefix}Username>sys-a</${prefix}Username><${prefix}Password${type}>k.ey</${prefix}Password></${prefix}UsernameToken></${prefix}Security></e:Header><e:Body><TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>1</MaHoSo></TraCuuHoSo></e:Body></e:Envelope>`;
  t.strictSame(adapter.credentials!(request(plain('wsse:'))), { username: 'sys-a', password: 'k.ey' });
  t.strictSame(adapter.credentials!(request(plain(''))), { username: 'sys-a', password: 'k.ey' }, 'default namespace');
  t.strictSame(adapter.credentials!(request(plain('x:', ' Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"'))), { username: 'sys-a', password: 'k.ey' });
  t.equal(adapter.credentials!(request(plain('x:', ' Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"'))), undefined, 'a digest cannot be checked');
  t.equal(adapter.credentials!(request(readFileSync(new URL('tiep-nhan.xml', FIXTURES)))), undefined, 'no header');
  t.equal(adapter.credentials!(request('<not xml')), undefined, 'unreadable: decode says why');
});

t.test('decode is pure: no clock', async (t) => {
  const now = Date.now;
  Date.now = () => { throw new Error('decode read the clock'); };
  try {
    for (const f of valid) adapter.decode(request(readFileSync(new URL(f, FIXTURES))));
    t.pass('no fixture read the clock');
  } finally {
    Date.now = now;
  }
});
