// The pure report builder (api.md "Conformance report"): every check in each of its states, the window of whole
// local days (+07:00), errorRate's minRequests, statusesSeen's fail rule and codeRules' violations.
import t from 'tap';
import { buildReport, windowStartDay, type Check, type ReportInput } from '../../src/conformance/report.js';
import { DEFAULT_CRITERIA } from '../../src/conformance/criteria.js';
import type { SampleEvidence } from '../../src/conformance/evidence.js';
import type { DayTraffic, SystemRecord } from '../../src/store/types.js';
import { addDelta, emptyDay, sumDays } from '../../src/systems/traffic.js';
import { parseRfc3339 } from '../../src/util/time.js';

const NOW = parseRfc3339('2026-03-06T16:00:00+07:00')!;
const system: SystemRecord = {
  id: 'so-tu-phap', name: 'Sở Tư pháp', adapter: 'mapping', role: 'source', level: 'province',
  agencies: [{ code: '000.00.12.H12', level: 'province', predecessors: ['000.00.99.H12'] }],
  delivery: { mode: 'none' }, subscriptions: [], mapping: null, status: 'active', createdAt: '2026-01-01T00:00:00+07:00', updatedAt: '2026-01-01T00:00:00+07:00',
};
const traffic = (over: Partial<DayTraffic> = {}): DayTraffic => ({ ...emptyDay(), ...over });
const sample = (id: string, over: Partial<SampleEvidence> = {}): SampleEvidence => ({
  id, name: `${id}.xml`, ok: true, reproduces: true, decodes: true, roundTrip: { items: 1, ok: true },
  changes: [{ code: '000.00.12.H12-260301-0001', agency: { code: '000.00.12.H12' }, procedure: { code: '1.001234' }, status: 2, steps: [{ status: 4 }, { status: 10 }] }], ...over,
});
const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  criteria: DEFAULT_CRITERIA, system, mapping: { version: 1, sha256: 'ab'.repeat(32), ok: true, warnings: [] },
  samples: [], traffic: traffic(), now: NOW, ...over,
});
const check = (r: { checks: Check[] }, id: string) => r.checks.find((c) => c.id === id)!;

t.test('the window: whole local days, from 00:00 of the day windowDays before today', async (t) => {
  const r = buildReport(input());
  t.same(r.window, { from: '2026-02-27T00:00:00+07:00', to: '2026-03-06T16:00:00+07:00' }, 'the spec\'s example');
  t.equal(r.generatedAt, '2026-03-06T16:00:00+07:00');
  // 23:59:59 and 00:00:00 local are different days, whatever UTC says (16:59:59Z / 17:00:00Z).
  t.equal(windowStartDay(parseRfc3339('2026-03-06T23:59:59+07:00')!, 7), '2026-02-27');
  t.equal(windowStartDay(parseRfc3339('2026-03-07T00:00:00+07:00')!, 7), '2026-02-28');
  t.equal(windowStartDay(parseRfc3339('2026-03-06T16:59:59Z')!, 7), '2026-02-27', 'still 6 March at +07:00');
  t.equal(windowStartDay(parseRfc3339('2026-03-06T17:00:00Z')!, 7), '2026-02-28', 'already 7 March at +07:00');
  t.same(r.checks.map((c) => c.id), ['auth', 'mapping', 'samples', 'roundTrip', 'statusesSeen', 'codeRules', 'errorRate'], 'no sample: no sample:<id> check');
});

t.test('auth: pass, fail with failures only, pending without attempts', async (t) => {
  t.match(check(buildReport(input()), 'auth'), { state: 'pending' });
  t.match(check(buildReport(input({ traffic: traffic({ authFailed: 3, lastFailedAt: '2026-03-06T10:00:00+07:00' }) })), 'auth'), { state: 'fail', detail: /3 failed attempts/ });
  t.match(check(buildReport(input({ traffic: traffic({ authOk: 2, authFailed: 3, lastAuthAt: '2026-03-06T15:31:02+07:00', lastAuthKey: 'k1' }) })), 'auth'),
    { state: 'pass', detail: 'last authenticated 2026-03-06T15:31:02+07:00 (key k1)' });
});

