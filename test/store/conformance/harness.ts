// The store conformance suite's shared parts: what an implementation's test file provides (a factory of empty
// stores and a way to run raw SQL on one, to tamper with the audit log), and commit items built without the
// pipeline (the store does not care what the rules decided, only that it stores it faithfully).
import type { Dossier, EventType } from '../../../src/canonical/types.js';
import type { Revision } from '../../../src/dossiers/rules.js';
import type { CommitItem, Store, SystemRecord } from '../../../src/store/types.js';
import { sha256Hex } from '../../../src/util/canonical-json.js';
import { dossier } from '../../helpers/hub.js';

export interface StoreKit {
  store: Store;
  /** Runs SQL statements on the store's database (both dialects understand the suite's statements). */
  exec(sql: string): Promise<void>;
  /** Closes and opens the store again on the same data (what a restart sees). */
  reopen(): Promise<StoreKit>;
}

export interface StoreFactory {
  name: string;
  /** An empty store; closed and removed in the test's teardown. */
  open(t: { teardown(fn: () => Promise<void> | void): void }): Promise<StoreKit>;
}

export const AGENCY = '000.00.15.H12';
const BASE = Date.parse('2026-11-27T01:15:00Z');

let counter = 0;

/** A change: a new dossier (revision 1) or the next revision of the current one, with the given status. */
export function change(opts: { code?: string; localCode?: string; source?: string; status?: number; sha?: string; receivedAt?: string; agency?: string; now?: number } = {}): CommitItem {
  const n = ++counter;
  const status = opts.status ?? 2;
  const now = opts.now ?? BASE + n * 1000;
  const updatedAt = new Date(now).toISOString().replace('Z', '+00:00');
  return {
    source: opts.source ?? 'sys-a',
    ref: { ...(opts.code ? { code: opts.code } : {}), ...(opts.localCode ? { localCode: opts.localCode } : {}) },
    payloadSha256: sha256Hex(`payload-${n}`),
    canonicalSha256: opts.sha ?? sha256Hex(`change-${n}`),
    correlationId: `corr-${n}`,
    now,
    decide(current: Dossier | null): Revision[] {
      if (current) {
        const type: EventType = current.status === status ? 'dossier.updated' : 'dossier.status-changed';
        return [{ dossier: { ...current, status, revision: current.revision + 1, updatedAt } as Dossier, type, previousStatus: current.status }];
      }
      const d = dossier({
        code: opts.code ?? '', status, revision: 1, updatedAt, receivedAt: opts.receivedAt ?? '2026-11-27T08:15:00+07:00',
        ...(opts.agency ? { agency: { code: opts.agency, name: 'x', level: 'province' } } : {}),
        ...(opts.localCode ? { altCodes: [{ system: opts.source ?? 'sys-a', code: opts.localCode }] } : {}),
      }) as unknown as Dossier;
      return [{ dossier: d, type: 'dossier.received', previousStatus: null }];
    },
    validate(d: Dossier) {
      if (!/^[0-9A-Z.]+-\d{6}-\d{4,7}$/.test(d.code)) throw Object.assign(new Error(`bad code ${d.code}`), { code: 'HUB_VALIDATION' });
    },
  };
}

export function system(id: string, agencies: string[] = [], extra: Partial<SystemRecord> = {}): SystemRecord {
  return {
    id, name: id, adapter: 'canonical', role: 'source', level: 'province', mapping: null,
    agencies: agencies.map((code) => ({ code, level: 'province' as const })),
    delivery: { mode: 'pull' }, subscriptions: [], status: 'active',
    createdAt: '2026-12-01T00:00:00+07:00', updatedAt: '2026-12-01T00:00:00+07:00', ...extra,
  };
}
