// The store contract. SQLite (embedded default) fills it today; PostgreSQL fills the same contract later,
// so nothing SQLite-specific (synchronous calls, rowids, pragmas) appears here: every method is async.
import type { Dossier, EventType, Level } from '../canonical/types.js';
import type { Receipt } from '../../adapters/kit/contract.js';
import type { Revision } from '../dossiers/rules.js';

export interface AgencyEntry { code: string; name?: string; level?: Level }
export interface Subscription { events: EventType[]; scope: 'own' | 'all' }
export interface Delivery { mode: 'push' | 'pull' | 'none'; url?: string; timeoutMs?: number }

export interface SystemRegistration {
  id: string;
  name: string;
  adapter: string;
  role: 'source' | 'platform';
  level: Level;
  agencies: (string | AgencyEntry)[];
  delivery: Delivery;
  subscriptions: Subscription[];
  mapping: unknown;
}

export interface SystemRecord extends Omit<SystemRegistration, 'agencies'> {
  /** Agencies with their level resolved (an agency's level defaults to the system's). */
  agencies: (AgencyEntry & { level: Level })[];
  status: 'active' | 'retired';
  createdAt: string;
  updatedAt: string;
}

export interface KeyRecord { systemId: string; keyHmac: string; createdAt: string; validUntil: string | null }

/** One change to commit: the store finds the dossier, checks for a duplicate, then asks `decide`. */
export interface CommitItem {
  /** The system whose input caused the change. */
  source: string;
  ref: { code?: string; localCode?: string };
  payloadSha256: string;
  canonicalSha256: string;
  correlationId: string;
  traceparent?: string;
  /** Epoch ms at which the hub accepts the change; also the receipt's acceptedAt. */
  now: number;
  /** The rules (pure): throws HubError to refuse. `code` of a new dossier may be '' for the store to issue. */
  decide(current: Dossier | null): Revision[];
  /** Validates a revision once its code is known; throws HubError to refuse. */
  validate(d: Dossier): void;
}

export interface CommitResult {
  receipt: Receipt;
  dossier: Dossier;
  /** The revisions stored (empty for a duplicate). */
  revisions: Revision[];
}

export interface ChangeEventRow {
  revision: number;
  type: EventType;
  source: string;
  at: string;
  receiptId: string;
  payloadSha256: string;
  canonicalSha256: string;
}

export interface FeedQuery {
  after?: number;
  updatedSince?: number;
  agency?: string;
  status?: number;
  procedure?: string;
  /** Restrict to dossiers in these agencies' scope (non-platform readers). */
  scope?: readonly string[];
  limit: number;
}

export interface OutboxRow {
  seq: number;
  eventId: string;
  dossierCode: string;
  revision: number;
  type: EventType;
  source: string;
  correlationId: string;
  traceparent: string | null;
  /** The CloudEvent JSON (amqp.md). */
  event: string;
  createdAt: number;
}

export interface AuditEntry { actor: string; action: string; target: string; detail?: unknown; correlationId?: string }

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  commit(item: CommitItem): Promise<CommitResult>;
  getDossier(code: string): Promise<Dossier | undefined>;
  findCodeByLocal(system: string, localCode: string): Promise<string | undefined>;
  listEvents(code: string): Promise<ChangeEventRow[]>;
  feed(q: FeedQuery): Promise<{ items: Dossier[]; last: number | undefined }>;
  /** The sequence of the newest change (the cursor to start from "now"). */
  headSeq(): Promise<number>;

  insertSystem(s: SystemRecord, keyHmac: string | null): Promise<void>;
  updateSystem(s: SystemRecord): Promise<void>;
  listSystems(): Promise<SystemRecord[]>;
  addKey(k: KeyRecord): Promise<void>;
  /** Expire every key of a system except the newest, at the given instant (rotation overlap). */
  expireOtherKeys(systemId: string, keepHmac: string, validUntil: string): Promise<void>;
  findKey(keyHmac: string): Promise<KeyRecord | undefined>;

  audit(e: AuditEntry): Promise<void>;
  listAudit(sinceMs: number, limit: number): Promise<(AuditEntry & { id: number; at: string })[]>;

  pendingOutbox(limit: number, afterSeq?: number): Promise<OutboxRow[]>;
  markRelayed(seqs: readonly number[]): Promise<void>;
  outboxBacklog(): Promise<{ count: number; oldestCreatedAt: number | null }>;

  ping(): Promise<void>;
  /** Called after every commit that stored revisions (the relay wakes on it). */
  onCommitted(listener: () => void): () => void;
  close(): Promise<void>;
}