t.test('mapping: compiles, does not, unknown; built-ins pass with {adapter, version}', async (t) => {
  t.match(check(buildReport(input({ mapping: { version: 2, sha256: 'x', ok: true, warnings: ['w1'] } })), 'mapping'), { state: 'pass', warnings: ['w1'] });
  t.match(check(buildReport(input({ mapping: { version: 2, sha256: 'x', ok: false, warnings: [], detail: 'no longer compiles' } })), 'mapping'), { state: 'fail' });
  t.match(check(buildReport(input({ mapping: null })), 'mapping'), { state: 'pending' });
  const builtIn = buildReport(input({ system: { ...system, adapter: 'tnmt-xml' }, mapping: null, builtIn: { version: '1.2.0' } }));
  t.same(check(builtIn, 'mapping'), { id: 'mapping', state: 'pass', adapter: 'tnmt-xml', version: '1.2.0' });
  t.equal(builtIn.mapping, null);
});

t.test('samples, sample:<id> and roundTrip', async (t) => {
  const two = buildReport(input({ samples: [sample('a'), sample('b', { decodes: false, reproduces: false, roundTrip: { items: 0, ok: true } })] }));
  t.match(check(two, 'samples'), { state: 'pending', detail: '2 approved samples, 1 that decode (3 needed)' }, 'below minSamples');
  t.match(check(two, 'sample:a'), { state: 'pass', name: 'a.xml' });
  t.match(check(two, 'sample:b'), { state: 'fail' });
  t.match(check(two, 'roundTrip'), { state: 'pass', detail: '1 of 1 sample items' });
  const three = buildReport(input({ samples: [sample('a'), sample('b'), sample('c', { roundTrip: { items: 2, ok: false, passed: 1 } })] }));
  t.match(check(three, 'samples'), { state: 'pass' });
  t.match(check(three, 'roundTrip'), { state: 'fail', detail: '3 of 4 sample items' });
  t.match(check(buildReport(input({ samples: [sample('a', { roundTrip: { items: 0, ok: true } })] })), 'roundTrip'), { state: 'pending' }, 'no ok item');
  t.match(check(buildReport(input({ builtIn: { version: '1', roundTripExempt: 'status only' } })), 'roundTrip'), { state: 'pass', detail: 'exempt' });
  t.match(check(buildReport(input({ criteria: { ...DEFAULT_CRITERIA, minSamples: 0 } })), 'samples'), { state: 'pass' }, 'vacuous with minSamples 0');
});

t.test('statusesSeen: samples and traffic; fail only once the window holds minRequests', async (t) => {
  const seen = traffic();
  addDelta(seen, { accepted: 1, statuses: [1, 4] }, '2026-03-06T09:00:00+07:00');
  const pending = check(buildReport(input({ traffic: seen })), 'statusesSeen');
  t.same(pending, { id: 'statusesSeen', state: 'pending', seen: [1, 4], missing: [[9, 10]] });
  const busy = check(buildReport(input({ traffic: { ...seen, accepted: 15, refused: 5 } })), 'statusesSeen');
  t.match(busy, { state: 'fail', missing: [[9, 10]] }, '20 requests and a group still missing');
  t.match(check(buildReport(input({ traffic: { ...seen, accepted: 14, duplicates: 0, refused: 5 } })), 'statusesSeen'), { state: 'pending' }, '19 requests');
  const withSample = check(buildReport(input({ traffic: seen, samples: [sample('a')] })), 'statusesSeen');
  t.same(withSample, { id: 'statusesSeen', state: 'pass', seen: [1, 2, 4, 10], missing: [] }, 'a sample\'s status and steps count');
});

