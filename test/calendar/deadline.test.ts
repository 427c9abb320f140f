import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCalendar, loadCalendar, type Calendar } from '../../src/calendar/calendar.js';
import {
  addOfficeHours, addOfficeTime, computeDue, computeDueAt, extendForSupplement, isWithinOfficeHours, isWorkingDay, officeMinutesBetween,
} from '../../src/calendar/deadline.js';
import { formatVn, parseRfc3339 } from '../../src/util/time.js';
import { prng } from '../helpers/prng.js';

const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config');
const DEFAULT = { timezone: 'Asia/Ho_Chi_Minh', workdays: [1, 2, 3, 4, 5], hours: [['07:30', '11:30'], ['13:00', '17:00']] };

/** Local +07:00 wall-clock time `YYYY-MM-DDTHH:mm[:ss]` as epoch ms. */
function at(local: string): number {
  const ms = parseRfc3339(`${local}${local.length === 16 ? ':00' : ''}+07:00`);
  if (ms === null) throw new Error(`bad test time ${local}`);
  return ms;
}
const show = (ms: number) => formatVn(ms);

const plain = createCalendar(DEFAULT); // no holidays at all
const real = loadCalendar(CONFIG_DIR); // config/ with the 2026 and 2027 holiday files

t.test("domain.md's example: received Thursday 09:00, 2 working days → the following Monday 09:00 (no holidays)", async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-11-26T09:00'), { value: 2, unit: 'working_days' })), '2026-11-30T09:00:00+07:00');
});

t.test('received in office hours: Tuesday 10:00 + 4 h → 15:30 (1.5 h before lunch, 2.5 h after)', async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-03-10T10:00'), { value: 4, unit: 'hours' })), '2026-03-10T15:30:00+07:00');
});

t.test('received at lunch: Tuesday 12:15 + 1 h → 14:00 (counting starts at the 13:00 opening)', async (t) => {
  t.equal(show(addOfficeHours(plain, at('2026-03-10T12:15'), 60)), '2026-03-10T14:00:00+07:00');
});

t.test('received after closing: Tuesday 18:00 + 1 working day → Thursday 07:30 (the count ends on Wednesday\'s closing, due at the next opening)', async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-03-10T18:00'), { value: 1, unit: 'working_days' })), '2026-03-12T07:30:00+07:00');
});

t.test('a count ending exactly at a closing is due then: Tuesday 07:30 + 4 h → 11:30; 07:00 + 8 h → 17:00', async (t) => {
  t.equal(show(addOfficeHours(plain, at('2026-03-10T07:30'), 240)), '2026-03-10T11:30:00+07:00');
  t.equal(show(addOfficeHours(plain, at('2026-03-10T07:00'), 480)), '2026-03-10T17:00:00+07:00');
});

t.test('received exactly at 11:30 (a closing): + 30 min → 13:30; at 17:00 on Friday + 30 min → Monday 08:00', async (t) => {
  t.equal(show(addOfficeHours(plain, at('2026-03-10T11:30'), 30)), '2026-03-10T13:30:00+07:00');
  t.equal(show(addOfficeHours(plain, at('2026-03-13T17:00'), 30)), '2026-03-16T08:00:00+07:00');
});

t.test('received on a holiday: Thursday 30/4/2026 09:00 + 1 working day → Tuesday 5/5/2026 07:30 (30/4, 1/5 and the weekend closed; Monday\'s closing is the next opening)', async (t) => {
  t.equal(show(computeDueAt(real, at('2026-04-30T09:00'), { value: 1, unit: 'working_days' })), '2026-05-05T07:30:00+07:00');
});

t.test('a deadline that crosses a weekend: Friday 13/3/2026 15:00 + 1 working day → Monday 16/3 15:00', async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-03-13T15:00'), { value: 1, unit: 'working_days' })), '2026-03-16T15:00:00+07:00');
});

