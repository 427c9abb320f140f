// answer / answerError: result envelopes, Fault kinds and HTTP statuses; the TraCuuHoSo HoSo decodes back.
import t from 'tap';
import type { DecodeResult, ItemOutcome } from '../../../adapters/kit/contract.js';
import { child, parseXmlText, type XmlElement } from '../../../adapters/kit/xml.js';
import { xayDungSoapAdapter as adapter } from '../../../adapters/xay-dung-soap/index.js';
import { dossier, receipt, SYSTEM_ID } from './fixtures/helpers.js';

const ENV = (body: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const decodeText = (xml: string, systemId = SYSTEM_ID): DecodeResult =>
  adapter.decode({ body: Buffer.from(xml), contentType: 'text/xml', headers: {}, systemId });
const answer = (decode: DecodeResult, outcome: ItemOutcome) => adapter.answer!({ decode, outcomes: [outcome], accept: undefined });

function bodyChild(xml: string): XmlElement {
  const { root } = parseXmlText(xml);
  return child(root, 'Body')!.children[0]!;
}
const text = (el: XmlElement | undefined, ...path: string[]): string | undefined => {
  let cur = el;
  for (const p of path) cur = cur && child(cur, p);
  return cur?.text;
};

const TIEP = decodeText(ENV('<TiepNhanHoSo xmlns="urn:sxd:motcua:v1"><HoSo><MaHoSo>SXD-1</MaHoSo><MaThuTuc>1.009794</MaThuTuc><MaDonVi>000.00.11.H12</MaDonVi><NgayNhan>27/11/2026 08:30:00</NgayNhan><TrangThai>MOI</TrangThai><KenhNop>TRUCTIEP</KenhNop><NguoiNop><HoTen>A</HoTen></NguoiNop></HoSo></TiepNhanHoSo>'));

t.test('TiepNhanHoSo and CapNhatTrangThai answer <Op>Response/<Op>Result with MaLoi 0, the national code and the receipt', async (t) => {
  const m = answer(TIEP, { index: 0, ok: true, receipt: receipt() });
  t.equal(m.status, 200);
  t.equal(m.contentType, 'text/xml; charset=utf-8');
  const resp = bodyChild(String(m.body));
  t.equal(resp.name, 'TiepNhanHoSoResponse');
  t.match(String(m.body), /<TiepNhanHoSoResponse xmlns="urn:sxd:motcua:v1"><TiepNhanHoSoResult>/, 'children qualified by the default namespace');
  t.equal(text(resp, 'TiepNhanHoSoResult', 'MaLoi'), '0');
  t.equal(text(resp, 'TiepNhanHoSoResult', 'MaHoSoQuocGia'), '000.00.11.H12-261127-0031');
  t.equal(text(resp, 'TiepNhanHoSoResult', 'MaBienNhan'), 'rcpt-0001');
  const dup = bodyChild(String(answer(TIEP, { index: 0, ok: true, receipt: receipt({ duplicate: true }) }).body));
  t.match(text(dup, 'TiepNhanHoSoResult', 'MoTa'), /trùng/, 'a duplicate says so, still MaLoi 0');
  const cap = decodeText(ENV('<CapNhatTrangThai xmlns="urn:sxd:motcua:v1"><MaHoSo>SXD-1</MaHoSo><TrangThai>DATRA</TrangThai><ThoiGian>01/12/2026 09:00:00</ThoiGian></CapNhatTrangThai>'));
  t.equal(bodyChild(String(answer(cap, { index: 0, ok: true, receipt: receipt() }).body)).name, 'CapNhatTrangThaiResponse');
});

t.test('Faults: soap:Client with HTTP 500, 401 for failed authentication, soap:Server for hub-side failures', async (t) => {
  const fault = (code: Parameters<NonNullable<typeof adapter.answerError>>[0]['code'], status: number, errors = [{ path: '/Envelope/Body/TiepNhanHoSo/HoSo/NgayNhan', message: 'x' }]) => {
    const m = answer(TIEP, { index: 0, ok: false, code, status, detail: 'chi tiết', errors });
    const f = bodyChild(String(m.body));
    return { status: m.status, headers: m.headers ?? {}, name: f.name, faultcode: text(f, 'faultcode'), maLoi: text(f, 'detail', 'MaLoi'), truongLoi: text(f, 'detail', 'TruongLoi'), faultstring: text(f, 'faultstring') };
  };
  t.match(fault('HUB_DATE_INVALID', 422), { status: 500, name: 'Fault', faultcode: 'soap:Client', maLoi: 'HUB_DATE_INVALID', truongLoi: '/Envelope/Body/TiepNhanHoSo/HoSo/NgayNhan', faultstring: 'chi tiết' });
  t.match(fault('HUB_STATUS_TERMINAL', 409), { status: 500, faultcode: 'soap:Client' });
  t.match(fault('HUB_AUTHZ_AGENCY_SCOPE', 403), { status: 403, faultcode: 'soap:Client' }, 'the 403-class refusals travel with 403 (xay-dung.md)');
  t.match(fault('HUB_CODE_FOREIGN', 403), { status: 403, faultcode: 'soap:Client', maLoi: 'HUB_CODE_FOREIGN' });
  t.match(fault('HUB_NOT_FOUND', 404, []), { status: 500, faultcode: 'soap:Client', maLoi: 'HUB_NOT_FOUND', truongLoi: '' });
  const auth = fault('HUB_AUTH_INVALID', 401, []);
  t.match(auth, { status: 401, faultcode: 'soap:Client', maLoi: 'HUB_AUTH_INVALID' });
  t.match(auth.headers['www-authenticate'], /^Basic realm=/);
  t.match(fault('HUB_AUTH_MISSING', 401, []), { status: 401 });
  t.match(fault('HUB_INTERNAL', 500, []), { status: 500, faultcode: 'soap:Server' });
  t.match(fault('HUB_UNAVAILABLE', 503, []), { status: 500, faultcode: 'soap:Server' });
  t.match(fault('HUB_RATE_LIMITED', 429, []), { status: 429, faultcode: 'soap:Server' });
  const e = adapter.answerError!({ code: 'HUB_REQUEST_MALFORMED', status: 400, detail: 'not XML', errors: [{ path: '', message: 'line 1' }] });
  t.equal(e.status, 500);
  t.match(String(e.body), /<faultcode>soap:Client<\/faultcode>.*<MaLoi>HUB_REQUEST_MALFORMED<\/MaLoi>/s);
  t.equal(e.contentType, 'text/xml; charset=utf-8');
});

t.test('TraCuuHoSo answers the dossier as HoSo: own number, national code, local dates, SOAP codes', async (t) => {
  const lookup = decodeText(ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>000.00.11.H12-261127-0031</MaHoSo></TraCuuHoSo>'));
  const m = answer(lookup, { index: 0, ok: true, dossier: dossier() });
  t.equal(m.status, 200);
  const resp = bodyChild(String(m.body));
  t.equal(resp.name, 'TraCuuHoSoResponse');
  const hoSo = child(child(resp, 'TraCuuHoSoResult')!, 'HoSo')!;
  t.equal(text(hoSo, 'MaHoSo'), 'SXD-2026-004512');
  t.equal(text(hoSo, 'MaHoSoQuocGia'), '000.00.11.H12-261127-0031');
  t.equal(text(hoSo, 'NgayNhan'), '27/11/2026 08:30:00', 'receivedAt was stored in Z');
  t.equal(text(hoSo, 'TrangThai'), 'DANGXULY');
  t.strictSame(hoSo.children.map((c) => c.name), [
    'MaHoSo', 'MaHoSoQuocGia', 'MaThuTuc', 'TenThuTuc', 'MaDonVi', 'TenDonVi', 'NgayNhan', 'NgayHenTra', 'TrangThai', 'KenhNop',
    'NguoiNop', 'TrichYeu', 'CongTrinh', 'TepDinhKem', 'PhiLePhi', 'QuaTrinhXuLy',
  ], 'the WSDL sequence order');

  const other = answer(decodeText(ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>000.00.11.H12-261127-0031</MaHoSo></TraCuuHoSo>'), 'a-stranger'), { index: 0, ok: true, dossier: dossier() });
  t.equal(text(child(child(bodyChild(String(other.body)), 'TraCuuHoSoResult')!, 'HoSo'), 'MaHoSo'), '000.00.11.H12-261127-0031', 'no altCode of the caller: the national code');

  const failed = answer(lookup, { index: 0, ok: false, code: 'HUB_NOT_FOUND', status: 404, detail: 'Không tìm thấy', errors: [{ path: '/Envelope/Body/TraCuuHoSo/MaHoSo', message: 'unknown' }] });
  t.equal(failed.status, 500);
  t.match(String(failed.body), /<MaLoi>HUB_NOT_FOUND<\/MaLoi><TruongLoi>\/Envelope\/Body\/TraCuuHoSo\/MaHoSo<\/TruongLoi>/);
  const broken = answer(lookup, { index: 0, ok: true, dossier: dossier({ status: 99 }) });
  t.match(String(broken.body), /soap:Server/, 'a dossier the table cannot express is a hub-side failure');
});

t.test('round trip: the HoSo of TraCuuHoSo, sent back as TiepNhanHoSo, decodes to the same dossier content', async (t) => {
  const d = dossier();
  const lookup = decodeText(ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>SXD-2026-004512</MaHoSo></TraCuuHoSo>'));
  const xml = String(answer(lookup, { index: 0, ok: true, dossier: d }).body);
  const hoSoXml = xml.slice(xml.indexOf('<HoSo>'), xml.indexOf('</HoSo>') + '</HoSo>'.length);
  const [op] = decodeText(ENV(`<TiepNhanHoSo xmlns="urn:sxd:motcua:v1">${hoSoXml}</TiepNhanHoSo>`)).items.map((i) => i.op);
  if (op?.kind !== 'change') throw new Error('a change expected');
  const c = op.change;
  t.strictSame(op.ref, { code: d.code, localCode: 'SXD-2026-004512' });
  t.equal(c.receivedAt, '2026-11-27T08:30:00+07:00');
  t.equal(c.dueAt, d.dueAt);
  t.equal(c.status, d.status);
  t.strictSame(c.procedure, d.procedure);
  t.strictSame(c.agency, d.agency);
  t.strictSame(c.applicant, d.applicant);
  t.strictSame(c.documents, d.documents);
  t.strictSame(c.fees, d.fees);
  t.strictSame(c.steps, d.steps);
  t.strictSame(c.extensions, d.extensions);
  t.equal(c.summary, d.summary);
  t.equal(c.channel, d.channel);
});
