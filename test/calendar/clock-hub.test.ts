// The worked examples of domain.md "Deadlines" (December 2026 revision) through the real hub: a canonical source
// posts the changes over the inbound route, the stored dossier carries acceptedAt, dueAt, judgedDueAt, the rounds
// and the extensions. The catalogue is the shipped one plus test procedures with the examples' processing times.
import t, { type Test } from 'tap';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, type TestHub } from '../helpers/hub.js';

const SHIPPED = new URL('../../config/', import.meta.url).pathname;
const AGENCY = '000.00.15.H12';
const procedures = [
  { code: '9.000002', name: 'Thủ tục thử 2 ngày', processingTime: { value: 2, unit: 'working_days' } },
  { code: '9.000003', name: 'Thủ tục thử 2 ngày, loại trừ nghĩa vụ tài chính', processingTime: { value: 2, unit: 'working_days' }, excludeFinancialObligation: true },
  { code: '9.000015', name: 'Thủ tục thử 15 ngày, tạm dừng', processingTime: { value: 15, unit: 'working_days' }, clock: 'pause' },
  { code: '9.000030', name: 'Thủ tục thử 30 ngày', processingTime: { value: 30, unit: 'working_days' } },
];

/** A config dir: the shipped calendar and catalogue, the test procedures, and the holiday files kept. */
function configDir(t: Test, years: readonly number[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-clock-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(SHIPPED, 'calendar.json'), path.join(dir, 'calendar.json'));
  cpSync(path.join(SHIPPED, 'procedures'), path.join(dir, 'procedures'), { recursive: true });
  writeFileSync(path.join(dir, 'procedures', 'test-clock.json'), JSON.stringify(procedures));
  mkdirSync(path.join(dir, 'holidays'));
  for (const y of years) cpSync(path.join(SHIPPED, 'holidays', `${y}.json`), path.join(dir, 'holidays', `${y}.json`));
  return dir;
}

let hub: TestHub;
let key: string;
t.before(async () => {
  hub = await startHub({ configDir: configDir(t, [2026, 2027]) });
  key = await hub.register({ id: 'desk', agencies: [AGENCY] });
});
t.teardown(() => hub.close());

let seq = 0;
const code = () => `${AGENCY}-261116-${String(++seq).padStart(4, '0')}`;
const vn = (local: string) => `${local}:00+07:00`;
const first = (c: string, procedure: string, status: number, at: string, extra: Record<string, unknown> = {}) => ({
  code: c, procedure: { code: procedure, name: 'Thủ tục' }, agency: { code: AGENCY, name: 'Văn phòng', level: 'province' },
  applicant: { type: 'citizen', name: 'Lê Văn Cường' }, channel: 'online', receivedAt: vn(at), status,
  steps: [{ at: vn(at), status }], ...extra,
});
const move = (c: string, status: number, at: string, extra: Record<string, unknown> = {}) => ({ code: c, status, steps: [{ at: vn(at), status }], ...extra });

async function send(t: Test, body: unknown): Promise<void> {
  const res = await hub.post('desk', key, body);
  t.equal(res.statusCode, 202, res.body);
}
const read = async (c: string) => (await hub.get(`/v1/dossiers/${c}`, key)).json();

t.test('the clock at acceptance: submitted Monday 16/11/2026 08:00 (status 1), accepted Tuesday 17/11 09:00, 2 working days → due Thursday 19/11 09:00', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 1, '2026-11-16T08:00'));
  let d = await read(c);
  t.notOk(d.dueAt, 'no hub-computed due date at status 1');
  t.notOk(d.acceptedAt);
  t.equal(d.submittedAt, vn('2026-11-16T08:00'), 'submittedAt: receivedAt of a first submission at status 1');
  await send(t, move(c, 2, '2026-11-17T09:00'));
  d = await read(c);
  t.equal(d.acceptedAt, vn('2026-11-17T09:00'));
  t.equal(d.dueAt, vn('2026-11-19T09:00'));
  t.equal(d.dueAtSource, 'hub');
  t.equal(d.judgedDueAt, d.dueAt);
  t.notOk('dueAtProvisional' in d, 'inside covered years: no provisional mark');
  await send(t, move(c, 4, '2026-11-17T10:00'));
  t.equal((await read(c)).acceptedAt, vn('2026-11-17T09:00'), 'acceptedAt never moves afterwards');
});

