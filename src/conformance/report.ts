// The per-system conformance report (api.md "Conformance report"), as a pure function of its evidence: the
// criteria, the system, the samples with their cached suite results, the window's counters and the time. The
// route gathers the inputs; everything judged here is testable without a store or a clock.
import { DOSSIER_CODE } from '../canonical/types.js';
import type { DayTraffic, SystemRecord } from '../store/types.js';
import { CODE_RULES, procedureOf, statusesOf, type CodeRule } from '../ingest/codes-seen.js';
import { statusList } from '../systems/traffic.js';
import { formatVn } from '../util/time.js';
import type { Criteria } from './criteria.js';
import type { MappingEvidence, SampleEvidence } from './evidence.js';

export type CheckState = 'pass' | 'fail' | 'pending';
export interface Check { id: string; state: CheckState; [k: string]: unknown }

export interface ReportInput {
  criteria: Readonly<Criteria>;
  system: SystemRecord;
  /** For built-in adapters: the adapter's version, and the reason it is exempt from the round trip, if it is. */
  builtIn?: { version: string; roundTripExempt?: string };
  mapping: MappingEvidence | null;
  samples: readonly SampleEvidence[];
  /** The counters of the window's days, summed. */
  traffic: DayTraffic;
  now: number;
  /** HUB_NATIONAL_ISSUERS: identifiers any system may carry in a code. */
  nationalIssuers?: readonly string[];
  /** Whether a procedure is in config/procedures (requireKnownProcedure). */
  knownProcedure?: (code: string) => boolean;
}

export interface Report {
  system: string;
  adapter: string;
  mapping: { version: number; sha256: string } | null;
  generatedAt: string;
  window: { from: string; to: string };
  criteria: Readonly<Criteria>;
  pass: boolean;
  checks: Check[];
}

const DAY_MS = 86_400_000;

/** The first local day of the window: `windowDays` days before today (+07:00 has no daylight saving). */
export function windowStartDay(now: number, windowDays: number): string {
  return formatVn(now - windowDays * DAY_MS).slice(0, 10);
}

export function buildReport(input: ReportInput): Report {
  const { criteria, system, traffic, samples, now } = input;
  const generatedAt = formatVn(now);
  const checks: Check[] = [
    authCheck(traffic),
    mappingCheck(input),
    samplesCheck(samples, criteria.minSamples),
    ...samples.map((s): Check => ({ id: `sample:${s.id}`, name: s.name, state: s.reproduces ? 'pass' : 'fail',
      ...(s.reproduces ? {} : { detail: 'the active version does not give the approved result' }) })),
    roundTripCheck(samples, input.builtIn?.roundTripExempt),
    statusesCheck(input),
    codeRulesCheck(input),
    errorRateCheck(traffic, criteria.errorRate),
  ];
  return {
    system: system.id, adapter: system.adapter,
    mapping: input.mapping ? { version: input.mapping.version, sha256: input.mapping.sha256 } : null,
    generatedAt, window: { from: `${windowStartDay(now, criteria.windowDays)}T00:00:00+07:00`, to: generatedAt },
    criteria, pass: checks.every((c) => c.state === 'pass'), checks,
  };
}

function authCheck(t: DayTraffic): Check {
  if (t.authOk > 0) return { id: 'auth', state: 'pass', detail: `last authenticated ${t.lastAuthAt}${t.lastAuthKey ? ` (key ${t.lastAuthKey})` : ''}`, succeeded: t.authOk, failed: t.authFailed };
  if (t.authFailed > 0) return { id: 'auth', state: 'fail', detail: `${t.authFailed} failed attempts, the last at ${t.lastFailedAt}; none succeeded`, succeeded: 0, failed: t.authFailed };
  return { id: 'auth', state: 'pending', detail: 'no authentication attempt in the window', succeeded: 0, failed: 0 };
}

function mappingCheck({ system, builtIn, mapping }: ReportInput): Check {
  if (builtIn) return { id: 'mapping', state: 'pass', adapter: system.adapter, version: builtIn.version };
  if (!mapping) return { id: 'mapping', state: 'pending', warnings: [], detail: 'no active mapping version is known' };
  return { id: 'mapping', state: mapping.ok ? 'pass' : 'fail', warnings: [...mapping.warnings], ...(mapping.detail ? { detail: mapping.detail } : {}) };
}

function samplesCheck(samples: readonly SampleEvidence[], min: number): Check {
  const decode = samples.filter((s) => s.decodes).length;
  return { id: 'samples', state: decode >= min ? 'pass' : 'pending', detail: `${samples.length} approved samples, ${decode} that decode (${min} needed)` };
}

