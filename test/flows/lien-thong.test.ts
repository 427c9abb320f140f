// The inter-level flow (liên thông between levels, Decree 118/2025 art. 20(1)), end to end with real HTTP handling
// and the real RabbitMQ, following samples/undp-lien-thong.json: a commune desk receives a land dossier that the
// province's land registration office (Sở Nông nghiệp và Môi trường, served by the tnmt-xml system) resolves. The
// department finds it in its mailbox in its own format and posts the result; the commune desk is told in its own
// format and returns the result to the applicant; the platform reads one dossier with its whole route.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { startHub } from '../helpers/hub.js';
import { brokerUp, cleanup, startTarget, waitFor } from '../relay/helpers.js';

const COMMUNE = '000.12.34.H12';
const LAND_OFFICE = '000.00.15.H12';
const sample = JSON.parse(readFileSync(new URL('../../../shared/spec/samples/undp-lien-thong.json', import.meta.url), 'utf8'));
const ALL = ['dossier.received', 'dossier.updated', 'dossier.status-changed', 'dossier.transferred'] as const;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false });

for (const communeMode of ['push', 'pull'] as const) {
  t.test(`commune desk (${communeMode}) → province land office (pull) → result back at the commune desk`, async (t) => {
    const hub = await startHub({ relay: true });
    t.teardown(cleanup(hub, ['undp-xa-tan-an', 'so-tnmt', 'cong-dvc-tinh']));
    const commune = await startTarget(() => 200);
    const platform = await startTarget(() => 200);
    t.teardown(() => commune.close());
    t.teardown(() => platform.close());
    const own = [{ events: ['dossier.transferred' as const, 'dossier.status-changed' as const], scope: 'own' as const }];
    const xaKey = await hub.register({
      id: 'undp-xa-tan-an', adapter: 'undp-motcua', level: 'commune', agencies: [{ code: COMMUNE, name: 'UBND xã Tân An' }],
      delivery: communeMode === 'push' ? { mode: 'push', url: commune.url } : { mode: 'pull' }, subscriptions: own,
    });
    const tnmtKey = await hub.register({
      id: 'so-tnmt', adapter: 'tnmt-xml', level: 'province', agencies: [{ code: LAND_OFFICE, name: 'Văn phòng Đăng ký đất đai tỉnh' }],
      delivery: { mode: 'pull' }, subscriptions: own,
    });
    const platformKey = await hub.register({
      id: 'cong-dvc-tinh', role: 'platform', adapter: 'canonical', delivery: { mode: 'push', url: platform.url },
      subscriptions: [{ events: [...ALL], scope: 'all' }],
    });
    await brokerUp(hub);

    // 1. The commune desk files the dossier and passes it on (lien_thong) in one post.
    const filed = await hub.post('undp-xa-tan-an', xaKey, sample);
    t.equal(filed.statusCode, 202, filed.body);
    const { dossierCode: code, revision } = filed.json();
    t.equal(revision, 2, 'received and transferred: two revisions');
    t.match(code, /^000\.12\.34\.H12-261127-\d{4}$/, 'the code carries the receiving desk\'s identifier');

    // 2. The land office finds it in its mailbox, as a TN&MT gói tin with the national code.
    const inbox = await hub.app.inject({ method: 'GET', url: '/v1/systems/so-tnmt/messages?waitSeconds=15', headers: { authorization: `Bearer ${tnmtKey}` } });
    t.equal(inbox.statusCode, 200);
    const [msg] = inbox.json().messages;
    t.match(msg, { type: 'dossier.transferred', dossierCode: code, revision: 2, contentType: 'application/xml' });
    t.type(msg.body, 'string', 'an XML format: the body is the document as a string');
    const hoSo = xml.parse(msg.body).GoiTin.DanhSachHoSo.HoSo;
    t.equal(hoSo['@maHoSo'], code);
    t.equal(hoSo.CoQuan['@ma'], LAND_OFFICE);
    t.equal(hoSo.NguoiDeNghi.HoTen, 'Nguyễn Văn Dũng');
    const ack = await hub.app.inject({ method: 'POST', url: `/v1/systems/so-tnmt/messages/${msg.id}/ack`, headers: { authorization: `Bearer ${tnmtKey}` } });
    t.equal(ack.statusCode, 204);

    // 3. The land office resolves it and posts the result (trangThai 5, đã có kết quả) in its own format.
    const result = (msg.body as string)
      .replace(/trangThai="\d+"/, 'trangThai="5"')
      .replace('</QuaTrinhXuLy>', '<Buoc thoiDiem="2026-11-30T10:00:00" nguoiXuLy="Lê Văn Tâm" phongBan="Văn phòng Đăng ký đất đai" trangThai="5">Đã có kết quả</Buoc></QuaTrinhXuLy>');
    const finished = await hub.post('so-tnmt', tnmtKey, result, { 'content-type': 'application/xml', accept: 'application/json' });
    t.equal(finished.statusCode, 202, finished.body);
    t.equal(finished.json().accepted[0].status, 9);

    // 4. The commune desk is told, in its own format, under its own number.
    const communeSaw = async () => {
      if (communeMode === 'push') return commune.hits.map((h) => JSON.parse(h.body));
      const res = await hub.app.inject({ method: 'GET', url: '/v1/systems/undp-xa-tan-an/messages?max=100&waitSeconds=1', headers: { authorization: `Bearer ${xaKey}` } });
      const msgs = res.json().messages as { id: string; body: Record<string, unknown> }[];
      for (const m of msgs) await hub.app.inject({ method: 'POST', url: `/v1/systems/undp-xa-tan-an/messages/${m.id}/ack`, headers: { authorization: `Bearer ${xaKey}` } });
      return msgs.map((m) => m.body);
    };
    const seenByCommune: Record<string, unknown>[] = [];
    await waitFor('the result at the commune desk', async () => {
      seenByCommune.push(...(await communeSaw()).filter((b) => !seenByCommune.some((s) => JSON.stringify(s) === JSON.stringify(b))));
      return seenByCommune.some((b) => b.tinh_trang === 'Đã giải quyết');
    }, 20_000, 200);
    const told = seenByCommune.find((b) => b.tinh_trang === 'Đã giải quyết')!;
    t.equal(told.so_ho_so, 'HS-2026-000124', "the commune's own number");
    t.equal(told.ma_ho_so_qg, code);
    t.equal((told.don_vi as { ma: string }).ma, LAND_OFFICE, 'the competent agency is the land office');

    // 5. The commune desk hands the result over and says so (status 10) under its own number.
    const returned = await hub.post('undp-xa-tan-an', xaKey, {
      ...sample, ma_ho_so_qg: code, tinh_trang: 'Đã trả kết quả', lien_thong: null, ngay_nhan: '27/11/2026', gio_nhan: '09:10',
    });
    t.equal(returned.statusCode, 202, returned.body);
    t.equal(returned.json().status, 10);

    // 6. The platform received every change, in revision order, as CloudEvents.
    const revisions = await waitFor('every revision at the platform', () => {
      const r = platform.hits.map((h) => Number(h.headers['x-revision']));
      return r.length >= 4 ? r : undefined;
    });
    t.same(revisions, [1, 2, 3, 4], 'the platform is told of everything, in order');

    // 7. One dossier, its whole route, both levels' history.
    const d = (await hub.get(`/v1/dossiers/${code}`, platformKey)).json();
    t.equal(d.routing.origin, 'undp-xa-tan-an');
    t.equal(d.routing.holder, 'so-tnmt');
    t.match(d.routing.transfers, [{ fromAgency: COMMUNE, toAgency: LAND_OFFICE, reason: sample.lien_thong.ly_do }]);
    t.equal(d.agency.code, LAND_OFFICE, 'the land office stays the competent agency');
    t.equal(d.receivingAgency.code, COMMUNE, 'the commune desk stays the receiving agency, fixed at revision 1');
    t.equal(d.routing.returnTo, 'undp-xa-tan-an', 'the result goes back to the system serving the receiving desk');
    t.equal(d.status, 10);
    t.ok(d.finishedAt, 'finishedAt set at the status time');
    t.ok(d.returnedAt, 'returnedAt set at the status time');
    t.same(d.steps.map((s: { status: number }) => s.status), [4, 9, 10], "the commune's step, the land office's result, the commune's hand-over");
    t.same(d.altCodes, [{ system: 'undp-xa-tan-an', code: 'HS-2026-000124' }]);
    const events = (await hub.get(`/v1/dossiers/${code}/events`, platformKey)).json().items;
    t.same(events.map((e: { type: string; source: string }) => `${e.type}@${e.source}`), [
      'dossier.received@undp-xa-tan-an', 'dossier.transferred@undp-xa-tan-an',
      'dossier.status-changed@so-tnmt', 'dossier.status-changed@undp-xa-tan-an',
    ]);
  });
}
