// The three legacy formats through the real hub: real HTTP on a socket, the real store, the shared pipeline.
import t from 'tap';
import { readFileSync } from 'node:fs';
import soap from 'soap';
import { startHub, type TestHub } from '../helpers/hub.js';
import { freePort } from '../helpers/net.js';

const SAMPLES = new URL('../../../shared/spec/samples/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, SAMPLES), 'utf8');

let hub: TestHub;
let base: string;
const keys: Record<string, string> = {};

t.before(async () => {
  const port = await freePort();
  hub = await startHub({ config: { port, publicUrl: `http://127.0.0.1:${port}` } });
  keys.sxd = await hub.register({ id: 'so-xay-dung', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'] });
  keys.tnmt = await hub.register({ id: 'so-tnmt', adapter: 'tnmt-xml', agencies: ['000.00.15.H12'] });
  keys.xa = await hub.register({ id: 'undp-xa-tan-an', adapter: 'undp-motcua', level: 'commune', agencies: ['000.12.34.H12'], delivery: { mode: 'pull' } });
  await hub.app.listen({ port, host: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
});
t.teardown(() => hub.close());

const post = (path: string, key: string, body: string, type: string, extra: Record<string, string> = {}) =>
  fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type, ...extra }, body });
const read = async (code: string) => (await fetch(`${base}/v1/dossiers/${code}`, { headers: { authorization: `Bearer ${keys.tnmt}` } })).json();

t.test('SOAP: a client generated from the hub\'s ?wsdl calls every operation with WS-Security', async (t) => {
  const client = await soap.createClientAsync(`${base}/v1/soap/so-xay-dung?wsdl`);
  client.setSecurity(new soap.WSSecurity('so-xay-dung', keys.sxd!, { passwordType: 'PasswordText', hasTimeStamp: false }));
  const [tiep] = await client.TiepNhanHoSoAsync({
    HoSo: {
      MaHoSo: 'SXD-2026-009001', MaThuTuc: '1.009794', MaDonVi: '000.00.11.H12', TenDonVi: 'Sở Xây dựng',
      NgayNhan: '27/11/2026 08:30:00', NgayHenTra: '', TrangThai: 'TIEPNHAN', KenhNop: 'TRUCTUYEN',
      NguoiNop: { HoTen: 'Nguyễn Văn A', DienThoai: '0912.345.678' },
      PhiLePhi: { Phi: [{ TenPhi: 'Lệ phí', SoTien: '1.500.000' }] },
    },
  });
  t.equal(tiep.TiepNhanHoSoResult.MaLoi, '0');
  const code = tiep.TiepNhanHoSoResult.MaHoSoQuocGia as string;
  t.equal(code, '000.00.11.H12-261127-0001', 'the hub issued the national code');
  const [cap] = await client.CapNhatTrangThaiAsync({ MaHoSo: 'SXD-2026-009001', TrangThai: 'DANGXULY', ThoiGian: '28/11/2026 10:05:00', NguoiXuLy: 'Trần Văn Minh' });
  t.equal(cap.CapNhatTrangThaiResult.MaLoi, '0');
  const [tra] = await client.TraCuuHoSoAsync({ MaHoSo: 'SXD-2026-009001' });
  t.equal(tra.TraCuuHoSoResult.HoSo.MaHoSoQuocGia, code);
  t.equal(tra.TraCuuHoSoResult.HoSo.TrangThai, 'DANGXULY');
  const platformView = await (await fetch(`${base}/v1/dossiers/${code}`, { headers: { authorization: `Bearer ${keys.sxd}` } })).json();
  t.equal(platformView.fees[0].amount, 1500000);
  t.equal(platformView.revision, 2);
});

t.test('SOAP: the sample envelopes with Basic auth, unquoted SOAPAction, and Faults with HUB_ codes', async (t) => {
  const basic = `Basic ${Buffer.from(`so-xay-dung:${keys.sxd}`).toString('base64')}`;
  const call = (body: string, action?: string) => fetch(`${base}/v1/soap/so-xay-dung`, {
    method: 'POST', body, headers: { authorization: basic, 'content-type': 'text/xml; charset=utf-8', ...(action !== undefined ? { soapaction: action } : {}) },
  });
  const ok = await call(sample('xay-dung-tiep-nhan.xml'), 'urn:sxd:motcua:v1/TiepNhanHoSo');
  t.equal(ok.status, 200, 'SOAP answers 200');
  t.match(await ok.text(), /<MaLoi>0<\/MaLoi>/);
  const upd = await call(sample('xay-dung-cap-nhat.xml'));
  t.match(await upd.text(), /<MaLoi>0<\/MaLoi>/);
  const bad = await call(sample('xay-dung-cap-nhat.xml').replace('DANGXULY', 'DANGLAM'));
  t.equal(bad.status, 500, 'a client Fault travels with HTTP 500');
  const text = await bad.text();
  t.match(text, /soap:Client|:Client</);
  t.match(text, /HUB_STATUS_UNKNOWN/);
  t.match(text, /TrangThai/);
  const noAuth = await fetch(`${base}/v1/soap/so-xay-dung`, { method: 'POST', body: sample('xay-dung-cap-nhat.xml'), headers: { 'content-type': 'text/xml' } });
  t.equal(noAuth.status, 401);
  t.match(await noAuth.text(), /HUB_AUTH_MISSING/);
});

t.test('SOAP: id="__proto__" is refused and the next requests still work', async (t) => {
  const basic = `Basic ${Buffer.from(`so-xay-dung:${keys.sxd}`).toString('base64')}`;
  const hostile = sample('xay-dung-cap-nhat.xml').replace('<MaHoSo>', '<MaHoSo id="__proto__">');
  const res = await fetch(`${base}/v1/soap/so-xay-dung`, { method: 'POST', body: hostile, headers: { authorization: basic, 'content-type': 'text/xml' } });
  t.equal(res.status, 500);
  t.match(await res.text(), /HUB_REQUEST_FORBIDDEN_KEY/);
  t.equal(({} as Record<string, unknown>).MaHoSo, undefined, 'the prototype is untouched');
  const next = await fetch(`${base}/v1/soap/so-xay-dung`, { method: 'POST', body: sample('xay-dung-cap-nhat.xml'), headers: { authorization: basic, 'content-type': 'text/xml' } });
  t.match(await next.text(), /<MaLoi>0<\/MaLoi>/);
});

t.test('TN&MT: a batch with one bad item is 202 with per-item results; XML or JSON answer; DOCTYPE refused', async (t) => {
  const good = sample('tnmt-goi-tin.xml');
  const res = await post('/v1/inbound/so-tnmt', keys.tnmt!, good, 'application/xml');
  t.equal(res.status, 202);
  const xml = await res.text();
  t.match(xml, /<KetQua[^>]*maLoi="0"/);
  t.match(xml, /soHoSoNhan="2"/);
  const d = await read('000.00.15.H12-261127-0007');
  t.equal(d.extensions.tnmt.parcels[0].dienTich, 150.5);
  t.equal(d.fees[0].name, 'Lệ phí trước bạ');
  const mixed = good.replace('trangThai="0"', 'trangThai="7"');
  const json = await post('/v1/inbound/so-tnmt', keys.tnmt!, mixed, 'text/xml', { accept: 'application/json' });
  t.equal(json.status, 202);
  const body = await json.json();
  t.equal(body.accepted.length, 1);
  t.equal(body.accepted[0].duplicate, true, 'the first item is identical: a duplicate');
  t.equal(body.rejected[0].index, 1);
  t.equal(body.rejected[0].code, 'HUB_STATUS_UNKNOWN');
  const doctype = await post('/v1/inbound/so-tnmt', keys.tnmt!, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>${good.slice(good.indexOf('<GoiTin'))}`, 'application/xml');
  t.equal(doctype.status, 400);
  t.match(await doctype.text(), /maLoi="HUB_REQUEST_DOCTYPE"/);
});

t.test('UNDP: the samples as JSON, text/plain and form-encoded; local numbers get national codes; lien_thong transfers', async (t) => {
  const first = await post('/v1/inbound/undp-xa-tan-an', keys.xa!, sample('undp-ho-so.json'), 'application/json');
  t.equal(first.status, 202);
  const r1 = await first.json();
  t.equal(r1.dossierCode, '000.12.34.H12-261127-0001');
  const plain = await post('/v1/inbound/undp-xa-tan-an', keys.xa!, sample('undp-ho-so.json'), 'text/plain');
  t.equal((await plain.json()).duplicate, true);
  const form = await post('/v1/inbound/undp-xa-tan-an', keys.xa!, `data=${encodeURIComponent(sample('undp-lien-thong.json'))}`, 'application/x-www-form-urlencoded');
  t.equal(form.status, 202);
  const r2 = await form.json();
  t.equal(r2.revision, 2, 'received and transferred: two revisions in one transaction');
  const events = await (await fetch(`${base}/v1/dossiers/${r2.dossierCode}/events`, { headers: { authorization: `Bearer ${keys.xa}` } })).json();
  t.same(events.items.map((e: { type: string }) => e.type), ['dossier.received', 'dossier.transferred']);
  // Two-tier liên thông (samples/undp-lien-thong.json): the commune desk passes it to the province's land office.
  const d = await (await fetch(`${base}/v1/dossiers/${r2.dossierCode}`, { headers: { authorization: `Bearer ${keys.tnmt}` } })).json();
  t.equal(d.agency.code, '000.00.15.H12', 'the land office is competent now and can read it');
  t.equal(d.routing.holder, 'so-tnmt');
  t.equal(d.routing.origin, 'undp-xa-tan-an');
  const back = await (await fetch(`${base}/v1/dossiers/${r2.dossierCode}`, { headers: { authorization: `Bearer ${keys.xa}` } })).json();
  t.equal(back.code, r2.dossierCode, 'the receiving desk still reads it: the result comes back there');
  const unknown = await post('/v1/inbound/undp-xa-tan-an', keys.xa!, sample('undp-ho-so.json').replace('Đã tiếp nhận', 'Đang chờ'), 'application/json');
  t.equal(unknown.status, 422);
  const p = await unknown.json();
  t.equal(p.code, 'HUB_STATUS_UNKNOWN');
  t.equal(p.errors[0].path, '/tinh_trang');
});

t.test('native formats answer a body over the limit natively: a SOAP Fault, a KetQua with 413', async (t) => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  const soapRes = await post('/v1/soap/so-xay-dung', keys.sxd!, big, 'text/xml');
  t.equal(soapRes.status, 500, 'a client Fault travels with HTTP 500, as SOAP 1.1 requires');
  const fault = await soapRes.text();
  t.match(fault, /Fault/);
  t.match(fault, /HUB_REQUEST_TOO_LARGE/);
  const xmlRes = await post('/v1/inbound/so-tnmt', keys.tnmt!, big, 'application/xml');
  t.equal(xmlRes.status, 413);
  t.match(await xmlRes.text(), /maLoi="HUB_REQUEST_TOO_LARGE"/);
});