t.test('a deadline that crosses Tết 2026: Friday 13/2/2026 09:00 + 2 working days → Tuesday 24/2 09:00 (closed 14/2–22/2)', async (t) => {
  // Friday gives 6.5 h, Monday 23/2 gives 8 h, the last 1.5 h end on Tuesday at 09:00.
  t.equal(show(computeDueAt(real, at('2026-02-13T09:00'), { value: 2, unit: 'working_days' })), '2026-02-24T09:00:00+07:00');
  // Without the holiday file the same count ends on Tuesday 17/2.
  t.equal(show(computeDueAt(plain, at('2026-02-13T09:00'), { value: 2, unit: 'working_days' })), '2026-02-17T09:00:00+07:00');
});

t.test('a deadline that uses a make-up Saturday: Friday 9/1/2026 09:00 + 1 working day → Saturday 10/1/2026 09:00', async (t) => {
  t.equal(show(computeDueAt(real, at('2026-01-09T09:00'), { value: 1, unit: 'working_days' })), '2026-01-10T09:00:00+07:00');
  t.ok(isWorkingDay(real, '2026-01-10'), 'Saturday 10/1/2026 is a make-up working day');
});

t.test('a deadline that crosses the year end: Wednesday 31/12/2025 09:00 + 1 working day → Monday 5/1/2026 09:00 (1/1 and the 2/1 swap closed)', async (t) => {
  t.equal(show(computeDueAt(real, at('2025-12-31T09:00'), { value: 1, unit: 'working_days' })), '2026-01-05T09:00:00+07:00');
});

t.test('a deadline into a year without a holiday file: Thursday 30/12/2027 09:00 + 3 working days → Tuesday 4/1/2028 09:00 (weekday only)', async (t) => {
  t.equal(show(computeDueAt(real, at('2027-12-30T09:00'), { value: 3, unit: 'working_days' })), '2028-01-04T09:00:00+07:00');
  t.ok(isWorkingDay(real, '2028-01-03'));
  t.notOk(isWorkingDay(real, '2028-01-01'), 'a Saturday with no file is not a working day');
});

t.test('calendar days landing on a day off: Monday 20/4/2026 10:00 + 7 days → Tuesday 28/4 10:00 (27/4 is the Hùng Kings compensatory day)', async (t) => {
  t.equal(show(computeDueAt(real, at('2026-04-20T10:00'), { value: 7, unit: 'days' })), '2026-04-28T10:00:00+07:00');
});

t.test('calendar days from after closing: Monday 2/3/2026 18:30 counts from Tuesday 07:30; + 5 days lands on Sunday → Monday 9/3 07:30', async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-03-02T18:30'), { value: 5, unit: 'days' })), '2026-03-09T07:30:00+07:00');
  t.equal(show(computeDueAt(plain, at('2026-03-02T10:00'), { value: 3, unit: 'days' })), '2026-03-05T10:00:00+07:00', 'a working day stays');
});

t.test('working hours: Monday 9/3/2026 16:00 + 4 hours → Tuesday 10:30', async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-03-09T16:00'), { value: 4, unit: 'hours' })), '2026-03-10T10:30:00+07:00');
});

t.test('a supplementation round of two days (Tue 10/3 10:00 → Thu 12/3 10:00, 16 office hours) moves Friday 20/3 17:00 to Tuesday 24/3 17:00', async (t) => {
  const paused = at('2026-03-10T10:00');
  const resumed = at('2026-03-12T10:00');
  t.equal(officeMinutesBetween(plain, paused, resumed), 960);
  t.equal(show(extendForSupplement(plain, at('2026-03-20T17:00'), paused, resumed)), '2026-03-24T17:00:00+07:00');
  t.equal(show(extendForSupplement(plain, at('2026-03-20T17:00'), at('2026-03-14T09:00'), at('2026-03-15T09:00'))),
    '2026-03-20T17:00:00+07:00', 'a round over a weekend adds nothing');
  t.throws(() => extendForSupplement(plain, at('2026-03-20T17:00'), resumed, paused), RangeError);
});

