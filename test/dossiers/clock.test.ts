// The clock's rules as pure functions (src/dossiers/clock.ts through the acceptance rules of src/dossiers/rules.ts),
// over the shipped calendar: no hub, no store.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import type { Dossier, DossierChange } from '../../src/canonical/types.js';
import { decideExisting, decideNew, type RuleContext } from '../../src/dossiers/rules.js';
import { dueDates, loadDeadlineConfig } from '../../src/calendar/due-dates.js';
import { parseRfc3339 } from '../../src/util/time.js';
import { prng } from '../helpers/prng.js';

const clock = dueDates(loadDeadlineConfig(fileURLToPath(new URL('../../config/', import.meta.url)))!);
const ctx = (now: number): RuleContext => ({
  actor: { id: 'desk', role: 'source', agencies: ['000.00.15.H12'] }, now, servingSystem: () => undefined, clock,
});
const vn = (local: string) => `${local}:00+07:00`;
const NOW = parseRfc3339(vn('2026-12-01T12:00'))!;
const base = (status: number, at: string): DossierChange => ({
  code: '000.00.15.H12-261116-0001', procedure: { code: '1.004227', name: 'Đăng ký biến động' }, agency: { code: '000.00.15.H12', level: 'province' },
  applicant: { type: 'citizen', name: 'Lê Văn Cường' }, receivedAt: vn(at), status, steps: [{ at: vn(at), status }],
} as DossierChange);
const apply = (d: Dossier, change: DossierChange) => decideExisting(d, { change }, ctx(NOW))[0]!.dossier;
const move = (status: number, at: string, extra: Partial<DossierChange> = {}): DossierChange => ({ status, steps: [{ at: vn(at), status }], ...extra } as DossierChange);

t.test('the clock at acceptance (pure): status 1 has no due date; the move to 2 sets acceptedAt and counts 15 working days from it', async (t) => {
  let d = decideNew({ change: base(1, '2026-11-16T08:00') }, ctx(NOW))[0]!.dossier;
  t.notOk(d.dueAt);
  t.equal(d.submittedAt, vn('2026-11-16T08:00'));
  d = apply(d, move(2, '2026-11-17T09:00'));
  t.equal(d.acceptedAt, vn('2026-11-17T09:00'));
  t.equal(d.dueAt, vn('2026-12-08T09:00'));
  t.equal(d.judgedDueAt, d.dueAt);
});

t.test('a first submission already at status 2 is accepted at receivedAt; at 3 or 7 never', async (t) => {
  t.equal(decideNew({ change: base(2, '2026-11-16T08:00') }, ctx(NOW))[0]!.dossier.acceptedAt, vn('2026-11-16T08:00'));
  for (const s of [3, 7]) t.notOk(decideNew({ change: base(s, '2026-11-16T08:00') }, ctx(NOW))[0]!.dossier.acceptedAt, `status ${s}`);
});

t.test('a dossier stored before acceptedAt existed (history at 4) is not given an acceptance time later', async (t) => {
  const legacy = { ...decideNew({ change: base(4, '2026-11-16T08:00') }, ctx(NOW))[0]!.dossier };
  delete legacy.acceptedAt;
  delete legacy.judgedDueAt;
  const d = apply(legacy, move(9, '2026-11-20T08:00'));
  t.notOk(d.acceptedAt);
  t.equal(d.dueAt, legacy.dueAt, 'the stored promise stays');
  t.equal(d.judgedDueAt, legacy.dueAt, 'judged against the stored dueAt');
});

t.test('property: over random status sequences acceptedAt is set once and never moves, and only by a status other than 1, 3, 7', async (t) => {
  const rnd = prng(20261201);
  const statuses = [1, 2, 4, 5, 6, 8]; // 3 and 7 are terminal
  for (let run = 0; run < 200; run++) {
    let d = decideNew({ change: base(rnd() < 0.5 ? 1 : 2, '2026-11-02T08:00') }, ctx(NOW))[0]!.dossier;
    let accepted = d.acceptedAt;
    let minute = 0;
    for (let i = 0; i < 8; i++) {
      minute += 30 + Math.floor(rnd() * 600);
      const status = statuses[Math.floor(rnd() * statuses.length)]!;
      if (status === d.status) continue;
      const atMs = parseRfc3339(vn('2026-11-02T08:00'))! + minute * 60_000;
      const step = { at: new Date(atMs).toISOString(), status };
      d = decideExisting(d, { change: { status, steps: [step] } as DossierChange }, ctx(NOW))[0]!.dossier;
      if (accepted) t.equal(d.acceptedAt, accepted, 'never moves');
      else if (d.acceptedAt) {
        t.notOk([1, 3, 5, 7].includes(d.status), `set by status ${d.status}`);
        accepted = d.acceptedAt;
      }
      if (!d.acceptedAt) t.notOk(d.dueAt, 'no hub due date before acceptance');
      if (d.status === 5) t.ok(d.supplements?.some((r) => !r.resubmittedAt), 'status 5 always has an open round');
    }
  }
});

t.test('status 6 inside an open round: under restart its time counts for nothing, under pause it is counted once', async (t) => {
  const cfg = loadDeadlineConfig(fileURLToPath(new URL('../../config/', import.meta.url)))!;
  const procedure = (clockKind: 'restart' | 'pause') => ({
    code: '1.004227', name: 'x', processingTime: { value: 2, unit: 'working_days' as const }, clock: clockKind, excludeFinancialObligation: true,
  });
  for (const [kind, due] of [['restart', '2026-11-20T09:00'], ['pause', '2026-11-20T08:00']] as const) {
    const c = dueDates({ calendar: cfg.calendar, procedures: new Map([['1.004227', procedure(kind)]]) });
    const cx: RuleContext = { ...ctx(NOW), clock: c };
    const step = (d: Dossier, s: number, at: string) => decideExisting(d, { change: move(s, at) }, cx)[0]!.dossier;
    // Accepted Monday 16/11 08:00: due Wednesday 18/11 08:00. Round Monday 09:00 → Wednesday 09:00 with 6 inside.
    let d = decideNew({ change: base(2, '2026-11-16T08:00') }, cx)[0]!.dossier;
    t.equal(d.dueAt, vn('2026-11-18T08:00'));
    d = step(d, 5, '2026-11-16T09:00');
    d = step(d, 6, '2026-11-17T09:00');
    d = step(d, 4, '2026-11-18T09:00');
    // restart: 2 working days from Wednesday 09:00; pause: + the round's 16 office hours (09:00 Mon → 09:00 Wed), 6 not again.
    t.equal(d.dueAt, vn(due), kind);
    t.equal(d.supplements?.[0]?.resubmittedAt, vn('2026-11-18T09:00'));
  }
});
