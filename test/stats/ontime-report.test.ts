// The on-time report through HTTP on real SQLite: random dossiers (seeded), every count compared with the pure
// reference ontimeBucket computed in JS over the same rows, for every grouping, the filters, the from/to edges,
// the caller's scope and the CSV form.
import t, { type Test } from 'tap';
import { startHub, type TestHub } from '../helpers/hub.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { OntimeStats, monthsCovering } from '../../src/store/sqlite/stats.js';
import { ONTIME_BUCKETS, ONTIME_EXTRA, ontimeBucket } from '../../src/calendar/ontime.js';
import { localDayNumber } from '../../src/calendar/calendar.js';
import { parseRfc3339, toLocalParts } from '../../src/util/time.js';
import { csvField, prefersCsv } from '../../src/stats/csv.js';
import type { GroupBy, OntimeCounts } from '../../src/stats/types.js';
import { agencyCode, insertRows, procedureCode, synthRows, type SynthRow } from './synthetic.js';

const at = (s: string) => parseRfc3339(s)!;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// 4,000 random dossiers received from mid-December 2025 to the end of January 2027, plus hand-made edge rows
// of agency EDGE (receipts on the from/to instants, due dates on the report end's day boundary).
const EDGE = '000.00.99.H12';
const random = [...synthRows({ seed: 20261127, count: 4000, from: at('2025-12-15T00:00:00+07:00'), to: at('2027-02-01T00:00:00+07:00'), agencies: 12, procedures: 8 })];
const edgeRow = (n: number, r: Partial<SynthRow>): SynthRow => ({
  code: `${EDGE}-260301-${String(n).padStart(4, '0')}`, agency: EDGE, procedure: procedureCode(0), status: 4,
  receivedAt: at('2026-04-10T09:00:00+07:00'), dueAt: null, finishedAt: null, ...r,
});
const edges: SynthRow[] = [
  edgeRow(1, { receivedAt: at('2026-03-01T00:00:00+07:00') }), // exactly at from: counted
  edgeRow(2, { receivedAt: at('2026-03-01T00:00:00+07:00') - 1 }), // 1 ms before from: not counted
  edgeRow(3, { receivedAt: at('2026-06-01T00:00:00+07:00') - 1 }), // 1 ms before to: counted
  edgeRow(4, { receivedAt: at('2026-06-01T00:00:00+07:00') }), // exactly at to: not counted
  edgeRow(5, { dueAt: at('2026-05-31T23:59:59.999+07:00') }), // due the day before the report end: overdue
  edgeRow(6, { dueAt: at('2026-06-01T00:00:00+07:00') }), // due on the report end's date: inProgress
  edgeRow(7, { status: 9, dueAt: at('2026-05-20T17:00:00+07:00'), finishedAt: at('2026-05-20T16:59:59Z') }), // 23:59:59 +07:00 that day: onTime
  edgeRow(8, { status: 10, dueAt: at('2026-05-20T17:00:00+07:00'), finishedAt: at('2026-05-20T17:00:00Z') }), // 00:00 +07:00 the next day: late
  edgeRow(9, { status: 10, dueAt: at('2026-05-20T17:00:00+07:00'), finishedAt: at('2026-05-19T23:00:00+07:00') }), // the day before: early
  edgeRow(10, { status: 10, dueAt: null, finishedAt: at('2026-05-30T10:00:00+07:00') }), // no due date: onTime
  edgeRow(11, { status: 9, dueAt: at('2026-05-20T17:00:00+07:00'), finishedAt: null }), // no finish time: onTime
  // Report end 01/06/2026: status 5 since 17/05 (+15 days = 01/06, not later): paused; since 16/05 23:59: expired.
  edgeRow(12, { status: 5, supplementSince: at('2026-05-17T00:00:00+07:00') }),
  edgeRow(13, { status: 5, supplementSince: at('2026-05-16T23:59:59.999+07:00') }),
  edgeRow(14, { status: 5, supplementSince: null }), // a round of unknown start: paused
  // Extended twice, finished on the last promise but after the judged (first extension's) date: late.
  edgeRow(15, { status: 9, dueAt: at('2026-05-22T17:00:00+07:00'), judgedDueAt: at('2026-05-21T17:00:00+07:00'), finishedAt: at('2026-05-22T15:00:00+07:00'), extensions: 2 }),
];
const rows = [...random, ...edges];

