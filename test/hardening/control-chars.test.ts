// Issue 8, defect 6, through the real hub on a socket: a C0 control character (or U+FFFE/U+FFFF) in any text is
// refused before normalisation — 422 HUB_VALIDATION naming the field (the native path for UNDP), the character
// written `U+0001`, never echoed raw; XML bodies carry it only as something their parser refuses (400, native
// form). Nothing is stored. The writers refuse to emit it; error answers replace it and stay well-formed.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { listeningHub, ONE_OF_EACH_ADAPTER, dossier, type TestHub } from '../helpers/hub.js';
import { parseXmlText, renderXml, el } from '../../adapters/kit/xml.js';
import { AdapterError } from '../../adapters/kit/contract.js';
import { encodeTnmt, answerTnmtError } from '../../adapters/tnmt-xml/encode.js';
import { faultMessage } from '../../adapters/xay-dung-soap/envelope.js';
import { encode as encodeSoap } from '../../adapters/xay-dung-soap/encode.js';
import type { OutboundEvent } from '../../adapters/kit/contract.js';

const FIXTURES = new URL('../../adapters/', import.meta.url);
const fixture = (p: string) => readFileSync(new URL(p, FIXTURES), 'utf8');

let hub: TestHub;
let base: string;
let keys: Record<string, string> = {};

t.before(async () => {
  ({ hub, base, keys } = await listeningHub(ONE_OF_EACH_ADAPTER));
});
t.teardown(() => hub.close());

async function post(path: string, key: string, body: string, type: string) {
  const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

const AGENCY = { code: '000.00.16.H12', name: 'Sở thử nghiệm', level: 'province' };

/** No raw refused character, and not its JSON escape either: the message names it as U+XXXX. */
const noEcho = (text: string) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text) && !/\\u00(0[0-8bcBeEfF]|1[0-9a-fA-F])|\\uff(fe|ff)/i.test(text);

t.test('canonical JSON: 422 HUB_VALIDATION naming the field, U+0001 in the message, nothing stored', async (t) => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['U+0001 in summary', { summary: 'Chuyển\u0001nhượng' }, '/summary', 'U+0001'],
    ['U+001F in applicant.name', { applicant: { type: 'citizen', name: 'Lê\u001FVăn' } }, '/applicant/name', 'U+001F'],
    ['U+FFFF in a step note', { steps: [{ at: '2026-11-27T08:15:00+07:00', status: 2, note: 'x\uFFFF' }] }, '/steps/0/note', 'U+FFFF'],
    ['U+0007 in a phone (before digits-only)', { applicant: { type: 'citizen', name: 'A', phone: '0903\u0007111222' } }, '/applicant/phone', 'U+0007'],
  ];
  let n = 10;
  for (const [name, over, path, label] of cases) {
    const code = `000.00.16.H12-261127-00${n++}`;
    const res = await post('/v1/inbound/canon', keys.canon!, JSON.stringify(dossier({ code, agency: AGENCY, ...over })), 'application/json');
    t.equal(res.status, 422, `${name}: 422`);
    const body = JSON.parse(res.text);
    t.equal(body.code, 'HUB_VALIDATION', `${name}: HUB_VALIDATION`);
    t.equal(body.errors[0].path, path, `${name}: names ${path}`);
    t.match(body.errors[0].message, label, `${name}: writes ${label}`);
    t.ok(noEcho(res.text), `${name}: the character is not echoed`);
    t.equal(await hub.ctx.store.getDossier(code), undefined, `${name}: nothing stored`);
  }
  const tab = await post('/v1/inbound/canon', keys.canon!, JSON.stringify(dossier({ code: '000.00.16.H12-261127-0099', agency: AGENCY, summary: 'a\tb\r\nc' })), 'application/json');
  t.equal(tab.status, 202, 'TAB, CR and LF are still accepted');
});

t.test('UNDP JSON: 422 at the native path, nothing stored', async (t) => {
  const undp = (over: Record<string, unknown>) => JSON.stringify({
    so_ho_so: 'HS-CC-1', ma_tthc: '2.000889', don_vi: { ma: '000.12.34.H12', cap: 'xa' }, nguoi_nop: 'Trần Thị B',
    ngay_nhan: '27/11/2026', gio_nhan: '08:45', tinh_trang: 'Đã tiếp nhận', ...over,
  });
  for (const [over, path] of [[{ nguoi_nop: 'Trần\u0001Thị B' }, '/nguoi_nop'], [{ dien_thoai: '0912\u0002345678' }, '/dien_thoai'], [{ don_vi: { ma: '000.12.34.H12', ten: 'X\u000B' } }, '/don_vi/ten']] as const) {
    const res = await post('/v1/inbound/undp-xa', keys.xa!, undp(over), 'application/json');
    t.equal(res.status, 422, `${path}: 422`);
    const body = JSON.parse(res.text);
    t.equal(body.code, 'HUB_VALIDATION');
    t.equal(body.errors[0].path, path, `names ${path}`);
    t.match(body.errors[0].message, /U\+000[12B]/);
    t.ok(noEcho(res.text), 'not echoed');
  }
  t.equal(await hub.ctx.store.findCodeByLocal('undp-xa', 'HS-CC-1'), undefined, 'nothing stored');
});

