// Issue 8, "Also decide and test", through the real hub on a socket: mustUnderstand headers, SOAP 1.2 envelopes,
// declared encodings other than UTF-8 and UTF-16 bodies, foreign namespaces on fixed-namespace formats, undeclared
// prefixes, and duplicate JSON keys. Each answer is in the route's native form; nothing is stored.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { listeningHub, ONE_OF_EACH_ADAPTER, dossier, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';
import { parseXmlText, child } from '../../adapters/kit/xml.js';

const FIXTURES = new URL('../../adapters/', import.meta.url);
const fixture = (p: string) => readFileSync(new URL(p, FIXTURES), 'utf8');

let hub: TestHub;
let base: string;
let keys: Record<string, string> = {};

t.before(async () => {
  ({ hub, base, keys } = await listeningHub(ONE_OF_EACH_ADAPTER));
});
t.teardown(() => hub.close());

async function post(path: string, key: string, body: string | Buffer, type: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, text: await res.text() };
}

/** faultcode and MaLoi of a SOAP answer (which must itself be well-formed). */
function fault(text: string): { faultcode?: string; maLoi?: string; truongLoi?: string } {
  const root = parseXmlText(text).root;
  const f = child(child(root, 'Body')!, 'Fault');
  const detail = f && child(f, 'detail');
  return { faultcode: f && child(f, 'faultcode')?.text, maLoi: detail && child(detail, 'MaLoi')?.text, truongLoi: detail && child(detail, 'TruongLoi')?.text };
}

const tiepNhan = (localCode: string) => fixture('xay-dung-soap/fixtures/tiep-nhan.xml').replace('SXD-2026-004512', localCode);
const soap = (body: string | Buffer) => post('/v1/soap/so-xay-dung', keys.sxd!, body, 'text/xml; charset=utf-8');
const stored = (local: string) => hub.ctx.store.findCodeByLocal('so-xay-dung', local);

t.test('SOAP: mustUnderstand headers', async (t) => {
  const withHeader = (header: string, local: string) => tiepNhan(local).replace(/<soap:Body>|<s:Body>|<soapenv:Body>/, (b) => `<soap:Header xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">${header}</soap:Header>${b}`);
  const body = tiepNhan('SXD-MU-1');
  t.match(body, /<soap:Body>/, 'the fixture uses the soap: prefix');
  const unknown = await soap(withHeader('<t:Transaction xmlns:t="urn:example:tx" soap:mustUnderstand="1">5</t:Transaction>', 'SXD-MU-1'));
  t.equal(unknown.status, 500);
  t.strictSame(fault(unknown.text), { faultcode: 'soap:MustUnderstand', maLoi: 'HUB_SOAP_MUST_UNDERSTAND', truongLoi: '/Envelope/Header/Transaction' });
  t.equal(await stored('SXD-MU-1'), undefined, 'nothing stored');

  const optional = await soap(withHeader('<t:Transaction xmlns:t="urn:example:tx" soap:mustUnderstand="0">5</t:Transaction>', 'SXD-MU-2'));
  t.equal(optional.status, 200, 'a header that need not be understood is ignored');
  const unqualified = await soap(withHeader('<t:Transaction xmlns:t="urn:example:tx" mustUnderstand="1">5</t:Transaction>', 'SXD-MU-3'));
  t.equal(unqualified.status, 200, 'mustUnderstand outside the SOAP namespace is an ordinary attribute');

  const wsse = fixture('xay-dung-soap/fixtures/tiep-nhan-wsse.xml').replace(/<o:Username>[^<]*</, '<o:Username>so-xay-dung<').replace(/<o:Password([^>]*)>[^<]*</, `<o:Password$1>${keys.sxd}<`);
  t.match(wsse, /s:mustUnderstand="1"/, 'the WS-Security fixture marks Security mustUnderstand');
  const res = await fetch(`${base}/v1/soap/so-xay-dung`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: wsse });
  t.equal(res.status, 200, `WS-Security Security is understood: ${(await res.text()).slice(0, 200)}`);
});

t.test('SOAP: a SOAP 1.2 envelope gets a VersionMismatch Fault (SOAP 1.1 form), not a 1.1 answer', async (t) => {
  const body = tiepNhan('SXD-V12-1').replaceAll('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope');
  const res = await post('/v1/soap/so-xay-dung', keys.sxd!, body, 'application/soap+xml; charset=utf-8');
  t.equal(res.status, 500);
  t.strictSame(fault(res.text), { faultcode: 'soap:VersionMismatch', maLoi: 'HUB_SOAP_VERSION_MISMATCH', truongLoi: '/Envelope' });
  t.match(res.text, /xmlns:soap="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"/, 'the Fault is a SOAP 1.1 envelope');
  t.equal(await stored('SXD-V12-1'), undefined, 'nothing stored');
});

t.test('SOAP: the operation must be in the service namespace; an undeclared prefix is not XML', async (t) => {
  const foreign = await soap(tiepNhan('SXD-NS-1').replace('xmlns="urn:sxd:motcua:v1"', 'xmlns="urn:other:v1"').replace(/xmlns:(\w+)="urn:sxd:motcua:v1"/, 'xmlns:$1="urn:other:v1"'));
  t.equal(foreign.status, 500);
  t.equal(fault(foreign.text).maLoi, 'HUB_VALIDATION');
  t.equal(fault(foreign.text).truongLoi, '/Envelope/Body/TiepNhanHoSo');
  const undeclared = await soap(tiepNhan('SXD-NS-2').replace('<HoTen>', '<q:HoTen>').replace('</HoTen>', '</q:HoTen>'));
  t.equal(undeclared.status, 500);
  t.equal(fault(undeclared.text).maLoi, 'HUB_REQUEST_MALFORMED');
  t.match(undeclared.text, /prefix &quot;q&quot;|prefix "q"/);
  t.equal(await stored('SXD-NS-1'), undefined);
  t.equal(await stored('SXD-NS-2'), undefined);
});

