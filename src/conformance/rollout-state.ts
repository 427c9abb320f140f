// The rollout registry's derived `state` of a linked, active system (api.md "Rollout registry"), from the same
// evidence as its conformance report: the furthest state whose condition holds. Pure, like the report.
import type { SampleEvidence } from './evidence.js';
import type { Report } from './report.js';

export type LinkedState = 'mapping-draft' | 'dry-run-ok' | 'conformance-ok' | 'live';

const CONFORMANCE_CHECKS = /^(auth|mapping|samples|sample:.+|roundTrip|statusesSeen|codeRules)$/;

export function linkedState(report: Report, samples: readonly SampleEvidence[], acceptedInWindow: number): { state: LinkedState; detail: string } {
  const state = (id: string) => report.checks.find((c) => c.id === id)?.state;
  const decode = samples.filter((s) => s.decodes).length;
  const min = report.criteria.minSamples;
  if (decode < min || !samples.every((s) => s.reproduces) || state('roundTrip') !== 'pass') {
    return { state: 'mapping-draft', detail: `${decode} of ${min} approved samples that decode, ${samples.filter((s) => !s.reproduces).length} not reproducing, round trip ${state('roundTrip')}` };
  }
  const open = report.checks.filter((c) => CONFORMANCE_CHECKS.test(c.id) && c.state !== 'pass').map((c) => `${c.id} ${c.state}`);
  if (open.length) return { state: 'dry-run-ok', detail: `conformance checks not passing: ${open.join(', ')}` };
  if (acceptedInWindow === 0) return { state: 'conformance-ok', detail: 'no dossier accepted from the system within the traffic window' };
  if (state('errorRate') === 'fail') return { state: 'conformance-ok', detail: 'the error rate is over the criteria\'s maximum' };
  return { state: 'live', detail: 'conformant, with dossiers accepted in the traffic window' };
}