t.test('the clock at acceptance: a move 1 → 5 does not set acceptedAt; the change completing that round does', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 1, '2026-11-16T08:00'));
  await send(t, move(c, 5, '2026-11-16T09:00'));
  let d = await read(c);
  t.notOk(d.acceptedAt);
  t.notOk(d.dueAt);
  t.equal(d.supplements.length, 1, 'the hub opened a round at the move to 5');
  await send(t, move(c, 2, '2026-11-17T09:00'));
  d = await read(c);
  t.equal(d.acceptedAt, vn('2026-11-17T09:00'));
  t.equal(d.dueAt, vn('2026-11-19T09:00'));
  t.equal(d.supplements[0].resubmittedAt, vn('2026-11-17T09:00'));
  t.equal(d.supplements[0].newDueAt, vn('2026-11-19T09:00'));
});

t.test('restart after supplementation: accepted Monday 16/11/2026 08:00 (due Wednesday 18/11 08:00), 5 at 14:00, complete again Tuesday 17/11 14:00 → due Thursday 19/11 14:00', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 2, '2026-11-16T08:00'));
  t.equal((await read(c)).dueAt, vn('2026-11-18T08:00'));
  await send(t, move(c, 5, '2026-11-16T14:00'));
  await send(t, move(c, 4, '2026-11-17T14:00'));
  const d = await read(c);
  t.equal(d.dueAt, vn('2026-11-19T14:00'));
  t.equal(d.judgedDueAt, vn('2026-11-19T14:00'));
  t.same(d.supplements.map((r: Record<string, string>) => [r.requestedAt, r.resubmittedAt, r.previousDueAt, r.newDueAt]),
    [[vn('2026-11-16T14:00'), vn('2026-11-17T14:00'), vn('2026-11-18T08:00'), vn('2026-11-19T14:00')]]);
  t.notOk(d.dueAtExtensions?.length, 'not an extension');
});

t.test('restart after supplementation, 15 working days: from Monday 02/11/2026 09:00, supplementation 04/11 → 18/11 09:00: restart due 09/12, pause due 07/12 (5 → 8 → 4 pauses until the 4)', async (t) => {
  const restart = code();
  await send(t, first(restart, '1.004227', 2, '2026-11-02T09:00'));
  await send(t, move(restart, 5, '2026-11-04T09:00'));
  await send(t, move(restart, 4, '2026-11-18T09:00'));
  t.equal((await read(restart)).dueAt, vn('2026-12-09T09:00'));

  const pause = code();
  await send(t, first(pause, '9.000015', 2, '2026-11-02T09:00'));
  t.equal((await read(pause)).dueAt, vn('2026-11-23T09:00'));
  await send(t, move(pause, 5, '2026-11-04T09:00'));
  await send(t, move(pause, 8, '2026-11-10T09:00'));
  let d = await read(pause);
  t.notOk(d.supplements[0].resubmittedAt, 'a move to 8 leaves the round open');
  t.equal(d.dueAt, vn('2026-11-23T09:00'));
  await send(t, move(pause, 4, '2026-11-18T09:00'));
  d = await read(pause);
  t.equal(d.dueAt, vn('2026-12-07T09:00'));
  t.equal(d.supplements[0].resubmittedAt, vn('2026-11-18T09:00'));
});

t.test('restart after supplementation: a source\'s own new dueAt sent with the resubmission is the round\'s newDueAt, not an extension', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 2, '2026-11-16T08:00', { dueAt: vn('2026-11-18T17:00') }));
  await send(t, move(c, 5, '2026-11-16T14:00'));
  await send(t, move(c, 4, '2026-11-17T14:00', { dueAt: vn('2026-11-20T17:00') }));
  const d = await read(c);
  t.equal(d.dueAt, vn('2026-11-20T17:00'));
  t.equal(d.supplements[0].newDueAt, vn('2026-11-20T17:00'));
  t.equal(d.supplements[0].previousDueAt, vn('2026-11-18T17:00'));
  t.notOk(d.dueAtExtensions?.length);
  t.equal(d.judgedDueAt, vn('2026-11-20T17:00'));
});

