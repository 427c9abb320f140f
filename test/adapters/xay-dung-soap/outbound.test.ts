// encode → a real SOAP server made with the `soap` package (the department's service) → judgeReply.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import soap from 'soap';
import type { OutboundEvent } from '../../../adapters/kit/contract.js';
import { xayDungSoapAdapter as adapter } from '../../../adapters/xay-dung-soap/index.js';
import { dossier, SYSTEM_ID } from './fixtures/helpers.js';

const WSDL = readFileSync(new URL('./fixtures/department-service.wsdl', import.meta.url), 'utf8');

type Mode = 'ok' | 'maloi5' | 'client-fault' | 'server-fault';
const received: { args: Record<string, unknown>; soapAction: string | undefined }[] = [];
let mode: Mode = 'ok';

const http = createServer((req, res) => {
  res.statusCode = 404;
  res.end();
});
soap.listen(http, '/sxd/lgsp', {
  MotCuaXayDungCallback: {
    MotCuaXayDungCallbackSoap: {
      NhanCapNhatTuLGSP(args: Record<string, unknown>, _cb: unknown, _headers: unknown, req: { headers: Record<string, string> }) {
        received.push({ args, soapAction: req.headers['soapaction'] });
        if (mode === 'client-fault') throw { Fault: { faultcode: 'soap:Client', faultstring: 'Không tìm thấy hồ sơ', statusCode: 500 } };
        if (mode === 'server-fault') throw { Fault: { faultcode: 'soap:Server', faultstring: 'Cơ sở dữ liệu đang bảo trì', statusCode: 500 } };
        return { NhanCapNhatTuLGSPResult: mode === 'maloi5' ? { MaLoi: '5', MoTa: 'Trạng thái không hợp lệ' } : { MaLoi: '0', MoTa: 'Thành công' } };
      },
    },
  },
}, WSDL);
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/sxd/lgsp`;
t.teardown(() => new Promise<void>((resolve) => http.close(() => resolve())));

function event(over: Partial<OutboundEvent> = {}): OutboundEvent {
  const d = dossier({
    status: 5,
    steps: [
      { at: '2026-11-27T08:30:00+07:00', status: 2, actor: 'Nguyễn Thị Lan' },
      { at: '2026-12-03T04:00:00Z', status: 5, actor: 'Cổng DVC', note: 'Bổ sung bản vẽ <kết cấu> & thuyết minh' },
      { at: '2026-11-28T10:05:00+07:00', status: 4 },
    ],
  });
  return { eventId: 'evt-1', type: 'dossier.status-changed', source: 'platform', time: d.updatedAt, revision: 3, previousStatus: 4, dossier: d, ...over };
}

async function push(over: Partial<OutboundEvent> = {}, target = { systemId: SYSTEM_ID, localCode: 'SXD-2026-004512' }) {
  const msg = adapter.encode(event(over), target);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': msg.contentType, ...msg.headers }, body: String(msg.body) });
  const body = await res.text();
  return { msg, status: res.status, body, verdict: adapter.judgeReply(res.status, body) };
}

t.test('the department service receives NhanCapNhatTuLGSP with its own number, the SOAP status and local time', async (t) => {
  mode = 'ok';
  received.length = 0;
  const { msg, status, verdict } = await push();
  t.equal(msg.contentType, 'text/xml; charset=utf-8');
  t.equal(msg.headers?.['SOAPAction'], '"urn:sxd:motcua:v1/NhanCapNhatTuLGSP"');
  t.equal(status, 200);
  t.equal(received.length, 1);
  t.equal(received[0]?.soapAction, '"urn:sxd:motcua:v1/NhanCapNhatTuLGSP"');
  t.match(received[0]?.args, {
    MaHoSo: 'SXD-2026-004512',
    MaHoSoQuocGia: '000.00.11.H12-261127-0031',
    TrangThai: 'BOSUNG',
    ThoiGian: '03/12/2026 11:00:00', // the newest step (04:00Z), in +07:00, whatever the list order
    NoiDung: 'Bổ sung bản vẽ <kết cấu> & thuyết minh',
  });
  t.strictSame(verdict, { ok: true });
});

t.test('MaHoSo falls back to the altCode of the target, then to the national code; ThoiGian to updatedAt', async (t) => {
  mode = 'ok';
  received.length = 0;
  await push({}, { systemId: SYSTEM_ID } as { systemId: string; localCode: string });
  const noAlt = dossier({ altCodes: [], steps: [] });
  await push({ dossier: noAlt }, { systemId: SYSTEM_ID } as { systemId: string; localCode: string });
  t.equal(received[0]?.args['MaHoSo'], 'SXD-2026-004512');
  t.equal(received[1]?.args['MaHoSo'], '000.00.11.H12-261127-0031');
  t.equal(received[1]?.args['ThoiGian'], '28/11/2026 10:05:01');
  t.equal(received[1]?.args['TrangThai'], 'DANGXULY');
  t.notOk('NoiDung' in (received[1]?.args ?? {}), 'no note, no NoiDung');
});

t.test('MaLoi other than 0 is permanent', async (t) => {
  mode = 'maloi5';
  const { status, verdict } = await push();
  t.equal(status, 200);
  t.match(verdict, { ok: false, permanent: true, reason: /MaLoi 5/ });
});

t.test('a soap:Client Fault is permanent although it travels with HTTP 500', async (t) => {
  mode = 'client-fault';
  const { status, verdict } = await push();
  t.equal(status, 500);
  t.match(verdict, { ok: false, permanent: true, reason: /Client/ });
});

t.test('a soap:Server Fault is transient', async (t) => {
  mode = 'server-fault';
  const { status, verdict } = await push();
  t.equal(status, 500);
  t.match(verdict, { ok: false, permanent: false, reason: /Server/ });
});

t.test('judgeReply without a Fault: HTTP decides, then MaLoi', async (t) => {
  t.match(adapter.judgeReply(503, 'Service Unavailable'), { ok: false, permanent: false });
  t.match(adapter.judgeReply(502, ''), { ok: false, permanent: false });
  t.match(adapter.judgeReply(408, ''), { ok: false, permanent: false });
  t.match(adapter.judgeReply(429, ''), { ok: false, permanent: false });
  t.match(adapter.judgeReply(404, '<html>not found</html>'), { ok: false, permanent: true });
  t.match(adapter.judgeReply(200, '<html><body>OK</body>'), { ok: false, permanent: true, reason: /unreadable/ });
  t.match(adapter.judgeReply(200, ''), { ok: false, permanent: true, reason: /unreadable/ });
  t.match(adapter.judgeReply(200, '<Envelope><Body><X/></Body></Envelope>'), { ok: false, permanent: true, reason: /MaLoi/ });
  t.strictSame(adapter.judgeReply(200, '<a:Envelope xmlns:a="x"><a:Body><R xmlns="urn:sxd:motcua:v1"><NhanCapNhatTuLGSPResult><MaLoi> 0 </MaLoi></NhanCapNhatTuLGSPResult></R></a:Body></a:Envelope>'), { ok: true });
  t.match(adapter.judgeReply(500, '<s:Envelope xmlns:s="x"><s:Body><s:Fault><faultcode>s:Client.Auth</faultcode></s:Fault></s:Body></s:Envelope>'), { ok: false, permanent: true }, 'Client.* is Client');
  t.match(adapter.judgeReply(500, '<s:Envelope xmlns:s="x"><s:Body><s:Fault><faultcode>Server.Busy</faultcode></s:Fault></s:Body></s:Envelope>'), { ok: false, permanent: false }, 'unprefixed Server.* is Server');
});

t.test('a status with no code in the department table cannot be encoded', async (t) => {
  t.throws(() => adapter.encode(event({ dossier: dossier({ status: 42 }) }), { systemId: SYSTEM_ID }), { code: 'HUB_STATUS_UNKNOWN' });
});