function roundTripCheck(samples: readonly SampleEvidence[], exempt: string | undefined): Check {
  if (exempt !== undefined) return { id: 'roundTrip', state: 'pass', detail: 'exempt', reason: exempt };
  const items = samples.reduce((n, s) => n + s.roundTrip.items, 0);
  if (!items) return { id: 'roundTrip', state: 'pending', detail: 'no ok sample item to round-trip' };
  const passed = samples.reduce((n, s) => n + (s.roundTrip.ok ? s.roundTrip.items : (s.roundTrip.passed ?? 0)), 0);
  const ok = samples.every((s) => s.roundTrip.ok);
  return { id: 'roundTrip', state: ok ? 'pass' : 'fail', detail: `${passed} of ${items} sample items` };
}

function statusesCheck({ criteria, samples, traffic }: ReportInput): Check {
  const seen = new Set(statusList(traffic.statuses));
  for (const s of samples) for (const c of s.changes ?? []) for (const st of statusesOf(c)) seen.add(st);
  const missing = criteria.statuses.filter((g) => !g.some((st) => seen.has(st)));
  const requests = traffic.accepted + traffic.duplicates + traffic.refused;
  const state: CheckState = !missing.length ? 'pass' : requests >= criteria.errorRate.minRequests ? 'fail' : 'pending';
  return { id: 'statusesSeen', state, seen: [...seen].sort((a, b) => a - b), missing };
}

function codeRulesCheck(input: ReportInput): Check {
  const found = new Map<CodeRule, { count: number; example: string | null; at: string }>();
  const add = (rule: CodeRule, count: number, example: string | null, at: string) => {
    const v = found.get(rule) ?? { count: 0, example: null, at: '' };
    v.count += count;
    if (example !== null && at >= v.at) { v.example = example; v.at = at; }
    found.set(rule, v);
  };
  for (const c of input.traffic.codes) {
    if (!(CODE_RULES as readonly string[]).includes(c.rule)) continue;
    if (c.rule === 'knownProcedure' && !input.criteria.requireKnownProcedure) continue;
    add(c.rule as CodeRule, c.count, c.example, c.exampleAt ?? '');
  }
  // The samples' approved changes, judged as inbound would: before any traffic, so a traffic example wins.
  for (const s of input.samples) for (const ch of s.changes ?? []) for (const [rule, example] of sampleViolations(input, ch)) add(rule, 1, example, '');
  const violations = CODE_RULES.filter((r) => found.has(r)).map((rule) => ({ rule, count: found.get(rule)!.count, example: found.get(rule)!.example }));
  return { id: 'codeRules', state: violations.length ? 'fail' : 'pass', violations };
}

function sampleViolations(input: ReportInput, change: Record<string, unknown>): [CodeRule, string | null][] {
  const out: [CodeRule, string | null][] = [];
  const scope = new Set(input.system.agencies.flatMap((a) => [a.code, ...(a.predecessors ?? [])]));
  const agency = (change.agency as { code?: unknown } | undefined)?.code;
  const receiving = (change.receivingAgency as { code?: unknown } | undefined)?.code;
  // The platform (no agencies) writes every dossier.
  if (typeof agency === 'string' && scope.size && !scope.has(agency)) out.push(['agencyScope', agency]);
  if (typeof change.code === 'string') {
    const m = DOSSIER_CODE.exec(change.code);
    if (!m) out.push(['codeForm', null]);
    else if (scope.size && !scope.has(m[1]!) && m[1] !== agency && m[1] !== receiving && !(input.nationalIssuers ?? []).includes(m[1]!)) out.push(['codeForeign', change.code]);
  }
  const procedure = procedureOf(change);
  if (input.criteria.requireKnownProcedure && procedure && input.knownProcedure && !input.knownProcedure(procedure)) out.push(['knownProcedure', procedure]);
  return out;
}

function errorRateCheck(t: DayTraffic, { max, minRequests }: Criteria['errorRate']): Check {
  // A duplicate counts as accepted; a request refused whole is one refused item (counted so at ingest).
  const accepted = t.accepted + t.duplicates;
  const total = accepted + t.refused;
  const rate = total ? Math.round((t.refused / total) * 1000) / 1000 : 0;
  const state: CheckState = total < minRequests ? 'pending' : t.refused === 0 || t.refused / total <= max ? 'pass' : 'fail';
  return { id: 'errorRate', state, accepted, refused: t.refused, rate };
}