t.test('status 6 for an excluding procedure: accepted Monday 16/11 08:00 (due Wednesday 08:00), status 6 09:00 → 13:00 → due Wednesday 10:30; other procedures unmoved', async (t) => {
  for (const [procedure, due] of [['9.000003', '2026-11-18T10:30'], ['9.000002', '2026-11-18T08:00']] as const) {
    const c = code();
    await send(t, first(c, procedure, 2, '2026-11-16T08:00'));
    await send(t, move(c, 6, '2026-11-16T09:00'));
    await send(t, move(c, 4, '2026-11-16T13:00'));
    t.equal((await read(c)).dueAt, vn(due), procedure);
  }
});

t.test('one extension: a source\'s due date replaced after acceptance is recorded with its reason, and judged', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 2, '2026-11-02T08:00', { dueAt: vn('2026-11-03T17:00') }));
  await send(t, move(c, 4, '2026-11-03T10:00', { dueAt: vn('2026-11-04T17:00'), extensionReason: 'Chờ ý kiến cơ quan phối hợp' }));
  const d = await read(c);
  t.same(d.dueAtExtensions, [{ at: vn('2026-11-03T10:00'), previousDueAt: vn('2026-11-03T17:00'), newDueAt: vn('2026-11-04T17:00'), reason: 'Chờ ý kiến cơ quan phối hợp' }]);
  t.equal(d.judgedDueAt, vn('2026-11-04T17:00'));
  t.notOk('extensionReason' in d, 'a change-only field, never stored');
});

t.test('twice extended: due 03/11/2026 17:00, extended to 04/11 then 05/11 17:00, finished 05/11 15:00 → dueAt 05/11, judgedDueAt 04/11, late, extendedTwice', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 2, '2026-11-02T07:30', { dueAt: vn('2026-11-03T17:00') }));
  await send(t, move(c, 4, '2026-11-03T10:00', { dueAt: vn('2026-11-04T17:00'), extensionReason: 'lần 1' }));
  await send(t, { code: c, dueAt: vn('2026-11-05T17:00'), steps: [{ at: vn('2026-11-04T10:00'), status: 4, note: 'gia hạn lần 2' }] });
  await send(t, move(c, 9, '2026-11-05T15:00'));
  const d = await read(c);
  t.equal(d.dueAt, vn('2026-11-05T17:00'));
  t.equal(d.judgedDueAt, vn('2026-11-04T17:00'));
  t.equal(d.dueAtExtensions.length, 2);
  t.equal(d.dueAtExtensions[1].at, vn('2026-11-04T10:00'), 'at: the newest step of the change');
  const platform = await hub.register({ id: 'platform-r', role: 'platform' });
  const report = (await hub.get(`/v1/stats/ontime?from=${encodeURIComponent(vn('2026-11-02T07:00'))}&to=${encodeURIComponent(vn('2026-11-02T07:45'))}`, platform)).json();
  t.equal(report.total, 1);
  t.equal(report.late, 1, 'judged against 04/11 17:00');
  t.equal(report.extended, 1);
  t.equal(report.extendedTwice, 1);
});