t.test('officeMinutesBetween: same day, across lunch, across a week, reversed', async (t) => {
  t.equal(officeMinutesBetween(plain, at('2026-03-10T11:00'), at('2026-03-10T13:30')), 60);
  t.equal(officeMinutesBetween(plain, at('2026-03-09T00:00'), at('2026-03-16T00:00')), 5 * 480);
  t.equal(officeMinutesBetween(plain, at('2026-03-10T13:30'), at('2026-03-10T11:00')), -60);
  t.equal(officeMinutesBetween(real, at('2026-02-13T00:00'), at('2026-02-24T00:00')), 2 * 480, 'Tết: Friday 13/2 and Monday 23/2 only');
});

t.test('long counts skip weeks: Monday 5/1/2026 09:00 + 250 working days → the 250th working day after it, 09:00 (day-by-day reference)', async (t) => {
  const start = at('2026-01-02T07:00');
  const due = computeDueAt(real, at('2026-01-05T09:00'), { value: 250, unit: 'working_days' });
  // Day-by-day reference: the 250th working day after Monday 5/1/2026, at the same 09:00.
  let day = Date.UTC(2026, 0, 5);
  for (let n = 0; n < 250; ) {
    day += 86_400_000;
    if (isWorkingDay(real, new Date(day).toISOString().slice(0, 10))) n++;
  }
  t.equal(show(due), `${new Date(day).toISOString().slice(0, 10)}T09:00:00+07:00`);
  t.equal(officeMinutesBetween(real, start, due), 250 * 480 + 90, 'Friday 2/1 is a swapped day off, Monday 5/1 07:30–09:00 counts');
});

t.test('bad inputs are refused', async (t) => {
  t.throws(() => computeDueAt(plain, at('2026-03-10T10:00'), { value: 0, unit: 'working_days' }), RangeError);
  t.throws(() => computeDueAt(plain, at('2026-03-10T10:00'), { value: 1, unit: 'weeks' as 'days' }), RangeError);
  t.throws(() => addOfficeHours(plain, Number.NaN, 10), RangeError);
  t.throws(() => isWorkingDay(plain, '2026-02-30'), RangeError);
});

// ---- property test -------------------------------------------------------------------------------------------------

function isClosing(cal: Calendar, ms: number): boolean {
  const local = formatVn(ms).slice(11, 19);
  const date = formatVn(ms).slice(0, 10);
  return isWorkingDay(cal, date) && cal.hours.some((h) => local === `${String(Math.floor(h.end / 60)).padStart(2, '0')}:${String(h.end % 60).padStart(2, '0')}:00`);
}

/** The slow reference: walk minute by minute (only for short counts from whole-minute starts). */
function referenceAdd(cal: Calendar, start: number, minutes: number): number {
  let t0 = start;
  while (!isWithinOfficeHours(cal, t0)) t0 += 60_000;
  let left = minutes;
  let now = t0;
  while (left > 0) {
    if (isWithinOfficeHours(cal, now)) left--;
    now += 60_000;
  }
  return minutes === 0 ? t0 : now;
}

t.test('property: due dates are in office hours (or at a closing) on a working day and officeMinutesBetween gives the count back', async (t) => {
  const seed = Number(process.env.DEADLINE_SEED ?? 20261127);
  const rnd = prng(seed);
  const from = at('2025-12-01T00:00');
  const span = at('2028-02-01T00:00') - from;
  const cases = 4000;
  let failures = 0;
  const started = performance.now();
  for (let i = 0; i < cases && failures < 5; i++) {
    const withSeconds = rnd() < 0.2;
    const receipt = from + Math.floor(rnd() * span / (withSeconds ? 1000 : 60_000)) * (withSeconds ? 1000 : 60_000);
    const kind = rnd();
    const minutes = kind < 0.1 ? 0 : kind < 0.5 ? Math.floor(rnd() * 60) * 480 : Math.floor(rnd() * 60 * 480);
    const due = addOfficeHours(real, receipt, minutes);
    const back = officeMinutesBetween(real, receipt, due);
    const placed = isWithinOfficeHours(real, due) || isClosing(real, due);
    if (back !== minutes || !placed || due < receipt) {
      failures++;
      t.fail(`seed ${seed} case ${i}: ${formatVn(receipt)} + ${minutes} min → ${formatVn(due)} (between ${back}, placed ${placed})`);
    }
  }
  t.equal(failures, 0, `${cases} cases, seed ${seed}`);
  t.ok(performance.now() - started < 2000, 'quick');
});

