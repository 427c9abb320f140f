// Where the conformance report gets what it does not count itself (api.md "Conformance report"): the approved
// samples with the activation suite's cached results, and the active mapping version's state. A small contract
// the mapping engine fills; the default knows no samples, so the sample checks are pending or vacuous, as for a
// system that has none.
import type { SystemRecord } from '../store/types.js';

export interface SampleEvidence {
  id: string;
  name: string;
  /** The approved result accepts every item. */
  ok: boolean;
  /** The active version gives the approved result today (from the suite's cache). */
  reproduces: boolean;
  /** The sample's items decode (what the `samples` check counts). */
  decodes: boolean;
  /** Its ok items' round trip: how many, whether all held, and how many held when known. */
  roundTrip: { items: number; ok: boolean; passed?: number };
  /** The approved canonical changes of its ok items (statuses, agency, dossier and procedure codes are read from them). */
  changes?: readonly Record<string, unknown>[];
}

export interface MappingEvidence {
  version: number;
  sha256: string;
  /** The active version validates and compiles. */
  ok: boolean;
  warnings: readonly unknown[];
  detail?: string;
}

export interface ConformanceEvidence {
  samples(system: SystemRecord): Promise<readonly SampleEvidence[]>;
  /** The active mapping version of a `mapping` system; null when none is known. */
  mapping(system: SystemRecord): Promise<MappingEvidence | null>;
}

/** No samples and no mapping versions: what a hub without the mapping engine's routes knows. */
export const NO_EVIDENCE: ConformanceEvidence = {
  samples: async () => [],
  mapping: async () => null,
};