t.test('extensions: a source\'s first due date replacing the hub\'s is not one (unless it carries a reason); dueAt null clears, never one', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 2, '2026-11-16T08:00'));
  await send(t, { code: c, dueAt: vn('2026-11-19T17:00') });
  let d = await read(c);
  t.equal(d.dueAtSource, 'source');
  t.notOk(d.dueAtExtensions?.length);
  t.equal(d.judgedDueAt, vn('2026-11-19T17:00'));
  await send(t, { code: c, dueAt: null });
  d = await read(c);
  t.notOk(d.dueAt);
  t.equal(d.dueAtSource, 'source');
  t.equal(d.judgedDueAt, vn('2026-11-19T17:00'), 'judgedDueAt as it was');
  t.notOk(d.dueAtExtensions?.length);
  await send(t, move(c, 4, '2026-11-17T08:00'));
  t.notOk((await read(c)).dueAt, 'the hub computes nothing more');

  const withReason = code();
  await send(t, first(withReason, '9.000002', 2, '2026-11-16T08:00'));
  await send(t, { code: withReason, dueAt: vn('2026-11-20T17:00'), extensionReason: 'Xin lỗi' });
  d = await read(withReason);
  t.equal(d.dueAtExtensions.length, 1);
  t.equal(d.dueAtExtensions[0].previousDueAt, vn('2026-11-18T08:00'));
});

t.test('a provisional due date: a count into a year with no holiday file is marked, /readyz and /metrics report it', async (t) => {
  const bare = await startHub({ configDir: configDir(t, [2026]) });
  t.teardown(() => bare.close());
  const k = await bare.register({ id: 'desk', agencies: [AGENCY] });
  const c = `${AGENCY}-261130-0001`;
  t.equal((await bare.post('desk', k, first(c, '9.000030', 2, '2026-11-30T09:00'))).statusCode, 202);
  const d = (await bare.get(`/v1/dossiers/${c}`, k)).json();
  t.equal(d.dueAtProvisional, true, '30 working days from 30/11/2026 reach 2027, which has no file');
  const covered = (await read(await (async () => { const x = code(); await send(t, first(x, '9.000030', 2, '2026-11-30T09:00')); return x; })()));
  t.notOk('dueAtProvisional' in covered, 'the same count with the 2027 file is not provisional');
  t.not(covered.dueAt, d.dueAt, 'the 2027 file moves the count (New Year, Tết)');

  const now = new Date(Date.now() + 7 * 3_600_000);
  const until = new Date(Date.now() + 120 * 86_400_000 + 7 * 3_600_000);
  const expected = [];
  for (let y = now.getUTCFullYear(); y <= until.getUTCFullYear(); y++) if (y !== 2026) expected.push(y);
  const ready = (await bare.app.inject({ method: 'GET', url: '/readyz' })).json();
  t.same(ready.calendar, { missingYears: expected, provisionalDueDates: 1 });
  t.not(ready.status, 'unavailable', 'the warning never makes the hub unready');
  const metrics = (await bare.app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, new RegExp(`^hub_calendar_missing_years ${expected.length}$`, 'm'));
  t.match(metrics, /^hub_due_dates_provisional 1$/m);
  t.equal((await bare.post('desk', k, move(c, 9, '2026-12-01T09:00'))).statusCode, 202);
  t.equal((await bare.app.inject({ method: 'GET', url: '/readyz' })).json().calendar.provisionalDueDates, 0, 'finished dossiers are not counted');
});

t.test('one extension through POST /v1/dossiers/{code}/status: the platform\'s new due date with its extensionReason', async (t) => {
  const c = code();
  await send(t, first(c, '9.000002', 2, '2026-11-02T08:00', { dueAt: vn('2026-11-03T17:00') }));
  const platform = await hub.register({ id: 'platform-s', role: 'platform' });
  const res = await hub.app.inject({
    method: 'POST', url: `/v1/dossiers/${c}/status`, headers: { authorization: `Bearer ${platform}` },
    payload: { status: 4, at: vn('2026-11-03T09:00'), dueAt: vn('2026-11-05T17:00'), extensionReason: 'Phiếu đề nghị gia hạn số 12' },
  });
  t.equal(res.statusCode, 202, res.body);
  const d = await read(c);
  t.same(d.dueAtExtensions, [{ at: vn('2026-11-03T09:00'), previousDueAt: vn('2026-11-03T17:00'), newDueAt: vn('2026-11-05T17:00'), reason: 'Phiếu đề nghị gia hạn số 12' }]);
  t.equal(d.judgedDueAt, vn('2026-11-05T17:00'));
});
