// Liên thông at the same level (Decree 118/2025 art. 20(2)), following samples/canonical-lien-thong-cung-cap.json: the
// commune (lead) sends one online dossier that its police and the social-insurance office process in parallel, each
// with its own due date. The participants' systems are told from revision 1, report with steps and their own entry,
// and may change nothing else; the lead moves the status; the platform sees one dossier with its whole route.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startHub } from '../helpers/hub.js';
import { brokerUp, cleanup, startTarget, waitFor } from '../relay/helpers.js';

const LEAD = '000.12.34.H12';
const POLICE = '001.12.34.H12';
const BHXH = 'H12.86.12';
const sample = JSON.parse(readFileSync(new URL('../../../shared/spec/samples/canonical-lien-thong-cung-cap.json', import.meta.url), 'utf8'));
const seen = ['dossier.received' as const, 'dossier.updated' as const, 'dossier.status-changed' as const];

t.test('a same-level parallel liên thông with two participants', async (t) => {
  const hub = await startHub({ relay: true, config: { nationalIssuers: ['000.00.00.G22'] } });
  t.teardown(cleanup(hub, ['xa-tan-an', 'ca-xa-tan-an', 'bhxh-tan-an']));
  const police = await startTarget(() => 200);
  const bhxh = await startTarget(() => 200);
  t.teardown(() => police.close());
  t.teardown(() => bhxh.close());
  const leadKey = await hub.register({ id: 'xa-tan-an', level: 'commune', agencies: [{ code: LEAD, name: 'UBND xã Tân An', kind: 'xa' }] as never });
  const policeKey = await hub.register({
    id: 'ca-xa-tan-an', level: 'commune', agencies: [{ code: POLICE, name: 'Công an xã Tân An', kind: 'xa' }] as never,
    delivery: { mode: 'push', url: police.url }, subscriptions: [{ events: seen, scope: 'own' }],
  });
  const bhxhKey = await hub.register({
    id: 'bhxh-tan-an', level: 'commune', agencies: [BHXH], delivery: { mode: 'push', url: bhxh.url }, subscriptions: [{ events: seen, scope: 'own' }],
  });
  await brokerUp(hub);

  // 1. The lead files the dossier under DVCQG's identifier (a national issuer).
  const filed = await hub.post('xa-tan-an', leadKey, sample);
  t.equal(filed.statusCode, 202, filed.body);
  t.equal(filed.json().dossierCode, sample.code, 'the national issuer\'s code is kept');
  const code = sample.code as string;

  // 2. Both participants' systems are sent the new dossier (they are in its scope from revision 1).
  for (const [name, target] of [['police', police], ['bhxh', bhxh]] as const) {
    const hit = await waitFor(`dossier.received at ${name}`, () => target.hits.find((h) => JSON.parse(h.body).type.endsWith('dossier.received')));
    t.equal(JSON.parse(hit.body).data.dossier.code, code, `${name} was sent the dossier`);
  }

  // 3. The police report their work: a step and their own entry's finishedAt.
  const policeDone = {
    code,
    steps: [{ at: '2026-12-01T09:00:00+07:00', status: 4, actor: 'Trần Văn Công', department: 'Công an xã Tân An', note: 'Đã đăng ký thường trú' }],
    participants: [{ ...sample.participants[0], finishedAt: '2026-12-01T09:00:00+07:00' }],
  };
  const reported = await hub.post('ca-xa-tan-an', policeKey, policeDone);
  t.equal(reported.statusCode, 202, reported.body);

  // 4. A participant may not move the status, touch the other participant's entry or another field.
  const moved = await hub.post('ca-xa-tan-an', policeKey, { code, status: 9, steps: [{ at: '2026-12-01T09:05:00+07:00', status: 9 }] });
  t.equal(moved.statusCode, 403, moved.body);
  t.equal(moved.json().code, 'HUB_AUTHZ_AGENCY_SCOPE');
  t.equal(moved.json().errors[0].path, '/status');
  const other = await hub.post('ca-xa-tan-an', policeKey, { code, participants: [{ ...sample.participants[1], finishedAt: '2026-12-01T09:00:00+07:00' }] });
  t.equal(other.statusCode, 403, other.body);
  t.equal(other.json().errors[0].path, '/participants/0');
  const summary = await hub.post('bhxh-tan-an', bhxhKey, { code, summary: 'Sửa trích yếu' });
  t.equal(summary.statusCode, 403, summary.body);
  const passOn = await hub.app.inject({ method: 'POST', url: `/v1/dossiers/${code}/transfer`, headers: { authorization: `Bearer ${bhxhKey}` }, payload: { toAgency: POLICE } });
  t.equal(passOn.statusCode, 403, `a participant does not transfer the dossier: ${passOn.body}`);

  // 5. The social-insurance office reports; the lead finishes the dossier.
  const bhxhDone = await hub.post('bhxh-tan-an', bhxhKey, { code, participants: [{ ...sample.participants[1], finishedAt: '2026-12-01T10:00:00+07:00' }] });
  t.equal(bhxhDone.statusCode, 202, bhxhDone.body);
  const finished = await hub.post('xa-tan-an', leadKey, { code, status: 9, steps: [{ at: '2026-12-01T10:30:00+07:00', status: 9, note: 'Trả kết quả điện tử' }] });
  t.equal(finished.statusCode, 202, finished.body);
  await waitFor('status-changed at the police', () => police.hits.find((h) => JSON.parse(h.body).type.endsWith('dossier.status-changed')));

  // 6. One dossier with its whole route.
  const d = (await hub.get(`/v1/dossiers/${code}`, leadKey)).json();
  t.equal(d.status, 9);
  t.same(d.participants.map((p: { agency: { code: string }; finishedAt?: string }) => [p.agency.code, p.finishedAt]), [
    [POLICE, '2026-12-01T09:00:00+07:00'], [BHXH, '2026-12-01T10:00:00+07:00'],
  ], 'entries merged by agency code, none removed');
  t.equal(d.participants[0].dueAt, '2026-12-02T08:40:00+07:00', 'each participant keeps its own due date');
  t.equal(d.receivingAgency.code, LEAD);
  t.equal(d.routing.returnTo, 'xa-tan-an');
  t.ok(d.steps.some((s: { actor?: string }) => s.actor === 'Trần Văn Công'), "the participant's step is in the history");
  const policeRead = await hub.get(`/v1/dossiers/${code}`, policeKey);
  t.equal(policeRead.statusCode, 200, 'a participant reads the dossier it takes part in');
});

t.test('without HUB_NATIONAL_ISSUERS the national identifier is another agency\'s: 403 HUB_CODE_FOREIGN, nothing stored', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const leadKey = await hub.register({ id: 'xa-tan-an', level: 'commune', agencies: [LEAD] });
  const res = await hub.post('xa-tan-an', leadKey, sample);
  t.equal(res.statusCode, 403, res.body);
  t.equal(res.json().code, 'HUB_CODE_FOREIGN');
  t.equal(res.json().errors[0].path, '/code');
  t.equal((await hub.get(`/v1/dossiers/${sample.code}`, leadKey)).statusCode, 404, 'nothing stored');
});
