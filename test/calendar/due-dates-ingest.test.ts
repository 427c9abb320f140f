// Hub-computed due dates through the ingest pipeline: computed when the source gives none, marked `hub`,
// left alone when the source gives one, moved by a supplementation round.
import t from 'tap';
import { startHub, dossier, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
let key: string;
t.before(async () => {
  hub = await startHub({ calendar: true });
  key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
});
t.teardown(() => hub.close());
const read = async (code: string) => (await hub.get(`/v1/dossiers/${code}`, key)).json();

t.test('received Fri 27/11/2026 08:15, procedure 1.004227 (15 working days) → hub computes Fri 18/12 08:15 and marks it hub', async (t) => {
  const code = '000.00.15.H12-261127-0001';
  const res = await hub.post('tnmt', key, dossier({ code, dueAt: undefined }));
  t.equal(res.statusCode, 202, res.body);
  const d = await read(code);
  t.equal(d.dueAtSource, 'hub');
  t.equal(d.dueAt, '2026-12-18T08:15:00+07:00', '15 working days (catalogue) = three weeks of office hours, no holiday in between');
});

t.test('a source-given dueAt stands and is marked source', async (t) => {
  const code = '000.00.15.H12-261127-0002';
  await hub.post('tnmt', key, dossier({ code, dueAt: '2026-12-18T17:00:00+07:00' }));
  const d = await read(code);
  t.equal(d.dueAt, '2026-12-18T17:00:00+07:00');
  t.equal(d.dueAtSource, 'source');
});

t.test('an unknown procedure leaves dueAt null (absent)', async (t) => {
  const code = '000.00.15.H12-261127-0003';
  await hub.post('tnmt', key, dossier({ code, dueAt: undefined, procedure: { code: '9.999999' } }));
  const d = await read(code);
  t.notOk(d.dueAt);
  t.notOk(d.dueAtSource);
});

// Times no later than the hub's clock (HUB_DATE_OUT_OF_RANGE refuses steps more than 5 minutes ahead).
t.test('supplementation Mon 23/11 09:00 → Wed 25/11 09:00 restarts a hub dueAt: 15 working days counted afresh from the resubmission', async (t) => {
  const code = '000.00.15.H12-261127-0004';
  await hub.post('tnmt', key, dossier({ code, dueAt: undefined, receivedAt: '2026-11-20T08:15:00+07:00', status: 4, steps: [{ at: '2026-11-20T08:15:00+07:00', status: 4 }] }));
  const before = (await read(code)).dueAt as string;
  await hub.post('tnmt', key, { code, status: 5, steps: [{ at: '2026-11-23T09:00:00+07:00', status: 5 }] });
  await hub.post('tnmt', key, { code, status: 4, steps: [{ at: '2026-11-25T09:00:00+07:00', status: 4 }] });
  const d = await read(code);
  t.equal(d.supplements.length, 1);
  t.equal(d.supplements[0].requestedAt, '2026-11-23T09:00:00+07:00');
  t.equal(d.supplements[0].resubmittedAt, '2026-11-25T09:00:00+07:00');
  t.equal(d.supplements[0].previousDueAt, before);
  t.equal(d.supplements[0].newDueAt, d.dueAt);
  t.equal(d.dueAt, '2026-12-16T09:00:00+07:00', 'clock: "restart" (the default): 15 working days from Wednesday 25/11 09:00');
});

t.test('a source dueAt is not moved by supplementation (only the hub\'s own promise is)', async (t) => {
  const code = '000.00.15.H12-261127-0005';
  await hub.post('tnmt', key, dossier({ code, receivedAt: '2026-11-20T08:15:00+07:00', status: 4, steps: [{ at: '2026-11-20T08:15:00+07:00', status: 4 }] }));
  await hub.post('tnmt', key, { code, status: 5, steps: [{ at: '2026-11-23T09:00:00+07:00', status: 5 }] });
  await hub.post('tnmt', key, { code, status: 4, steps: [{ at: '2026-11-25T09:00:00+07:00', status: 4 }] });
  const d = await read(code);
  t.equal(d.dueAt, '2026-12-18T17:00:00+07:00');
  t.equal(d.supplements[0].resubmittedAt, '2026-11-25T09:00:00+07:00');
  t.equal(d.supplements[0].previousDueAt, '2026-12-18T17:00:00+07:00');
  t.equal(d.supplements[0].newDueAt, '2026-12-18T17:00:00+07:00', 'the due date after the round is the source\'s, unchanged');
});