interface Q { from?: number; to: number; end: number; agency?: string; procedure?: string; scope?: ReadonlySet<string>; groupBy?: GroupBy }
const zero = (): OntimeCounts => ({ total: 0, ...Object.fromEntries([...ONTIME_BUCKETS, ...ONTIME_EXTRA].map((b) => [b, 0])) }) as OntimeCounts;
const add = (c: OntimeCounts, r: SynthRow, b: (typeof ONTIME_BUCKETS)[number]) => {
  c.total++;
  c[b]++;
  if ((r.extensions ?? 0) >= 1) c.extended++;
  if ((r.extensions ?? 0) >= 2) c.extendedTwice++;
};
const monthKey = (ms: number) => { const p = toLocalParts(ms); return `${p.year}-${String(p.month).padStart(2, '0')}`; };

/** The report computed in JS, dossier by dossier, with the pure reference classifier. */
function reference(q: Q): OntimeCounts & { groups?: ({ key: string } & OntimeCounts)[] } {
  const total = zero();
  const groups = new Map<string, OntimeCounts>();
  for (const r of rows) {
    if (r.receivedAt >= q.to || (q.from !== undefined && r.receivedAt < q.from)) continue;
    if (q.agency !== undefined && r.agency !== q.agency) continue;
    if (q.procedure !== undefined && r.procedure !== q.procedure) continue;
    if (q.scope && !q.scope.has(r.agency)) continue;
    const judged = r.judgedDueAt === undefined ? r.dueAt : r.judgedDueAt;
    const b = ontimeBucket({ status: r.status, dueAt: judged, supplementSince: r.supplementSince ?? null, finishedAt: r.finishedAt, returnedAt: null }, q.end);
    add(total, r, b);
    if (q.groupBy) {
      const key = q.groupBy === 'month' ? monthKey(r.receivedAt) : q.groupBy === 'agency' ? r.agency : r.procedure;
      const g = groups.get(key) ?? zero();
      add(g, r, b);
      groups.set(key, g);
    }
  }
  if (!q.groupBy) return total;
  return { ...total, groups: [...groups.keys()].sort().map((key) => ({ key, ...groups.get(key)! })) };
}

const counts = (body: Record<string, unknown>) => Object.fromEntries(['total', ...ONTIME_BUCKETS, ...ONTIME_EXTRA].map((k) => [k, body[k]]));
const bucketSum = (c: Record<string, unknown>) => ONTIME_BUCKETS.reduce((s, b) => s + (c[b] as number), 0);

let hub: TestHub;
let platformKey: string;
let sourceKey: string;
t.before(async () => {
  hub = await startHub({ calendar: true });
  platformKey = await hub.register({ id: 'platform', role: 'platform' });
  sourceKey = await hub.register({ id: 'src-two', agencies: [agencyCode(0), agencyCode(5)] });
  (hub.ctx.store as SqliteStore).exclusive((db) => insertRows(db, rows, { scope: true }));
});
t.teardown(() => hub.close());

const get = (query: string, key = platformKey, headers: Record<string, string> = {}) =>
  hub.app.inject({ method: 'GET', url: `/v1/stats/ontime${query}`, headers: { authorization: `Bearer ${key}`, ...headers } });

/** Asks the hub, checks buckets sum to total (also per group) and that everything equals the reference. */
async function check(t: Test, query: string, q: Q, key = platformKey) {
  const res = await get(query, key);
  t.equal(res.statusCode, 200, res.body);
  const body = res.json();
  t.equal(bucketSum(body), body.total, 'buckets sum to total');
  const ref = reference(q);
  t.same(counts(body), counts(ref as unknown as Record<string, unknown>), 'counts equal the reference');
  if (q.groupBy) {
    t.same(body.groups, ref.groups, 'groups equal the reference');
    for (const g of body.groups) t.equal(bucketSum(g), g.total, `group ${g.key}: buckets sum to total`);
    t.equal(body.groups.reduce((s: number, g: { total: number }) => s + g.total, 0), body.total, 'groups sum to total');
  } else t.notOk('groups' in body, 'no groups without groupBy');
  return body;
}