t.test('an XML declaration naming another encoding, or a UTF-16 body, is 400 on every XML route', async (t) => {
  const latin = (xml: string) => xml.replace(/encoding="[^"]*"/, 'encoding="ISO-8859-1"');
  const soapRes = await soap(latin(tiepNhan('SXD-ENC-1')));
  t.equal(soapRes.status, 500);
  t.equal(fault(soapRes.text).maLoi, 'HUB_REQUEST_ENCODING');
  const goiTin = fixture('tnmt-xml/fixtures/minimal.xml');
  for (const body of [Buffer.from(latin(goiTin)), Buffer.from(`\ufeff${goiTin.replace('UTF-8', 'UTF-16')}`, 'utf16le')]) {
    const res = await post('/v1/inbound/so-tnmt', keys.tnmt!, body, 'application/xml');
    t.equal(res.status, 400);
    t.equal(parseXmlText(res.text).root.attrs.maLoi, 'HUB_REQUEST_ENCODING');
  }
  const utf16soap = await soap(Buffer.from(`\ufeff${tiepNhan('SXD-ENC-2')}`, 'utf16le'));
  t.equal(fault(utf16soap.text).maLoi, 'HUB_REQUEST_ENCODING', 'a UTF-16 SOAP body too');
  const lower = await post('/v1/inbound/so-tnmt', keys.tnmt!, goiTin.replace('UTF-8', 'utf-8'), 'application/xml');
  t.equal(lower.status, 202, 'utf-8 in any case is accepted');
});

t.test('TN&MT: a GoiTin in a foreign namespace is refused; none and its own are accepted', async (t) => {
  const goiTin = fixture('tnmt-xml/fixtures/minimal.xml').replace('000.00.15.H12-261127-0013', '000.00.15.H12-261127-0021');
  const foreign = await post('/v1/inbound/so-tnmt', keys.tnmt!, goiTin.replace('urn:stnmt:motcua:v2', 'urn:other:motcua:v2'), 'application/xml');
  t.equal(foreign.status, 422);
  const k = parseXmlText(foreign.text).root;
  t.equal(k.attrs.maLoi, 'HUB_VALIDATION');
  t.match(k.attrs.moTa ?? '', /\/GoiTin/);
  t.equal(await hub.ctx.store.getDossier('000.00.15.H12-261127-0021'), undefined, 'nothing stored');
  const none = await post('/v1/inbound/so-tnmt', keys.tnmt!, fixture('tnmt-xml/fixtures/no-namespace.xml'), 'application/xml');
  t.equal(none.status, 202, 'a GoiTin without a namespace is still accepted (legacy fixture)');
  const undeclared = await post('/v1/inbound/so-tnmt', keys.tnmt!, goiTin.replace('<HoTen>', '<x:HoTen>').replace('</HoTen>', '</x:HoTen>'), 'application/xml');
  t.equal(undeclared.status, 400);
  t.equal(parseXmlText(undeclared.text).root.attrs.maLoi, 'HUB_REQUEST_MALFORMED');
});

t.test('duplicate JSON keys are 400 HUB_REQUEST_MALFORMED naming the key, in every JSON body', async (t) => {
  const canonical = JSON.stringify(dossier({ code: '000.00.16.H12-261127-0031', agency: { code: '000.00.16.H12', name: 'Sở thử nghiệm', level: 'province' } }))
    .replace('"name":"Lê Văn Cường"', '"name":"Lê Văn Cường","name":"Someone Else"');
  const res = await post('/v1/inbound/canon', keys.canon!, canonical, 'application/json');
  t.equal(res.status, 400);
  const body = JSON.parse(res.text);
  t.equal(body.code, 'HUB_REQUEST_MALFORMED');
  t.equal(body.errors[0].path, '/applicant/name');
  t.equal(await hub.ctx.store.getDossier('000.00.16.H12-261127-0031'), undefined, 'nothing stored');

  const undp = '{"so_ho_so":"HS-DUP","ma_tthc":"2.000889","don_vi":{"ma":"000.12.34.H12","cap":"xa"},"nguoi_nop":"A","ngay_nhan":"27/11/2026","tinh_trang":"Đã tiếp nhận","tinh_trang":"Đã trả kết quả"}';
  const u = await post('/v1/inbound/undp-xa', keys.xa!, undp, 'application/json');
  t.equal(u.status, 400);
  t.equal(JSON.parse(u.text).errors[0].path, '/tinh_trang');

  const admin = await fetch(`${base}/v1/admin/systems`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: '{"id":"x1","id":"x2","name":"x","adapter":"canonical","role":"source","level":"province","agencies":[],"delivery":{"mode":"none"},"subscriptions":[],"mapping":null}',
  });
  t.equal(admin.status, 400, 'the app\'s JSON parser refuses too');
  t.equal((await admin.json()).errors[0].path, '/id');
});