t.test('property: short counts agree with a minute-by-minute walk', async (t) => {
  const rnd = prng(7);
  const from = at('2025-12-20T00:00');
  const span = at('2026-02-28T00:00') - from;
  let mismatches = 0;
  for (let i = 0; i < 150; i++) {
    const receipt = from + Math.floor(rnd() * span / 60_000) * 60_000;
    const minutes = Math.floor(rnd() * 3 * 480);
    const due = addOfficeHours(real, receipt, minutes);
    const expected = referenceAdd(real, receipt, minutes);
    if (due !== expected) {
      mismatches++;
      t.fail(`${formatVn(receipt)} + ${minutes}: ${formatVn(due)} ≠ ${formatVn(expected)}`);
      if (mismatches > 3) break;
    }
  }
  t.equal(mismatches, 0);
});

// ---- the worked examples of domain.md "Deadlines" and "Holidays" (December 2026 revision) ----------------------

t.test('the opening-time edge (rule 2): a working-day result exactly on a closing is due at the next opening', async (t) => {
  const wd2 = { value: 2, unit: 'working_days' } as const;
  // Thursday 26/11/2026, no holidays.
  t.equal(show(computeDueAt(plain, at('2026-11-26T09:00'), wd2)), '2026-11-30T09:00:00+07:00', 'Thursday 09:00 + 2 → Monday 09:00');
  t.equal(show(computeDueAt(plain, at('2026-11-26T07:30'), wd2)), '2026-11-30T07:30:00+07:00', 'Thursday 07:30 + 2 → Monday 07:30, not Friday 17:00');
  t.equal(show(computeDueAt(plain, at('2026-11-26T07:45'), wd2)), '2026-11-30T07:45:00+07:00', 'Thursday 07:45 + 2 → Monday 07:45');
  t.equal(show(computeDueAt(plain, at('2026-11-26T06:00'), wd2)), '2026-11-30T07:30:00+07:00', 'Thursday 06:00 + 2 → Monday 07:30');
  t.equal(show(computeDueAt(plain, at('2026-11-26T18:00'), wd2)), '2026-12-01T07:30:00+07:00', 'Thursday 18:00 + 2 → Tuesday 07:30');
  t.equal(show(computeDueAt(plain, at('2026-11-25T12:00'), wd2)), '2026-11-27T13:00:00+07:00', 'Wednesday 12:00 + 2 → Friday 13:00');
});

t.test('the opening-time edge (rule 3): an hour count ending at a closing stays there (4 working hours from 13:00 → 17:00)', async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-11-26T13:00'), { value: 4, unit: 'hours' })), '2026-11-26T17:00:00+07:00');
});

t.test('calendar days (rule 4): a start outside office hours moves to the next opening, a closing to the next opening', async (t) => {
  t.equal(show(computeDueAt(plain, at('2026-11-26T06:00'), { value: 1, unit: 'days' })), '2026-11-27T07:30:00+07:00');
  t.equal(show(computeDueAt(plain, at('2026-11-26T12:00'), { value: 1, unit: 'days' })), '2026-11-27T13:00:00+07:00', 'lunch counts from 13:00');
});