t.test('SOAP and TN&MT XML: the parser refuses (400 in the native form), the answer is well-formed', async (t) => {
  const tiepNhan = fixture('xay-dung-soap/fixtures/tiep-nhan.xml').replace('SXD-2026-004512', 'SXD-CC-1');
  const soapCases: [string, string][] = [['raw U+0001', tiepNhan.replace('<HoTen>', '<HoTen>\u0001')], ['&#1;', tiepNhan.replace('<HoTen>', '<HoTen>&#1;')], ['&#xFFFE;', tiepNhan.replace('<HoTen>', '<HoTen>&#xFFFE;')]];
  for (const [name, body] of soapCases) {
    const res = await post('/v1/soap/so-xay-dung', keys.sxd!, body, 'text/xml; charset=utf-8');
    t.equal(res.status, 500, `SOAP ${name}: a Fault (HTTP 500)`);
    const fault = parseXmlText(res.text).root; // the Fault itself is well-formed
    t.match(res.text, /<faultcode>soap:Client<\/faultcode>/);
    t.match(res.text, /<MaLoi>HUB_REQUEST_MALFORMED<\/MaLoi>/, `SOAP ${name}: HUB_REQUEST_MALFORMED`);
    t.match(res.text, /U\+(0001|FFFE)/, `SOAP ${name}: names the character`);
    t.equal(fault.name, 'Envelope');
    t.ok(noEcho(res.text), 'not echoed');
  }
  t.equal(await hub.ctx.store.findCodeByLocal('so-xay-dung', 'SXD-CC-1'), undefined, 'nothing stored from SOAP');

  const goiTin = fixture('tnmt-xml/fixtures/minimal.xml');
  const code = /maHoSo="([^"]+)"/.exec(goiTin)![1]!;
  for (const body of [goiTin.replace(/(<HoTen>)/, '$1\u001F'), goiTin.replace(/(<HoTen>)/, '$1&#x1F;')]) {
    const res = await post('/v1/inbound/so-tnmt', keys.tnmt!, body, 'application/xml');
    t.equal(res.status, 400, 'TN&MT: 400');
    const ketQua = parseXmlText(res.text).root;
    t.equal(ketQua.name, 'KetQua');
    t.equal(ketQua.attrs.maLoi, 'HUB_REQUEST_MALFORMED');
    t.match(ketQua.attrs.moTa ?? '', /U\+001F/);
    t.ok(noEcho(res.text), 'not echoed');
  }
  t.equal(await hub.ctx.store.getDossier(code), undefined, 'nothing stored from TN&MT');
});

t.test('writers refuse what XML cannot carry; error answers replace it and stay well-formed', async (t) => {
  t.throws(() => renderXml(el('a', { b: 'x\u0001' })), { code: 'HUB_VALIDATION', message: /\/a\/@b.*U\+0001/ });
  t.throws(() => renderXml(el('a', undefined, 'x\uD800')), { code: 'HUB_VALIDATION', message: /U\+D800/ }, 'a lone surrogate is refused too');
  t.throws(() => renderXml(el('a b', undefined)), AdapterError, 'a name that is no XML name is refused');

  const stored = JSON.parse(readFileSync(new URL('tnmt-xml/fixtures/minimal.expected.json', FIXTURES), 'utf8'))[0].change;
  const event = {
    id: 'e1', type: 'dossier.updated', time: '2026-11-27T08:20:00+07:00',
    dossier: { ...stored, revision: 1, createdAt: '2026-11-27T08:15:00+07:00', updatedAt: '2026-11-27T08:15:00+07:00', summary: 'old\u0001data', altCodes: [] },
  } as unknown as OutboundEvent;
  t.throws(() => encodeTnmt(event), { code: 'HUB_VALIDATION', message: /TrichYeu.*U\+0001/ }, 'a TN&MT push with stored U+0001 is refused (the delivery dead-letters)');
  t.throws(() => encodeSoap({ ...event, dossier: { ...event.dossier, steps: [{ at: '2026-11-27T08:15:00+07:00', status: 2, note: 'x\u0002' }] } } as OutboundEvent, { systemId: 'so-xay-dung' }),
    { code: 'HUB_VALIDATION', message: /U\+0002/ }, 'a SOAP callback with stored U+0002 is refused');

  const fault = faultMessage({ code: 'HUB_VALIDATION', status: 422, detail: 'bad \u0001 text', errors: [{ path: '/a\u0002', message: 'm\u0003' }] });
  t.doesNotThrow(() => parseXmlText(String(fault.body)), 'the Fault is well-formed');
  t.match(String(fault.body), /bad U\+0001 text/);
  t.ok(noEcho(String(fault.body)));
  const ketQua = answerTnmtError({ code: 'HUB_VALIDATION', status: 422, detail: 'x\u0004', errors: [{ path: '/p\uFFFF', message: '' }] });
  t.doesNotThrow(() => parseXmlText(String(ketQua.body)), 'the KetQua is well-formed');
  t.match(String(ketQua.body), /xU\+0004: \/pU\+FFFF/);
});
