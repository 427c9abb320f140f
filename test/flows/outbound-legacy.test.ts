// Changes made elsewhere reach the legacy departments through the relay's delivery, in their own protocols:
// a real SOAP service made with the `soap` package (NhanCapNhatTuLGSP) and a real HTTP endpoint reading GoiTin.
import t from 'tap';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import soap from 'soap';
import { startHub, ADMIN_TOKEN } from '../helpers/hub.js';
import { brokerUp, cleanup, waitFor } from '../relay/helpers.js';

const SAMPLES = new URL('../../../shared/spec/samples/', import.meta.url);
const WSDL = readFileSync(new URL('../adapters/xay-dung-soap/fixtures/department-service.wsdl', import.meta.url), 'utf8');

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

t.test('a platform status change reaches the Construction department over SOAP and TN&MT as GoiTin', async (t) => {
  // The Construction department's own service: answers MaLoi 0, or a soap:Client Fault when told to.
  const soapCalls: Record<string, unknown>[] = [];
  let faultNext = false;
  const soapServer = http.createServer((_req, res) => { res.statusCode = 404; res.end(); });
  soap.listen(soapServer, '/sxd/lgsp', {
    MotCuaXayDungCallback: {
      MotCuaXayDungCallbackSoap: {
        NhanCapNhatTuLGSP(args: Record<string, unknown>) {
          soapCalls.push(args);
          if (faultNext) throw { Fault: { faultcode: 'soap:Client', faultstring: 'Không tìm thấy hồ sơ', statusCode: 500 } };
          return { NhanCapNhatTuLGSPResult: { MaLoi: '0', MoTa: 'Thành công' } };
        },
      },
    },
  }, WSDL);
  const soapUrl = `${await listen(soapServer)}/sxd/lgsp`;
  // TN&MT's receiving endpoint: reads the GoiTin and answers KetQua maLoi="0".
  const goiTin: string[] = [];
  const tnmtServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      goiTin.push(body);
      res.writeHead(200, { 'content-type': 'application/xml' }).end('<KetQua xmlns="urn:stnmt:motcua:v2" maLoi="0"/>');
    });
  });
  const tnmtUrl = `${await listen(tnmtServer)}/nhan-goi-tin`;
  t.teardown(() => new Promise<void>((r) => soapServer.close(() => r())));
  t.teardown(() => new Promise<void>((r) => tnmtServer.close(() => r())));

  const hub = await startHub({ relay: true });
  t.teardown(cleanup(hub, ['so-xay-dung', 'so-tnmt']));
  const own = [{ events: ['dossier.status-changed' as const], scope: 'own' as const }];
  const sxdKey = await hub.register({ id: 'so-xay-dung', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'], delivery: { mode: 'push', url: soapUrl, timeoutMs: 5000 }, subscriptions: own });
  const tnmtKey = await hub.register({ id: 'so-tnmt', adapter: 'tnmt-xml', agencies: ['000.00.15.H12'], delivery: { mode: 'push', url: tnmtUrl }, subscriptions: own });
  const platformKey = await hub.register({ id: 'cong-dvc-tinh', role: 'platform' });
  await brokerUp(hub);

  const sxd = await hub.app.inject({
    method: 'POST', url: '/v1/soap/so-xay-dung', payload: readFileSync(new URL('xay-dung-tiep-nhan.xml', SAMPLES)),
    headers: { authorization: `Bearer ${sxdKey}`, 'content-type': 'text/xml; charset=utf-8' },
  });
  t.equal(sxd.statusCode, 200, sxd.body);
  const sxdCode = /<MaHoSoQuocGia>([^<]+)</.exec(sxd.body)![1]!;
  const tnmt = await hub.app.inject({
    method: 'POST', url: '/v1/inbound/so-tnmt', payload: readFileSync(new URL('tnmt-goi-tin.xml', SAMPLES)),
    headers: { authorization: `Bearer ${tnmtKey}`, 'content-type': 'application/xml' },
  });
  t.equal(tnmt.statusCode, 202, tnmt.body);

  const platformStatus = (code: string, status: number, at: string, note?: string) => hub.app.inject({
    method: 'POST', url: `/v1/dossiers/${code}/status`, headers: { authorization: `Bearer ${platformKey}` }, payload: { status, at, actor: 'Cổng DVC tỉnh', ...(note ? { note } : {}) },
  });
  t.equal((await platformStatus(sxdCode, 5, '2026-12-01T09:00:00+07:00', 'Bổ sung bản vẽ kết cấu')).statusCode, 202);
  t.equal((await platformStatus('000.00.15.H12-261127-0007', 9, '2026-12-01T15:30:00+07:00')).statusCode, 202);

  const call = await waitFor('NhanCapNhatTuLGSP at the department', () => soapCalls[0]);
  t.equal(call.MaHoSo, 'SXD-2026-004512', "the department's own number");
  t.equal(call.MaHoSoQuocGia, sxdCode);
  t.equal(call.TrangThai, 'BOSUNG');
  t.equal(call.ThoiGian, '01/12/2026 09:00:00');
  t.equal(call.NoiDung, 'Bổ sung bản vẽ kết cấu');

  const xml = await waitFor('GoiTin at TN&MT', () => goiTin[0]);
  t.match(xml, /<GoiTin[^>]*xmlns="urn:stnmt:motcua:v2"/);
  t.match(xml, /maHoSo="000\.00\.15\.H12-261127-0007"/);
  t.match(xml, /trangThai="5"/, 'status 9 is "5 đã có kết quả" in TN&MT codes');

  // A soap:Client Fault is permanent (whatever HTTP status it travels with): a dead letter, not a retry loop.
  faultNext = true;
  t.equal((await platformStatus(sxdCode, 4, '2026-12-01T16:00:00+07:00')).statusCode, 202);
  const dead = await waitFor('a dead letter for the Fault', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/v1/admin/dead-letters?system=so-xay-dung', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return res.json().items[0];
  });
  t.equal(dead.attempts, 1, 'no retry for a permanent failure');
  t.match(dead.reason, /Client|Không tìm thấy/);
  t.equal(soapCalls.length, 2);
});
