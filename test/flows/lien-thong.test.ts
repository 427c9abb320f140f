// The inter-level flow (liên thông), end to end with real HTTP handling and the real RabbitMQ:
// a commune installation passes a dossier to the district; the district finds it in its mailbox in its own
// format, posts status changes; the commune and the platform receive them; the platform reads one dossier
// with its whole route and both levels' history.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startHub } from '../helpers/hub.js';
import { brokerUp, cleanup, startTarget, waitFor } from '../relay/helpers.js';

const COMMUNE = '000.12.34.H12';
const DISTRICT = '000.00.34.H12';
const sample = JSON.parse(readFileSync(new URL('../../../shared/spec/samples/undp-lien-thong.json', import.meta.url), 'utf8'));
const ALL = ['dossier.received', 'dossier.updated', 'dossier.status-changed', 'dossier.transferred'] as const;

for (const communeMode of ['push', 'pull'] as const) {
  t.test(`commune (${communeMode}) → district (pull) → back to the commune and the platform`, async (t) => {
    const hub = await startHub({ relay: true });
    t.teardown(cleanup(hub, ['undp-xa-tan-an', 'undp-huyen-phu-my', 'cong-dvc-tinh']));
    const commune = await startTarget(() => 200);
    const platform = await startTarget(() => 200);
    t.teardown(() => commune.close());
    t.teardown(() => platform.close());
    const own = [{ events: ['dossier.transferred' as const, 'dossier.status-changed' as const], scope: 'own' as const }];
    const xaKey = await hub.register({
      id: 'undp-xa-tan-an', adapter: 'undp-motcua', level: 'commune', agencies: [{ code: COMMUNE, name: 'UBND xã Tân An' }],
      delivery: communeMode === 'push' ? { mode: 'push', url: commune.url } : { mode: 'pull' }, subscriptions: own,
    });
    const huyenKey = await hub.register({
      id: 'undp-huyen-phu-my', adapter: 'undp-motcua', level: 'district', agencies: [{ code: DISTRICT, name: 'UBND huyện Phú Mỹ' }],
      delivery: { mode: 'pull' }, subscriptions: own,
    });
    const platformKey = await hub.register({
      id: 'cong-dvc-tinh', role: 'platform', adapter: 'canonical', delivery: { mode: 'push', url: platform.url },
      subscriptions: [{ events: [...ALL], scope: 'all' }],
    });
    await brokerUp(hub);

    // 1. The commune files the dossier and passes it on (lien_thong) in one post.
    const filed = await hub.post('undp-xa-tan-an', xaKey, sample);
    t.equal(filed.statusCode, 202, filed.body);
    const { dossierCode: code, revision } = filed.json();
    t.equal(revision, 2, 'received and transferred: two revisions');

    // 2. The district finds it in its mailbox, in the UNDP format, with the national code.
    const inbox = await hub.app.inject({ method: 'GET', url: '/v1/systems/undp-huyen-phu-my/messages?waitSeconds=15', headers: { authorization: `Bearer ${huyenKey}` } });
    t.equal(inbox.statusCode, 200);
    const [msg] = inbox.json().messages;
    t.match(msg, { type: 'dossier.transferred', dossierCode: code, revision: 2, contentType: 'application/json' });
    t.equal(msg.body.ma_ho_so_qg, code);
    t.equal(msg.body.so_ho_so, code, 'the district has no number of its own yet: the national code');
    t.equal(msg.body.don_vi.ma, DISTRICT);
    t.equal(msg.body.nguoi_nop, 'Nguyễn Văn Dũng');
    const ack = await hub.app.inject({ method: 'POST', url: `/v1/systems/undp-huyen-phu-my/messages/${msg.id}/ack`, headers: { authorization: `Bearer ${huyenKey}` } });
    t.equal(ack.statusCode, 204);

    // 3. The district posts status changes under its own number.
    const districtPost = (status: string, extra: Record<string, unknown> = {}) => hub.post('undp-huyen-phu-my', huyenKey, {
      ...msg.body, so_ho_so: 'PM-2026-0555', ma_ho_so_qg: code, tinh_trang: status, lien_thong: null, ...extra,
    });
    const processing = await districtPost('Đã tiếp nhận');
    t.equal(processing.statusCode, 202, processing.body);
    const finished = await districtPost('Đã giải quyết');
    t.equal(finished.statusCode, 202, finished.body);
    t.equal(finished.json().status, 9);

    // 4. The commune installation is told, in its own format, under its own number.
    const communeSaw = async () => {
      if (communeMode === 'push') return commune.hits.map((h) => JSON.parse(h.body));
      const res = await hub.app.inject({ method: 'GET', url: '/v1/systems/undp-xa-tan-an/messages?max=100&waitSeconds=1', headers: { authorization: `Bearer ${xaKey}` } });
      const msgs = res.json().messages as { id: string; body: Record<string, unknown> }[];
      for (const m of msgs) await hub.app.inject({ method: 'POST', url: `/v1/systems/undp-xa-tan-an/messages/${m.id}/ack`, headers: { authorization: `Bearer ${xaKey}` } });
      return msgs.map((m) => m.body);
    };
    const seenByCommune: Record<string, unknown>[] = [];
    await waitFor('the district\'s status changes at the commune', async () => {
      seenByCommune.push(...(await communeSaw()).filter((b) => !seenByCommune.some((s) => JSON.stringify(s) === JSON.stringify(b))));
      return seenByCommune.some((b) => b.tinh_trang === 'Đã giải quyết');
    }, 20_000, 200);
    const last = seenByCommune.find((b) => b.tinh_trang === 'Đã giải quyết')!;
    t.equal(last.so_ho_so, 'HS-2026-000124', "the commune's own number");
    t.equal(last.ma_ho_so_qg, code);

    // 5. The platform received every change, in revision order, as CloudEvents.
    const revisions = await waitFor('every revision at the platform', () => {
      const r = platform.hits.map((h) => Number(h.headers['x-revision']));
      return r.length >= 4 ? r : undefined;
    });
    t.same(revisions, [1, 2, 3, 4], 'the platform is told of everything, in order');

    // 6. One dossier, its whole route, both levels' history.
    const d = (await hub.get(`/v1/dossiers/${code}`, platformKey)).json();
    t.equal(d.routing.origin, 'undp-xa-tan-an');
    t.equal(d.routing.holder, 'undp-huyen-phu-my');
    t.match(d.routing.transfers, [{ fromAgency: COMMUNE, toAgency: DISTRICT, reason: 'Chuyển UBND huyện Phú Mỹ đăng ký thường trú' }]);
    t.equal(d.agency.code, DISTRICT);
    t.equal(d.status, 9);
    t.ok(d.finishedAt, 'finishedAt set at the status time');
    t.same(d.steps.map((s: { status: number }) => s.status), [4, 2, 9], "the commune's step, then the district's");
    t.same(d.altCodes, [{ system: 'undp-xa-tan-an', code: 'HS-2026-000124' }, { system: 'undp-huyen-phu-my', code: 'PM-2026-0555' }]);
    const events = (await hub.get(`/v1/dossiers/${code}/events`, platformKey)).json().items;
    t.same(events.map((e: { type: string; source: string }) => `${e.type}@${e.source}`), [
      'dossier.received@undp-xa-tan-an', 'dossier.transferred@undp-xa-tan-an',
      'dossier.status-changed@undp-huyen-phu-my', 'dossier.status-changed@undp-huyen-phu-my',
    ]);
  });
}
