// Gathers the report's inputs for one system (the window's counters, stored and still buffered, the samples and
// mapping evidence, the built-in adapter's facts) and hands them to the pure builder.
import { getAdapter } from '../../adapters/registry.js';
import { ROUND_TRIP_EXEMPT } from '../../adapters/kit/conformance.js';
import type { Store, SystemRecord } from '../store/types.js';
import type { BookkeepingBuffer } from '../systems/bookkeeping.js';
import { sumDays } from '../systems/traffic.js';
import type { Criteria } from './criteria.js';
import type { ConformanceEvidence } from './evidence.js';
import { buildReport, windowStartDay, type Report } from './report.js';

export interface ConformanceDeps {
  criteria: Readonly<Criteria>;
  evidence: ConformanceEvidence;
  store: Store;
  bookkeeping: BookkeepingBuffer;
  nationalIssuers: readonly string[];
  knownProcedure: (code: string) => boolean;
}

export async function conformanceReport(deps: ConformanceDeps, system: SystemRecord, now = Date.now()): Promise<Report> {
  const since = windowStartDay(now, deps.criteria.windowDays);
  const traffic = sumDays(await deps.store.admin.trafficWindow(system.id, since), deps.bookkeeping.pendingWindow(system.id, since));
  const adapter = system.adapter === 'mapping' ? undefined : getAdapter(system.adapter);
  const exempt = adapter ? ROUND_TRIP_EXEMPT.get(adapter.name) : undefined;
  return buildReport({
    criteria: deps.criteria, system, traffic, now,
    ...(adapter ? { builtIn: { version: adapter.version, ...(exempt !== undefined ? { roundTripExempt: exempt } : {}) } } : {}),
    mapping: adapter ? null : await deps.evidence.mapping(system),
    samples: await deps.evidence.samples(system),
    nationalIssuers: deps.nationalIssuers, knownProcedure: deps.knownProcedure,
  });
}