t.test('the 31/08/2026 swap: 1 working day from Friday 28/08 15:30 → Thursday 03/09 15:30; 5 from Thursday 20/08 09:00 → Wednesday 26/08', async (t) => {
  const cal = real;
  t.notOk(isWorkingDay(cal, '2026-08-31'), 'Monday 31/08 is off');
  t.ok(isWorkingDay(cal, '2026-08-22'), 'Saturday 22/08 is worked');
  t.equal(show(computeDueAt(cal, at('2026-08-28T15:30'), { value: 1, unit: 'working_days' })), '2026-09-03T15:30:00+07:00');
  t.equal(show(computeDueAt(cal, at('2026-08-20T09:00'), { value: 5, unit: 'working_days' })), '2026-08-26T09:00:00+07:00');
  t.equal(show(computeDueAt(cal, at('2026-08-20T09:00'), { value: 10, unit: 'working_days' })), '2026-09-07T09:00:00+07:00',
    'a count spanning both 22/08 and 31/08 is unchanged by the swap');
});

t.test('a provisional due date: 5 working days from Wednesday 29/12/2027 09:00 with no 2028 file → Wednesday 05/01/2028 09:00, provisional', async (t) => {
  const r = computeDue(real, at('2027-12-29T09:00'), { value: 5, unit: 'working_days' });
  t.equal(show(r.at), '2028-01-05T09:00:00+07:00');
  t.equal(r.provisional, true);
  const year2028 = { file: 'holidays/2028.json', data: { year: 2028, days: [{ date: '2028-01-03', type: 'off', name: 'Nghỉ bù Tết Dương lịch' }] } };
  const with2028 = createCalendar(DEFAULT, [{ file: 'holidays/2027.json', data: { year: 2027, days: [] } }, year2028]);
  const covered = computeDue(with2028, at('2027-12-29T09:00'), { value: 5, unit: 'working_days' });
  t.equal(show(covered.at), '2028-01-06T09:00:00+07:00', 'with the file: Thursday 06/01');
  t.equal(covered.provisional, false, 'inside covered years: not provisional');
  t.equal(computeDue(real, at('2026-11-16T08:00'), { value: 2, unit: 'working_days' }).provisional, false);
});

t.test('restart after supplementation (rule 6): 15 working days from 02/11/2026 09:00, supplementation 04/11 → 18/11 09:00: restart due 09/12, pause due 07/12', async (t) => {
  const wd15 = { value: 15, unit: 'working_days' } as const;
  const due = computeDueAt(real, at('2026-11-02T09:00'), wd15);
  t.equal(show(due), '2026-11-23T09:00:00+07:00');
  t.equal(show(computeDueAt(real, at('2026-11-18T09:00'), wd15)), '2026-12-09T09:00:00+07:00', 'restart: counted afresh');
  t.equal(show(addOfficeTime(real, due, at('2026-11-04T09:00'), at('2026-11-18T09:00'), 'working_days').at), '2026-12-07T09:00:00+07:00', 'pause');
});

t.test('status 6 for an excluding procedure (rule 7): due Wednesday 18/11 08:00, status 6 Monday 09:00 → 13:00 → due Wednesday 10:30', async (t) => {
  const due = computeDueAt(real, at('2026-11-16T08:00'), { value: 2, unit: 'working_days' });
  t.equal(show(due), '2026-11-18T08:00:00+07:00');
  t.equal(show(addOfficeTime(real, due, at('2026-11-16T09:00'), at('2026-11-16T13:00'), 'working_days').at), '2026-11-18T10:30:00+07:00');
});

t.test('office time added to a due date: a result on a closing moves to the next opening, except for hours', async (t) => {
  const due = at('2026-11-18T15:00');
  t.equal(show(addOfficeTime(plain, due, at('2026-11-16T09:00'), at('2026-11-16T11:00'), 'working_days').at), '2026-11-19T07:30:00+07:00');
  t.equal(show(addOfficeTime(plain, due, at('2026-11-16T09:00'), at('2026-11-16T11:00'), 'hours').at), '2026-11-18T17:00:00+07:00');
});

t.test('every date loop is bounded: a calendar that never opens throws instead of looping', async (t) => {
  const never = createCalendar({ ...DEFAULT, workdays: [1] }, [{ file: 'holidays/2026.json', data: { year: 2026, days: [] } }]);
  t.throws(() => computeDueAt(never, at('2026-11-16T08:00'), { value: 1e9, unit: 'working_days' }), RangeError);
});
