// Decree 118 codes and the times the hub cannot have seen, on every route kind (canonical.md "Codes", "Dates and
// times"; issue 8 items 2–4): real-shaped 2026 codes are accepted, another agency's identifier is refused with
// HUB_CODE_FOREIGN, a dossier dated December 2999 is refused with HUB_DATE_OUT_OF_RANGE, nothing of a refused change
// is stored, and a dossier with 1,000 steps still takes status changes.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startHub, dossier, type TestHub } from '../helpers/hub.js';

const SAMPLES = new URL('../../../shared/spec/samples/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, SAMPLES), 'utf8');
const undpSample = JSON.parse(sample('undp-ho-so.json'));
const tnmtSample = sample('tnmt-goi-tin.xml');
const soapSample = sample('xay-dung-tiep-nhan.xml');

let hub: TestHub;
const keys: Record<string, string> = {};

t.before(async () => {
  hub = await startHub();
  keys.canon = await hub.register({ id: 'canon', agencies: [{ code: 'H12.15', name: 'Sở Tư pháp', predecessors: ['000.00.34.H12'] }] as never });
  keys.undp = await hub.register({ id: 'undp', adapter: 'undp-motcua', level: 'commune', agencies: [{ code: '000.12.34.H12', name: 'UBND xã Tân An', kind: 'xa' }] as never });
  keys.tnmt = await hub.register({ id: 'tnmt', adapter: 'tnmt-xml', agencies: ['000.00.15.H12'] });
  keys.sxd = await hub.register({ id: 'sxd', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'] });
  keys.cong = await hub.register({ id: 'cong', role: 'platform' });
});
t.teardown(() => hub.close());

const read = (code: string) => hub.get(`/v1/dossiers/${encodeURIComponent(code)}`, keys.cong!);
const xmlPost = (body: string) => hub.post('tnmt', keys.tnmt!, body, { 'content-type': 'application/xml' });
const soapPost = (body: string) => hub.app.inject({
  method: 'POST', url: '/v1/soap/sxd', payload: body,
  headers: { authorization: `Basic ${Buffer.from(`sxd:${keys.sxd}`).toString('base64')}`, 'content-type': 'text/xml; charset=utf-8' },
});
const soapFault = (body: string) => ({
  faultcode: /<faultcode>([^<]*)<\/faultcode>/.exec(body)?.[1], maLoi: /<MaLoi>([^<]*)<\/MaLoi>/.exec(body)?.[1], truongLoi: /<TruongLoi>([^<]*)<\/TruongLoi>/.exec(body)?.[1],
});
// The sample's first HoSo, alone in a gói tin.
const firstHoSo = /<HoSo [\s\S]*?<\/HoSo>/.exec(tnmtSample)![0];
const hoSo = (code: string, receivedAt = '2026-11-27T08:15:00') => firstHoSo
  .replace('maHoSo="000.00.15.H12-261127-0007"', `maHoSo="${code}"`).replace('ngayTiepNhan="2026-11-27T08:15:00"', `ngayTiepNhan="${receivedAt}"`);
const goiTin = (...items: string[]) => `<?xml version="1.0" encoding="UTF-8"?><GoiTin xmlns="urn:stnmt:motcua:v2" phienBan="2.1" thoiGianGui="2026-11-27T15:00:00"><DanhSachHoSo>${items.join('')}</DanhSachHoSo></GoiTin>`;
const tnmtItem = (code: string, receivedAt?: string) => goiTin(hoSo(code, receivedAt));
const soapWith = (national: string, received = '27/11/2026 08:30:00', local = 'SXD-2026-004512') => soapSample
  .replace('<MaHoSoQuocGia></MaHoSoQuocGia>', `<MaHoSoQuocGia>${national}</MaHoSoQuocGia>`)
  .replace('<NgayNhan>27/11/2026 08:30:00</NgayNhan>', `<NgayNhan>${received}</NgayNhan>`).replace('SXD-2026-004512', local);

t.test('real-shaped 2026 codes (QĐ 20 identifiers, 4–7 digit sequences) are accepted on every adapter, exactly as sent', async (t) => {
  const canon = await hub.post('canon', keys.canon!, dossier({ code: 'H12.15-261120-123456', agency: { code: 'H12.15', level: 'province' }, receiptNumber: undefined }));
  t.equal(canon.statusCode, 202, canon.body);
  t.equal(canon.json().dossierCode, 'H12.15-261120-123456');
  const undp = await hub.post('undp', keys.undp!, { ...undpSample, ma_ho_so_qg: '000.12.34.H12-261127-0001234' });
  t.equal(undp.statusCode, 202, undp.body);
  t.equal(undp.json().dossierCode, '000.12.34.H12-261127-0001234');
  const tnmt = await xmlPost(tnmtItem('000.00.15.H12-261127-123456'));
  t.equal(tnmt.statusCode, 202, tnmt.body);
  t.match(tnmt.body, /maHoSo="000\.00\.15\.H12-261127-123456" maLoi="0"/);
  const soap = await soapPost(soapWith('000.00.11.H12-261127-012345'));
  t.equal(soap.statusCode, 200, soap.body);
  t.match(soap.body, /<MaHoSoQuocGia>000\.00\.11\.H12-261127-012345<\/MaHoSoQuocGia>/, 'the department\'s code, no second hub-made one');
  for (const code of ['H12.15-261120-123456', '000.12.34.H12-261127-0001234', '000.00.15.H12-261127-123456', '000.00.11.H12-261127-012345']) {
    t.equal((await read(code)).json().code, code, `${code} stored as sent`);
  }
});

t.test('SOAP: a MaHoSoQuocGia that is not a well-formed code is a Fault at that element, never a local number', async (t) => {
  const res = await soapPost(soapWith('SXD/2026/77', '27/11/2026 08:30:00', 'SXD-2026-004599'));
  t.equal(res.statusCode, 500, res.body);
  t.match(soapFault(res.body), { faultcode: 'soap:Client', maLoi: 'HUB_VALIDATION', truongLoi: /MaHoSoQuocGia$/ });
  const feed = (await hub.get('/v1/dossiers?limit=1000', keys.cong!)).json().items as { altCodes?: { code: string }[] }[];
  t.notOk(feed.some((d) => d.altCodes?.some((a) => a.code === 'SXD-2026-004599')), 'no hub-made code for it');
});

t.test('a foreign agency\'s code is 403 HUB_CODE_FOREIGN on every route form, and nothing is stored', async (t) => {
  const foreign = '000.00.11.H12-261127-0042'; // Sở Xây dựng's identifier
  const canon = await hub.post('canon', keys.canon!, dossier({ code: foreign, agency: { code: 'H12.15', level: 'province' } }));
  t.equal(canon.statusCode, 403, canon.body);
  t.equal(canon.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(canon.json(), { code: 'HUB_CODE_FOREIGN', errors: [{ path: '/code' }] });
  const undp = await hub.post('undp', keys.undp!, { ...undpSample, so_ho_so: 'HS-FOREIGN-1', ma_ho_so_qg: foreign });
  t.equal(undp.statusCode, 403, undp.body);
  t.match(undp.json(), { code: 'HUB_CODE_FOREIGN', errors: [{ path: '/ma_ho_so_qg' }] });
  // A batch: the good item is accepted, the foreign one is a rejected item.
  const batch = await xmlPost(goiTin(hoSo('000.00.15.H12-261127-0100'), hoSo(foreign)));
  t.equal(batch.statusCode, 202, batch.body);
  t.match(batch.body, /soHoSoNhan="1" soHoSoLoi="1"/);
  t.match(batch.body, /<HoSo viTri="2" maHoSo="000\.00\.11\.H12-261127-0042" maLoi="HUB_CODE_FOREIGN"/);
  const soap = await soapPost(soapWith('000.00.15.H12-261127-0042', '27/11/2026 08:30:00', 'SXD-2026-004513'));
  t.equal(soap.statusCode, 403, soap.body);
  t.match(soapFault(soap.body), { faultcode: 'soap:Client', maLoi: 'HUB_CODE_FOREIGN', truongLoi: /MaHoSoQuocGia$/ });
  t.equal((await read(foreign)).statusCode, 404, 'nothing stored under the foreign code');
  t.equal((await read('000.00.15.H12-261127-0042')).statusCode, 404);
  // The agency that owns the identifier can still use its code.
  const owner = await soapPost(soapWith(foreign, '27/11/2026 08:30:00', 'SXD-2026-004514'));
  t.equal(owner.statusCode, 200, owner.body);
});

t.test('a national issuer\'s identifier or a predecessor\'s is the sender\'s own', async (t) => {
  const old = await hub.post('canon', keys.canon!, dossier({
    code: '000.00.34.H12-250620-0001', agency: { code: '000.00.34.H12', level: 'district' },
    receivedAt: '2025-06-20T08:00:00+07:00', dueAt: '2025-07-20T17:00:00+07:00', steps: [{ at: '2025-06-20T08:00:00+07:00', status: 2 }],
  }));
  t.equal(old.statusCode, 202, `a predecessor's code on a dossier of the three-tier past: ${old.body}`);
  t.equal((await read('000.00.34.H12-250620-0001')).json().agency.level, 'district', 'stored district dossiers stay district');
});

t.test('December 2999 is refused on every route kind with HUB_DATE_OUT_OF_RANGE naming the field; nothing stored', async (t) => {
  const canon = await hub.post('canon', keys.canon!, dossier({ code: 'H12.15-991201-0001', agency: { code: 'H12.15', level: 'province' }, receivedAt: '2999-12-01T08:00:00+07:00', steps: [] }));
  t.equal(canon.statusCode, 422, canon.body);
  t.match(canon.json(), { code: 'HUB_DATE_OUT_OF_RANGE', errors: [{ path: '/receivedAt' }] });
  const undp = await hub.post('undp', keys.undp!, { ...undpSample, so_ho_so: 'HS-2999', ngay_nhan: '01/12/2999', ngay_hen: '' });
  t.equal(undp.statusCode, 422, undp.body);
  t.match(undp.json(), { code: 'HUB_DATE_OUT_OF_RANGE', errors: [{ path: '/ngay_nhan' }] });
  const tnmt = await xmlPost(tnmtItem('000.00.15.H12-991201-0001', '2999-12-01T08:15:00'));
  t.equal(tnmt.statusCode, 422, tnmt.body);
  t.match(tnmt.body, /maLoi="HUB_DATE_OUT_OF_RANGE"[^>]*ngayTiepNhan/);
  const soap = await soapPost(soapWith('', '01/12/2999 08:30:00', 'SXD-2999'));
  t.equal(soap.statusCode, 500, soap.body);
  t.match(soapFault(soap.body), { faultcode: 'soap:Client', maLoi: 'HUB_DATE_OUT_OF_RANGE', truongLoi: /NgayNhan$/ });
  t.equal((await read('H12.15-991201-0001')).statusCode, 404);
  t.equal((await read('000.00.15.H12-991201-0001')).statusCode, 404);

  // The status route, and a later change's step: refused, the dossier unchanged.
  const code = 'H12.15-261120-123456';
  const before = (await read(code)).json();
  const status = await hub.app.inject({ method: 'POST', url: `/v1/dossiers/${code}/status`, headers: { authorization: `Bearer ${keys.cong}` }, payload: { status: 4, at: '2999-12-01T08:00:00+07:00' } });
  t.equal(status.statusCode, 422, status.body);
  t.match(status.json(), { code: 'HUB_DATE_OUT_OF_RANGE', errors: [{ path: '/at' }] });
  const step = await hub.post('canon', keys.canon!, { code, steps: [{ at: '2999-12-01T08:00:00+07:00', status: 4 }] });
  t.match(step.json(), { code: 'HUB_DATE_OUT_OF_RANGE', errors: [{ path: '/steps/0/at' }] });
  t.equal((await read(code)).json().revision, before.revision, 'nothing stored');
});

t.test('the edges of the range: 1990, 5 minutes of clock skew, due dates up to 10 years ahead', async (t) => {
  const base = { agency: { code: 'H12.15', level: 'province' }, steps: [] };
  const post = (n: number, o: Record<string, unknown>) => hub.post('canon', keys.canon!, dossier({ ...base, code: `H12.15-891231-${String(n).padStart(4, '0')}`, ...o }));
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: [string, Record<string, unknown>, string | null][] = [
    ['before 1990', { receivedAt: '1989-12-31T23:59:00+07:00' }, '/receivedAt'],
    ['submittedAt in the future', { submittedAt: iso(Date.now() + 3_600_000) }, '/submittedAt'],
    ['a step started tomorrow', { steps: [{ at: '2026-11-27T08:15:00+07:00', status: 2, startedAt: iso(Date.now() + 86_400_000) }] }, '/steps/0/startedAt'],
    ['a fee paid in 2999', { fees: [{ name: 'Lệ phí', amount: 1, paidAt: '2999-01-01T00:00:00+07:00' }] }, '/fees/0/paidAt'],
    ['a due date 11 years ahead', { dueAt: iso(Date.now() + 11 * 366 * 86_400_000) }, '/dueAt'],
    ['a participant due in 2999', { participants: [{ agency: { code: '000.12.34.H12', level: 'commune' }, dueAt: '2999-01-01T00:00:00+07:00' }] }, '/participants/0/dueAt'],
    ['a step at 2 minutes ahead (clock skew)', { steps: [{ at: iso(Date.now() + 120_000), status: 2 }] }, null],
    ['a due date 9 years ahead', { dueAt: iso(Date.now() + 9 * 365 * 86_400_000) }, null],
  ];
  let n = 1;
  for (const [name, o, path] of cases) {
    const res = await post(n++, o);
    if (path === null) t.equal(res.statusCode, 202, `${name}: ${res.body}`);
    else t.match({ status: res.statusCode, ...res.json() }, { status: 422, code: 'HUB_DATE_OUT_OF_RANGE', errors: [{ path }] }, name);
  }
});

t.test('a dossier with 1,000 steps still takes status changes; the served document keeps the newest 1,000', async (t) => {
  const code = 'H12.15-261101-0001';
  const start = Date.parse('2026-11-01T08:00:00+07:00');
  const steps = Array.from({ length: 1000 }, (_, i) => ({ at: new Date(start + i * 60_000).toISOString(), status: 4, actor: `cán bộ ${i}` }));
  const filled = await hub.post('canon', keys.canon!, dossier({ code, agency: { code: 'H12.15', level: 'province' }, receivedAt: '2026-11-01T08:00:00+07:00', status: 4, steps }));
  t.equal(filled.statusCode, 202, filled.body.slice(0, 300));
  for (const [i, status] of [5, 4, 9].entries()) {
    const res = await hub.app.inject({
      method: 'POST', url: `/v1/dossiers/${code}/status`, headers: { authorization: `Bearer ${keys.cong}` },
      payload: { status, at: `2026-11-${25 + i}T09:00:00+07:00`, note: `thay đổi ${i}` },
    });
    t.equal(res.statusCode, 202, res.body);
  }
  const d = (await read(code)).json();
  t.equal(d.status, 9);
  t.equal(d.steps.length, 1000, 'the newest 1,000 steps are served');
  t.equal(d.steps.at(-1).status, 9, 'the newest step is the last status change');
  t.equal(d.steps[0].actor, 'cán bộ 3', 'the oldest steps left the served document');
  const events = (await hub.get(`/v1/dossiers/${code}/events`, keys.cong!)).json().items;
  t.equal(events.length, 4, 'every change stays in the timeline');
});
