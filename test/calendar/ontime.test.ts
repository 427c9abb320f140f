import t from 'tap';
import { ONTIME_BUCKETS, ontimeBucket } from '../../src/calendar/ontime.js';
import { parseRfc3339 } from '../../src/util/time.js';

const at = (local: string) => parseRfc3339(`${local}+07:00`)!;
const END = at('2026-12-01T00:00:00'); // a report with to = 2026-12-01
const due = '2026-11-27T17:00:00+07:00';
const none = { dueAt: null, finishedAt: null, returnedAt: null };

t.test('the bucket names, in report order', async (t) => {
  t.same([...ONTIME_BUCKETS], ['early', 'onTime', 'late', 'inProgress', 'overdue', 'paused', 'supplementExpired', 'withdrawn', 'refused', 'submitted']);
});

t.test('finished before the due date is early: finished 26/11 16:00, due 27/11 17:00', async (t) => {
  t.equal(ontimeBucket({ status: 9, dueAt: due, finishedAt: '2026-11-26T16:00:00+07:00', returnedAt: null }, END), 'early');
});

t.test('finished at 23:00 +07:00 on the due date is onTime (16:00Z, date granularity in +07:00)', async (t) => {
  t.equal(ontimeBucket({ status: 9, dueAt: due, finishedAt: '2026-11-27T16:00:00Z', returnedAt: null }, END), 'onTime');
  t.equal(ontimeBucket({ status: 10, dueAt: at('2026-11-27T08:00:00'), finishedAt: at('2026-11-27T23:59:59'), returnedAt: null }, END), 'onTime');
});

t.test('finished at 00:30 +07:00 the day after the due date is late, although 17:30Z is still the due date in UTC', async (t) => {
  t.equal(ontimeBucket({ status: 9, dueAt: due, finishedAt: '2026-11-27T17:30:00Z', returnedAt: null }, END), 'late');
});

t.test('finished with no dueAt is onTime', async (t) => {
  t.equal(ontimeBucket({ status: 10, ...none, finishedAt: at('2026-11-30T09:00:00') }, END), 'onTime');
});

t.test('without finishedAt the returnedAt decides: returned 28/11, due 27/11 → late', async (t) => {
  t.equal(ontimeBucket({ status: 10, dueAt: due, finishedAt: null, returnedAt: '2026-11-28T08:00:00+07:00' }, END), 'late');
  t.equal(ontimeBucket({ status: 10, dueAt: due, finishedAt: '2026-11-26T08:00:00+07:00', returnedAt: '2026-11-28T08:00:00+07:00' }, END), 'early', 'finishedAt first');
});

t.test('open (2, 4) with no dueAt, or due on or after the report end date, is inProgress', async (t) => {
  t.equal(ontimeBucket({ status: 2, ...none }, END), 'inProgress');
  t.equal(ontimeBucket({ status: 4, ...none, dueAt: at('2026-12-01T10:00:00') }, END), 'inProgress');
  t.equal(ontimeBucket({ status: 4, ...none, dueAt: at('2026-11-30T17:00:00') }, at('2026-11-30T20:00:00')),
    'inProgress', 'due 30/11 17:00, report ending 30/11 20:00 (now): still the due date, not yet overdue');
});

t.test('open with a due date before the report end date is overdue: due 30/11 17:00, report to 1/12 00:00', async (t) => {
  t.equal(ontimeBucket({ status: 4, ...none, dueAt: at('2026-11-30T17:00:00') }, END), 'overdue');
  t.equal(ontimeBucket({ status: 2, ...none, dueAt: due }, END), 'overdue');
});

t.test('status 5, 6, 8 are paused; 7 withdrawn; 3 refused; 1 submitted — whatever the dates', async (t) => {
  for (const status of [5, 6, 8]) t.equal(ontimeBucket({ status, ...none, dueAt: due }, END), 'paused', `status ${status}`);
  t.equal(ontimeBucket({ status: 7, ...none, dueAt: due }, END), 'withdrawn');
  t.equal(ontimeBucket({ status: 3, ...none }, END), 'refused');
  t.equal(ontimeBucket({ status: 1, ...none, dueAt: due }, END), 'submitted');
});

t.test('every status lands in exactly one known bucket; unknown status and bad instants are refused', async (t) => {
  for (let status = 1; status <= 10; status++) {
    t.ok((ONTIME_BUCKETS as readonly string[]).includes(ontimeBucket({ status, ...none, finishedAt: END }, END)), `status ${status}`);
  }
  t.throws(() => ontimeBucket({ status: 11, ...none }, END), RangeError);
  t.throws(() => ontimeBucket({ status: 9, ...none, dueAt: '27/11/2026' }, END), RangeError);
});

t.test('status 5 for more than 15 days is supplementExpired: the report end\'s date later than the round\'s date + 15 days', async (t) => {
  // END = 01/12/2026 00:00: requested 16/11 (+15 = 01/12, not later) paused; 15/11 23:59 expired.
  t.equal(ontimeBucket({ status: 5, ...none, supplementSince: at('2026-11-16T00:00:00') }, END), 'paused');
  t.equal(ontimeBucket({ status: 5, ...none, supplementSince: at('2026-11-15T23:59:00') }, END), 'supplementExpired');
  t.equal(ontimeBucket({ status: 5, ...none, supplementSince: null }, END), 'paused', 'a round of unknown start');
  t.equal(ontimeBucket({ status: 6, ...none, supplementSince: at('2026-01-01T00:00:00') }, END), 'paused', 'only status 5 expires');
});