// A past window: the report ends at `to` (deterministic).
const FROM = at('2026-01-01T00:00:00+07:00');
const TO = at('2026-11-01T00:00:00+07:00');
const PAST = { from: FROM, to: TO, end: TO };

t.test('the random data exercise every bucket', async (t) => {
  const ref = reference(PAST);
  for (const b of [...ONTIME_BUCKETS, ...ONTIME_EXTRA]) t.ok(ref[b] > 0, `${b}: ${ref[b]}`);
});

t.test('province-wide 1/1–1/11/2026 (report ends at to): each dossier in the bucket ontimeBucket gives it', async (t) => {
  const body = await check(t, '?from=2026-01-01&to=2026-11-01', PAST);
  t.equal(body.from, '2026-01-01T00:00:00+07:00');
  t.equal(body.to, '2026-11-01T00:00:00+07:00');
  t.ok(body.total > 2500, `${body.total} dossiers`);
});

for (const groupBy of ['agency', 'procedure', 'month'] as const) {
  t.test(`groupBy=${groupBy}: one group per ${groupBy} holding dossiers, equal to the reference`, async (t) => {
    const body = await check(t, `?from=2026-01-01&to=2026-11-01&groupBy=${groupBy}`, { ...PAST, groupBy });
    t.ok(body.groups.length > (groupBy === 'procedure' ? 5 : 8), `${body.groups.length} groups`);
    if (groupBy === 'month') t.same(body.groups.map((g: { key: string }) => g.key), ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
  });
}

t.test('filters: agency, procedure, and both with groupBy month', async (t) => {
  await check(t, `?from=2026-01-01&to=2026-11-01&agency=${agencyCode(1)}`, { ...PAST, agency: agencyCode(1) });
  await check(t, `?from=2026-01-01&to=2026-11-01&procedure=${procedureCode(2)}&groupBy=agency`, { ...PAST, procedure: procedureCode(2), groupBy: 'agency' });
  await check(t, `?from=2026-01-01&to=2026-11-01&agency=${agencyCode(0)}&procedure=${procedureCode(0)}&groupBy=month`,
    { ...PAST, agency: agencyCode(0), procedure: procedureCode(0), groupBy: 'month' });
  await check(t, `?from=2026-01-01&to=2026-11-01&agency=${agencyCode(3)}&groupBy=agency`, { ...PAST, agency: agencyCode(3), groupBy: 'agency' });
  const none = await check(t, '?from=2026-01-01&to=2026-11-01&agency=000.00.77.H12&groupBy=procedure', { ...PAST, agency: '000.00.77.H12', groupBy: 'procedure' });
  t.equal(none.total, 0);
  t.same(none.groups, []);
});

t.test('edges: received exactly at from is in, 1 ms before is out; 1 ms before to is in, exactly at to is out', async (t) => {
  const q = { from: at('2026-03-01T00:00:00+07:00'), to: at('2026-06-01T00:00:00+07:00'), end: at('2026-06-01T00:00:00+07:00'), agency: EDGE };
  const body = await check(t, `?from=2026-03-01&to=2026-06-01&agency=${EDGE}`, q);
  t.equal(body.total, 13, 'rows 1, 3, 5–15');
  t.same(counts(body), {
    total: 13, early: 1, onTime: 3, late: 2, inProgress: 3, overdue: 1, paused: 2, supplementExpired: 1, withdrawn: 0, refused: 0, submitted: 0,
    extended: 1, extendedTwice: 1,
  }, 'due 31/5 23:59:59.999 overdue and due 1/6 00:00 in progress at a report ending 1/6 00:00; finished 23:59:59 +07:00 on the due date on time, 00:00 the next day late; ' +
    'status 5 since 17/05 paused, since 16/05 expired; extended twice, judged against the first extension: late');
});

t.test('a date is 00:00 at +07:00: 2026-03-01 = 2026-03-01T00:00:00+07:00 = 2026-02-28T17:00:00Z', async (t) => {
  const a = (await get(`?from=2026-03-01&to=2026-06-01&agency=${EDGE}`)).json();
  const b = (await get(`?from=2026-03-01T00:00:00%2B07:00&to=2026-06-01T00:00:00%2B07:00&agency=${EDGE}`)).json();
  const c = (await get(`?from=2026-02-28T17:00:00Z&to=2026-05-31T17:00:00Z&agency=${EDGE}`)).json();
  t.same(a, b);
  t.same(a, c);
  const d = (await get(`?from=2026-02-28T17:00:00.001Z&to=2026-06-01&agency=${EDGE}`)).json();
  t.equal(d.total, a.total - 1, 'one millisecond later the dossier received at 00:00 is out');
});

t.test('to in the future (or absent): the report ends now — open dossiers due before today are overdue, due today not', async (t) => {
  const before = Date.now();
  const body = (await get('?from=2026-01-01&to=2027-02-01&groupBy=month')).json();
  const after = Date.now();
  const to = at('2027-02-01T00:00:00+07:00');
  if (localDayNumber(before) !== localDayNumber(after)) {
    t.comment('the local date turned during the request: not compared');
    return;
  }
  const ref = reference({ from: FROM, to, end: before, groupBy: 'month' });
  t.same(counts(body), counts(ref as unknown as Record<string, unknown>));
  t.same(body.groups, ref.groups);
  t.ok(body.groups.some((g: { key: string }) => g.key === '2027-01'), 'future receipts in range are counted');
  const noTo = (await get('?from=2026-01-01')).json();
  t.equal(noTo.total, reference({ from: FROM, to: Date.now(), end: Date.now() }).total, 'no to: received until now');
  t.match(noTo.to, /\+07:00$/);
  const noFrom = (await get('?to=2026-11-01')).json();
  t.equal(noFrom.from, null);
  t.equal(noFrom.total, reference({ to: TO, end: TO }).total, 'no from: from the beginning (includes December 2025)');
});

t.test('a source system sees the dossiers of its scope only; no credentials is 401', async (t) => {
  const scope = new Set([agencyCode(0), agencyCode(5)]);
  const body = await check(t, '?from=2026-01-01&to=2026-11-01&groupBy=agency', { ...PAST, scope, groupBy: 'agency' }, sourceKey);
  t.same(body.groups.map((g: { key: string }) => g.key), [agencyCode(0), agencyCode(5)]);
  await check(t, '?from=2026-01-01&to=2026-11-01&groupBy=month', { ...PAST, scope, groupBy: 'month' }, sourceKey);
  await check(t, `?from=2026-01-01&to=2026-11-01&agency=${agencyCode(1)}`, { ...PAST, scope, agency: agencyCode(1) }, sourceKey);
  const anon = await hub.app.inject({ method: 'GET', url: '/v1/stats/ontime' });
  t.equal(anon.statusCode, 401);
});

t.test('invalid parameters are 400 HUB_QUERY_INVALID naming the parameter', async (t) => {
  const cases: [string, string][] = [
    ['?from=2026-02-30', 'query:/from'], ['?from=2026-13-01', 'query:/from'], ['?to=yesterday', 'query:/to'],
    ['?from=2026-01-01T00:00:00', 'query:/from'], ['?to=27/11/2026', 'query:/to'], ['?groupBy=week', 'query:/groupBy'],
    ['?from=2026-06-01&to=2026-06-01', 'query:/from'], ['?from=2026-07-01&to=2026-06-01', 'query:/from'], ['?colour=red', 'query:'],
  ];
  // Errors of the route's schema come from problem.ts with Fastify's context name, `querystring:`.
  const named = (path: string, e: { path: string }) => e.path.startsWith(path) || e.path.startsWith(path.replace(/^query:/, 'querystring:'));
  for (const [query, path] of cases) {
    const res = await get(query);
    t.equal(res.statusCode, 400, query);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    const p = res.json();
    t.equal(p.code, 'HUB_QUERY_INVALID', query);
    t.ok(p.errors.some((e: { path: string }) => named(path, e)), `${query} names ${path}: ${JSON.stringify(p.errors)}`);
  }
});

t.test('CSV (Accept: text/csv): BOM, header row, one row per group, CRLF; same counts as JSON', async (t) => {
  const json = (await get('?from=2026-01-01&to=2026-11-01&groupBy=agency')).json();
  const res = await get('?from=2026-01-01&to=2026-11-01&groupBy=agency', platformKey, { accept: 'text/csv' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.match(String(res.headers['content-disposition']), /attachment; filename="ontime\.csv"/);
  const raw = res.rawPayload;
  t.same([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
  const text = raw.subarray(3).toString('utf8');
  t.ok(text.endsWith('\r\n'));
  const lines = text.slice(0, -2).split('\r\n');
  t.equal(lines[0], 'agency,total,early,onTime,late,inProgress,overdue,paused,supplementExpired,withdrawn,refused,submitted,extended,extendedTwice');
  t.same(lines.slice(1), json.groups.map((g: Record<string, unknown>) => [g.key, g.total, ...[...ONTIME_BUCKETS, ...ONTIME_EXTRA].map((b) => g[b])].join(',')));

  const total = await get('?from=2026-01-01&to=2026-11-01', platformKey, { accept: 'text/csv' });
  const tl = total.rawPayload.subarray(3).toString('utf8').split('\r\n');
  t.equal(tl[0], 'from,to,total,early,onTime,late,inProgress,overdue,paused,supplementExpired,withdrawn,refused,submitted,extended,extendedTwice');
  t.equal(tl[1], `2026-01-01T00:00:00+07:00,2026-11-01T00:00:00+07:00,${json.total},${[...ONTIME_BUCKETS, ...ONTIME_EXTRA].map((b) => json[b]).join(',')}`);
  t.equal(tl.length, 3, 'one total row');

  const month = await get('?from=2026-01-01&to=2026-11-01&groupBy=month', platformKey, { accept: 'text/csv; q=0.9, application/json; q=0.5' });
  t.match(month.body, /^\uFEFFmonth,total,/);
  const preferJson = await get('?from=2026-01-01&to=2026-11-01', platformKey, { accept: 'application/json, text/csv;q=0.5' });
  t.equal(preferJson.headers['content-type'], 'application/json; charset=utf-8');
});

t.test('CSV fields follow RFC 4180 and neutralise formulas; Accept negotiation', async (t) => {
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvField('two\r\nlines'), '"two\r\nlines"');
  t.equal(csvField('Sở Tư pháp'), 'Sở Tư pháp');
  t.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
  t.equal(csvField(12), '12');
  t.equal(prefersCsv('text/csv'), true);
  t.equal(prefersCsv('*/*'), false);
  t.equal(prefersCsv(undefined), false);
  t.equal(prefersCsv('text/csv;q=0.4, */*;q=0.5'), false);
  t.equal(prefersCsv('text/html, text/csv'), true);
});

t.test('months are +07:00 months: 31/1 17:30Z is February; a range across the year end', async (t) => {
  t.same(monthsCovering(at('2026-12-15T00:00:00+07:00'), at('2027-01-31T17:30:00Z')).map(([k]) => k), ['2026-12', '2027-01', '2027-02']);
  const [[, start, end]] = monthsCovering(at('2026-02-10T00:00:00+07:00'), at('2026-02-10T00:00:00+07:00')) as [[string, number, number]];
  t.equal(start, at('2026-02-01T00:00:00+07:00'));
  t.equal(end, at('2026-03-01T00:00:00+07:00'));
  t.equal(end - start, 28 * DAY);
});

t.test('every form of the report reads covering indexes only and sorts nothing; a scoped one looks up its scope by key', async (t) => {
  const forms = [{}, { groupBy: 'agency' }, { groupBy: 'procedure' }, { groupBy: 'month' }, { agency: agencyCode(1) }, { procedure: procedureCode(1), groupBy: 'month' },
    { agency: agencyCode(1), procedure: procedureCode(1), groupBy: 'agency' }, { scope: [agencyCode(0)], groupBy: 'month' }] as const;
  const plans = (hub.ctx.store as SqliteStore).exclusive((db) => {
    const s = new OntimeStats(db);
    return forms.map((f) => s.explain({ ...PAST, ...f }));
  });
  plans.forEach((plan, i) => {
    const text = plan.join(' | ');
    t.notOk(plan.some((l) => /^SCAN dossiers\b/.test(l)), `no full table scan: ${text}`);
    t.notOk(plan.some((l) => /TEMP B-TREE/.test(l)), `no sort: ${text}`);
    if ('scope' in forms[i]!) t.ok(plan.some((l) => /^SEARCH d USING COVERING INDEX sqlite_autoindex_dossiers_1 \(code=\?\)/.test(l)), `scope by key: ${text}`);
    else t.ok(plan.every((l) => /^SEARCH dossiers USING COVERING INDEX dossiers_ontime(_agency|_procedure)? /.test(l)), `covering: ${text}`);
  });
});

t.test('property: on random data and random windows the buckets sum to the total, also per group, and equal the reference', async (t) => {
  const rnd = (await import('../helpers/prng.js')).prng(8_2026);
  const lo = at('2025-12-01T00:00:00+07:00');
  const span = at('2027-03-01T00:00:00+07:00') - lo;
  const groupings = [undefined, 'agency', 'procedure', 'month'] as const;
  for (let i = 0; i < 12; i++) {
    const a = lo + Math.floor(rnd() * span);
    const b = lo + Math.floor(rnd() * span);
    const [from, to] = a < b ? [a, b] : [b, a + DAY];
    const groupBy = groupings[i % groupings.length];
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    // A past `to` makes the report end at to; a future one at now (the reference gets the same end below).
    const q: Q = { from, to, end: Math.min(to, Date.now()), ...(groupBy ? { groupBy } : {}) };
    await check(t, `?from=${iso(from)}&to=${iso(to)}${groupBy ? `&groupBy=${groupBy}` : ''}`, q);
  }
});

t.test('the report refuses ranges it cannot serve: from/to outside 1990-01-01 .. now + 10 years, over 400 groups (400 naming the parameter)', async (t) => {
  const tenYears = new Date(Date.now() + 3660 * DAY).toISOString().slice(0, 10);
  const cases: [string, string][] = [
    ['?from=1989-12-31', 'query:/from'], [`?to=${tenYears}`, 'query:/to'], ['?from=2026-01-01&to=3000-01-01&groupBy=month', 'query:/to'],
    ['?from=1990-01-01&to=2026-01-01&groupBy=month', 'query:/groupBy'],
  ];
  const month = (hub.ctx.store as SqliteStore).exclusive((db) => insertRows(db, [{ ...edgeRow(90, { receivedAt: at('1990-06-01T09:00:00+07:00') }), code: `${EDGE}-900601-0001` }], { seqBase: 2_000_000_000 }));
  t.equal(month, 1);
  for (const [query, path] of cases) {
    const res = await get(query);
    t.equal(res.statusCode, 400, `${query}: ${res.body}`);
    t.equal(res.json().code, 'HUB_QUERY_INVALID');
    t.ok(res.json().errors.some((e: { path: string }) => e.path === path), `${query} names ${path}: ${res.body}`);
  }
  t.equal((await get('?from=1990-01-01&to=2026-01-01')).statusCode, 200, 'without groupBy the same range is one count');
  t.throws(() => monthsCovering(at('1990-01-01T00:00:00+07:00'), at('2999-12-01T00:00:00+07:00')), RangeError, 'the month loop is bounded');
  (hub.ctx.store as SqliteStore).exclusive((db) => db.prepare('DELETE FROM dossiers WHERE code = ?').run(`${EDGE}-900601-0001`));
});