t.test('codeRules: traffic violations with the last example; samples judged against the scope', async (t) => {
  const a = traffic();
  addDelta(a, { refused: 1, codes: [{ code: 'HUB_AUTHZ_AGENCY_SCOPE', rule: 'agencyScope', example: '000.00.15.H12' }] }, '2026-03-05T10:00:00+07:00');
  const b = traffic();
  addDelta(b, { refused: 2, codes: [{ code: 'HUB_AUTHZ_AGENCY_SCOPE', rule: 'agencyScope', example: '000.00.16.H12' }, { code: 'HUB_CODE_FOREIGN', rule: 'codeForeign', example: '000.00.16.H12-260305-0001' }] }, '2026-03-06T10:00:00+07:00');
  addDelta(b, { refused: 1, codes: [{ code: 'HUB_VALIDATION', rule: '', example: null }, { code: '', rule: 'knownProcedure', example: '9.999999' }] }, '2026-03-06T11:00:00+07:00');
  const r = check(buildReport(input({ traffic: sumDays(b, a) })), 'codeRules');
  t.same(r, { id: 'codeRules', state: 'fail', violations: [
    { rule: 'agencyScope', count: 2, example: '000.00.16.H12' },
    { rule: 'codeForeign', count: 1, example: '000.00.16.H12-260305-0001' },
  ] }, 'the last offending value; knownProcedure off by default; a code no rule watches is not a violation');
  const strict = check(buildReport(input({ traffic: b, criteria: { ...DEFAULT_CRITERIA, requireKnownProcedure: true } })), 'codeRules');
  t.match(strict, { violations: [{ rule: 'agencyScope' }, { rule: 'codeForeign' }, { rule: 'knownProcedure', count: 1, example: '9.999999' }] });
  t.match(check(buildReport(input()), 'codeRules'), { state: 'pass', violations: [] });
  const foreign = sample('x', { changes: [{ code: '000.00.77.H12-260301-0001', agency: { code: '000.00.77.H12' } }, { code: 'KHONG-HOP-LE', agency: { code: '000.00.99.H12' } }] });
  t.same(check(buildReport(input({ samples: [foreign], knownProcedure: () => false, criteria: { ...DEFAULT_CRITERIA, requireKnownProcedure: true } })), 'codeRules').violations, [
    { rule: 'agencyScope', count: 1, example: '000.00.77.H12' },
    { rule: 'codeForm', count: 1, example: null },
  ], 'a predecessor is in scope; the code of the dossier\'s own agency is not foreign');
  const national = sample('n', { changes: [{ code: '000.00.00.G22-260301-0001', agency: { code: '000.00.12.H12' }, procedure: { code: '1.001234' } }] });
  t.match(check(buildReport(input({ samples: [national] })), 'codeRules'), { state: 'fail', violations: [{ rule: 'codeForeign' }] });
  t.match(check(buildReport(input({ samples: [national], nationalIssuers: ['000.00.00.G22'] })), 'codeRules'), { state: 'pass' }, 'a national issuer');
});

t.test('errorRate: pending below minRequests, then against max; duplicates count as accepted', async (t) => {
  t.same(check(buildReport(input({ traffic: traffic({ accepted: 4, duplicates: 1, refused: 1 }) })), 'errorRate'), { id: 'errorRate', state: 'pending', accepted: 5, refused: 1, rate: 0.167 });
  t.match(check(buildReport(input({ traffic: traffic({ accepted: 19, refused: 1 }) })), 'errorRate'), { state: 'pass', rate: 0.05 }, 'exactly max');
  t.match(check(buildReport(input({ traffic: traffic({ accepted: 18, refused: 2 }) })), 'errorRate'), { state: 'fail', rate: 0.1 });
  t.match(check(buildReport(input({ traffic: traffic({ accepted: 0, refused: 0 }), criteria: { ...DEFAULT_CRITERIA, errorRate: { max: 0.05, minRequests: 0 } } })), 'errorRate'), { state: 'pass', rate: 0 });
});

t.test('pass only when every check passes', async (t) => {
  const good = traffic({ accepted: 30, authOk: 1, lastAuthAt: '2026-03-06T15:00:00+07:00' });
  addDelta(good, { statuses: [1, 4, 9] }, '2026-03-06T15:00:00+07:00');
  const r = buildReport(input({ traffic: good, samples: [sample('a'), sample('b'), sample('c')] }));
  t.same(r.checks.filter((c) => c.state !== 'pass'), []);
  t.equal(r.pass, true);
  t.equal(buildReport(input({ traffic: good, samples: [sample('a'), sample('b'), sample('c', { reproduces: false })] })).pass, false);
});

t.test('the rollout state of a linked system: the furthest condition that holds', async (t) => {
  const { linkedState } = await import('../../src/conformance/rollout-state.js');
  const three = [sample('a'), sample('b'), sample('c')];
  const good = traffic({ accepted: 30, authOk: 1, lastAuthAt: '2026-03-06T15:00:00+07:00' });
  addDelta(good, { statuses: [1, 4, 9] }, '2026-03-06T15:00:00+07:00');
  const state = (samples: SampleEvidence[], tr: DayTraffic, accepted: number) => linkedState(buildReport(input({ samples, traffic: tr })), samples, accepted).state;
  t.equal(state([sample('a'), sample('b')], good, 30), 'mapping-draft', 'below minSamples');
  t.equal(state([...three.slice(0, 2), sample('c', { reproduces: false })], good, 30), 'mapping-draft', 'one does not reproduce');
  t.equal(state(three, { ...good, authOk: 0 }, 30), 'dry-run-ok', 'auth pending');
  t.equal(state(three, good, 0), 'conformance-ok', 'nothing accepted in the rollout window');
  t.equal(state(three, { ...good, refused: 10 }, 30), 'conformance-ok', 'errorRate fails');
  t.equal(state(three, good, 30), 'live');
});
