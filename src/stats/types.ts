// The on-time report's query and answer (domain.md "On time", api.md "Shapes"), shared by the store and the route.
import type { Bucket, ONTIME_EXTRA } from '../calendar/ontime.js';

export const GROUP_BY = ['agency', 'procedure', 'month'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/**
 * Counts of one report or one group: every dossier in exactly one bucket, the buckets summing to `total`; besides,
 * `extended` and `extendedTwice` (not buckets).
 */
export type OntimeCounts = { total: number } & Record<Bucket | (typeof ONTIME_EXTRA)[number], number>;

export interface OntimeQuery {
  /** Received at or after (epoch ms); absent: no lower bound. */
  from?: number;
  /** Received before (epoch ms). */
  to: number;
  /** The report's end (epoch ms), min(to, now): an open dossier due on an earlier local date is overdue. */
  end: number;
  /** Current agency. */
  agency?: string;
  procedure?: string;
  /** Restrict to dossiers in these agencies' scope (non-platform callers). */
  scope?: readonly string[];
  groupBy?: GroupBy;
}

export interface OntimeResult extends OntimeCounts {
  /** With groupBy: one entry per key holding at least one dossier, ordered by key. */
  groups?: ({ key: string } & OntimeCounts)[];
}
