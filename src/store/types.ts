// The store contract, filled by SQLite (embedded default, src/store/sqlite/) and PostgreSQL (DATABASE_URL,
// src/store/pg/): nothing SQLite-specific (synchronous calls, rowids, pragmas) appears here, every method is async,
// and test/store/conformance/ is the one suite both pass. Methods nobody calls are not part of it.
import type { Dossier, EventType, Level } from '../canonical/types.js';
import type { Receipt } from '../../adapters/kit/contract.js';
import type { Revision } from '../dossiers/rules.js';
import type { OntimeQuery, OntimeResult } from '../stats/types.js';

export type CommuneKind = 'xa' | 'phuong' | 'dac_khu';
/** An agency a system serves; `predecessors` are identifiers of units it took over (its own for scope and codes, never served). */
export interface AgencyEntry { code: string; name?: string; level?: Level; kind?: CommuneKind; predecessors?: string[] }
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
  /** Signed payloads (api.md "Trust"): absent means mode off. */
  signature?: { mode: 'off' | 'optional' | 'required'; signers?: string[] };
  /** SHA-256 fingerprints (lowercase hex) of another CA's client certificates that authenticate it over mTLS. */
  certificates?: string[];
}

export interface SystemRecord extends Omit<SystemRegistration, 'agencies'> {
  /** Agencies with their level resolved (an agency's level defaults to the system's). */
  agencies: (AgencyEntry & { level: Level })[];
  status: 'active' | 'retired';
  createdAt: string;
  updatedAt: string;
}

export interface KeyRecord { systemId: string; keyHmac: string; createdAt: string; validUntil: string | null; keyId?: string }
/** What the admin API shows of a key: never the key or its HMAC. */
export interface KeyInfo { keyId: string; createdAt: string; validUntil: string | null; lastUsedAt: string | null }

/** One change to commit: the store finds the dossier, checks for a duplicate, then asks `decide`. */
export interface CommitItem {
  /** The system whose input caused the change. */
  source: string;
  ref: { code?: string; localCode?: string };
  payloadSha256: string;
  canonicalSha256: string;
  correlationId: string;
  traceparent?: string;
  /** The request's verified signature, kept with the change. */
  signature?: AcceptedSignature;
  /** Which adapter (and mapping version) decoded the change (mapping.md §13); absent: the platform routes. */
  decodedBy?: Provenance | null;
  /** Epoch ms at which the hub accepts the change; also the receipt's acceptedAt. */
  now: number;
  /** The rules (pure): throws HubError to refuse. `code` of a new dossier may be '' for the store to issue. */
  decide(current: Dossier | null): Revision[];
  /** Validates a revision once its code is known; throws HubError to refuse. */
  validate(d: Dossier): void;
}

/**
 * Bookkeeping written inside the next group commit, as plain data (no closure crosses into the store): it shares
 * that commit's transaction and fsync instead of paying its own. New kinds (traffic counters, lastSeenAt) add a
 * member here and a case in the store.
 */
export type SideWrite =
  | { kind: 'relayed'; seqs: readonly number[]; at: number }
  | { kind: 'bookkeeping'; batch: Bookkeeping };

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
  /** The change's verified X-Signature (without the CMS itself). */
  signature?: Omit<AcceptedSignature, 'cms'>;
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

/** A delivery the relay planned for a push-mode system: keyed by (systemId, eventId); dedup and per-target order. */
export interface PlannedDelivery { systemId: string; eventId: string; dossierCode: string; revision: number }

/** A message for a pull-mode system's mailbox (api.md, "Mailbox"); `body` is the adapter's native payload. */
export interface MailboxInsert extends PlannedDelivery { type: EventType; contentType: string; body: string; bodyIsJson: boolean; encodedBy?: Provenance | null }
export interface MailboxMessage { id: string; eventId: string; type: EventType; dossierCode: string; revision: number; contentType: string; body: unknown }

export interface DeadLetterInsert extends PlannedDelivery {
  reason: string;
  /** The adapter and mapping version the failed encoding or delivery used (mapping.md §13). */
  encodedBy?: Provenance | null;
  attempts: number;
  lastResponse: string | null;
  /** The CloudEvent JSON, kept for replay. */
  event: string;
}
/** One try of a push delivery: `ok` delivered, `retry` failed and tried again, `failed` failed for good. */
export interface DeliveryAttempt {
  systemId: string; eventId: string; dossierCode: string; at: number; status: number | null; verdict: 'ok' | 'retry' | 'failed'; encodedBy: Provenance | null;
}
export interface DeadLetter extends DeadLetterInsert { id: string; failedAt: string }

/** What the relay keeps in the store besides the outbox: deliveries, mailboxes, dead letters. */
export interface RelayStore {
  /** Idempotent by (system, eventId): planned push deliveries, mailbox messages and dead letters (encoding failures). */
  plan(push: readonly PlannedDelivery[], mailbox: readonly MailboxInsert[], dead: readonly DeadLetterInsert[]): Promise<void>;
  deliveryState(systemId: string, eventId: string): Promise<'pending' | 'delivered' | 'dead' | undefined>;
  /** Whether an earlier revision of the dossier to this system is still pending (in the queue or in retry). */
  earlierPending(systemId: string, dossierCode: string, revision: number): Promise<boolean>;
  markDelivered(systemId: string, eventId: string, encodedBy?: Provenance | null): Promise<void>;
  /** Records one try of a push delivery (provenance: each attempt is a row). `status` is null without an HTTP answer. */
  recordAttempt(a: DeliveryAttempt): Promise<void>;
  /** Stores a dead letter and marks the delivery dead (which lets later revisions through). */
  addDeadLetter(d: DeadLetterInsert): Promise<DeadLetter>;
  listDeadLetters(q: { system?: string; after?: string; limit: number }): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Closes an open dead letter; `replayed` also sets its delivery back to pending. False when it is not open. */
  resolveDeadLetter(id: string, how: 'replayed' | 'discarded'): Promise<boolean>;
  /** Hands out up to `max` visible messages and hides them for `visibilityMs`. */
  mailboxTake(systemId: string, max: number, visibilityMs: number, now?: number): Promise<MailboxMessage[]>;
  mailboxAck(systemId: string, id: string): Promise<'acked' | 'already' | 'unknown'>;
  /** Epoch ms at which the next hidden, unacknowledged message becomes visible again (null: none). */
  mailboxNextVisible(systemId: string): Promise<number | null>;
  /** Called with the system id whenever messages are added to its mailbox, by any instance sharing the database. */
  onMailbox(listener: (systemId: string) => void): () => void;
  /** Open dead letters and unacknowledged mailbox messages per system (the /metrics gauges); optional for a store. */
  depths?(): Promise<{ deadLetters: Record<string, number>; mailbox: Record<string, number> }>;
  /** Push deliveries planned and not yet delivered or dead, per system (the console's overview); optional for a store. */
  pendingDeliveries?(): Promise<Record<string, number>>;
}

/** A client certificate issued by the hub CA to a system (api.md "Trust"). */
export interface CertificateRecord {
  serial: string;
  systemId: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  pem: string;
  issuedAt: string;
  revokedAt: string | null;
}

export interface CertificateStore {
  insert(c: Omit<CertificateRecord, 'revokedAt'>): Promise<void>;
  list(systemId: string): Promise<CertificateRecord[]>;
  get(serial: string): Promise<CertificateRecord | undefined>;
  /** Sets revokedAt once (revoking again keeps the first instant); the record, or undefined for an unknown serial. */
  revoke(serial: string, at: string): Promise<CertificateRecord | undefined>;
}

/** An accepted X-Signature as kept with its change (api.md "Signed payloads"). */
export interface AcceptedSignature {
  /** The CMS as received (base64 DER). */
  cms: string;
  signedAt: string;
  signer: { subject: string; serial: string; fingerprintSha256: string };
}

export interface AuditEntry {
  actor: string;
  action: string;
  /** null when there is nothing to name (an auth failure whose claimed system is not shaped like an id). */
  target: string | null;
  /** The client address, as HUB_TRUST_PROXY decides. */
  from?: string;
  detail?: unknown;
  correlationId?: string;
}

/** A stored audit entry (api.md "Audit log"). */
export interface AuditRow {
  seq: number; at: string; actor: string; action: string; target: string | null; from: string | null;
  detail: unknown; correlationId: string | null; prevHash: string; hash: string;
}
export interface AuditQuery {
  sinceMs?: number; untilMs?: number;
  /** Exact, or a prefix before `:` (`admin` matches `admin:<tokenId>`). */
  actor?: string;
  /** Exact, or a prefix when it ends with `*`. */
  action?: string;
  target?: string;
  after?: number;
  limit: number;
}
export interface AuditCheckpoint { seq: number; hash: string; at: string; signature: string | null }
export type AuditVerify =
  | { ok: true; entries: number; head: { seq: number; hash: string }; checkpoint: { seq: number; hash: string; at: string; signed: boolean } | null }
  | { ok: false; entries: number; firstBad: { seq: number; problem: 'altered' | 'removed' | 'reordered'; message: string } };

/** A rollout entry as stored (api.md "Rollout registry"); `state` and `traffic` are derived on read. */
export interface RolloutEntry {
  id: string; order: number; department: string; origin: 'seed' | 'province'; successor: string | null;
  systemId: string | null; targetDate: string | null; note: string | null; updatedAt: string;
}
export interface TrafficCounts { accepted: number; refused: number; duplicates: number }
/**
 * Items refused by code, and by (code, codeRules rule) with the last offending agency, dossier or procedure code
 * (api.md "Conformance report"). `rule` is '' for a code no rule watches; an accepted item whose procedure is not
 * in the catalogue is counted with code '' and rule `knownProcedure`.
 */
export interface CodeCount { code: string; rule: string; count: number; example: string | null; exampleAt: string | null }
/** One system's counters of one local day (or summed over a window): what the conformance report reads. */
export interface DayTraffic extends TrafficCounts {
  authOk: number;
  authFailed: number;
  /** The last successful authentication and its key id; the last failed one. */
  lastAuthAt: string | null;
  lastAuthKey: string | null;
  lastFailedAt: string | null;
  /** Bit n set: status n was seen in an accepted change (top-level or a step). */
  statuses: number;
  codes: CodeCount[];
}
/** In-memory bookkeeping flushed at most once a second (api.md "Systems", "Reading"). */
export interface Bookkeeping {
  keysUsed: Map<string, string>;
  systemsSeen: Map<string, string>;
  /** key `${systemId}\u0000${yyyy-MM-dd}` */
  traffic: Map<string, DayTraffic>;
}

/** The administration tables: system life cycle, admin tokens, rollout, traffic. `audit` entries commit in the same transaction. */
export interface AdminStore {
  systemMeta(id: string): Promise<{ retiredAt: string | null; lastSeenAt: string | null; keys: KeyInfo[] }>;
  /** Adds a key and ends every earlier key at `previousValidUntil` (or sooner when it already ends sooner); answers the latest end among them. */
  rotateKey(k: KeyRecord & { keyId: string }, previousValidUntil: string, audit: AuditEntry): Promise<string | null>;
  /** Retires: status, agencies freed, keys ended, pending deliveries and unacknowledged mailbox messages become dead letters. */
  retireSystem(s: SystemRecord, now: number, audit: AuditEntry): Promise<{ deadLetters: number }>;
  updateSystem(s: SystemRecord, audit: AuditEntry): Promise<void>;
  findAdminToken(tokenHmac: string): Promise<{ tokenId: string; validUntil: string | null } | undefined>;
  rotateAdminToken(t: { tokenId: string; tokenHmac: string; createdAt: string }, previousValidUntil: string, audit: AuditEntry): Promise<string | null>;
  getSetting(key: string): Promise<string | undefined>;
  recordBookkeeping(b: Bookkeeping): Promise<void>;
  traffic(systemId: string, sinceDay: string): Promise<{ window: TrafficCounts; total: TrafficCounts }>;
  /** Every counter of the days from `sinceDay` on, summed (the conformance report's window). */
  trafficWindow(systemId: string, sinceDay: string): Promise<DayTraffic>;
  lastSeen(systemId: string): Promise<string | null>;
  listRollout(): Promise<{ source: string | null; items: RolloutEntry[] }>;
  /** Writes the given entries (inserted or replaced) with the audit entry, in one transaction. */
  saveRollout(entries: readonly RolloutEntry[], audit: AuditEntry, source?: string): Promise<void>;
}

/** Which adapter made or read a payload (mapping.md §13): `sha256` only for mapping versions. */
export interface Provenance { adapter: string; version: string | number; sha256?: string }

export interface MappingVersionInfo {
  version: number; sha256: string; size: number; createdAt: string; createdBy: string; note: string | null; active: boolean;
}
export interface MappingVersionInsert { systemId: string; sha256: string; document: string; size: number; createdAt: string; createdBy: string; note: string | null }

export interface SampleRecord {
  id: string; systemId: string; name: string; contentType: string; payload: Buffer; payloadSha256: string;
  /** mapping.md §17's expected object. */
  expected: unknown;
  approvedVersion: string; createdAt: string; createdBy: string;
}

export interface ProvenanceReport {
  revisions: { revision: number; type: string; source: string; at: string; receiptId: string; payloadSha256: string; decodedBy: Provenance | null }[];
  deliveries: { system: string; eventId: string; revision: number; state: string; attempts: { at: string; status: number | null; verdict: string; encodedBy: Provenance | null }[] }[];
}

/** Mapping versions, the active pointer, samples and provenance (mapping.md §13, §17). Changes commit with their audit entry. */
export interface MappingStore {
  /** Stores the next version (or finds the one with the same sha256); `activate` moves the pointer in the same transaction. */
  addVersion(v: MappingVersionInsert, audit: AuditEntry, activate: AuditEntry | null): Promise<{ version: number; created: boolean; previous: number | null }>;
  /** Moves the active pointer; the previous active version (null: none). */
  activate(systemId: string, version: number, audit: AuditEntry): Promise<number | null>;
  listVersions(systemId: string): Promise<{ active: number | null; items: MappingVersionInfo[] }>;
  getVersion(systemId: string, version: number): Promise<(MappingVersionInfo & { document: string }) | undefined>;
  /** Every system's active version with its document (the resolver compiles them). */
  activeVersions(): Promise<{ systemId: string; version: number; sha256: string; document: string }[]>;
  addSample(s: SampleRecord, audit: AuditEntry): Promise<void>;
  listSamples(systemId: string): Promise<SampleRecord[]>;
  getSample(systemId: string, id: string): Promise<SampleRecord | undefined>;
  findSample(systemId: string, payloadSha256: string): Promise<SampleRecord | undefined>;
  countSamples(systemId: string): Promise<number>;
  approveSample(systemId: string, id: string, expected: unknown, approvedVersion: string, audit: AuditEntry): Promise<void>;
  deleteSample(systemId: string, id: string, audit: AuditEntry): Promise<boolean>;
  provenance(code: string): Promise<ProvenanceReport>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  commit(item: CommitItem): Promise<CommitResult>;
  getDossier(code: string): Promise<Dossier | undefined>;
  findCodeByLocal(system: string, localCode: string): Promise<string | undefined>;
  listEvents(code: string): Promise<ChangeEventRow[]>;
  feed(q: FeedQuery): Promise<{ items: Dossier[]; last: number | undefined }>;
  /** The sequence of the newest change (the cursor to start from "now"). */
  headSeq(): Promise<number>;
  /** The on-time report (domain.md "On time"), aggregated in the store: no dossier is loaded. */
  ontimeReport(q: OntimeQuery): Promise<OntimeResult>;

  /** `mapping`: a mapping system's first version, stored and activated in the same transaction. */
  insertSystem(s: SystemRecord, keyHmac: string | null, mapping?: { version: MappingVersionInsert; audit: AuditEntry }): Promise<void>;
  listSystems(): Promise<SystemRecord[]>;
  findKey(keyHmac: string): Promise<KeyRecord | undefined>;
  /**
   * Called after every change of systems or keys: at once for a change made through this store, and for a change
   * another instance made on the same database (PostgreSQL: LISTEN/NOTIFY, and once after every reconnect). Caches of keys empty on it.
   */
  onKeysChanged?(listener: () => void): () => void;

  /** Appends to the hash chain (one writer, inside the store's transaction). */
  audit(e: AuditEntry): Promise<void>;
  listAudit(sinceMs: number, limit: number): Promise<(AuditEntry & { id: number; at: string })[]>;
  queryAudit(q: AuditQuery): Promise<AuditRow[]>;
  /** `check`: whether a signed checkpoint's signature holds (a forged one is `altered`). */
  verifyAudit(check?: (c: AuditCheckpoint & { signature: string }) => Promise<boolean>): Promise<AuditVerify>;
  /** Every checkpoint from now on is signed by `sign` (a detached CMS over the JCS form of {seq, hash, at}). */
  signAuditCheckpoints?(sign: (bytes: Uint8Array) => Promise<string | undefined>, onError: (err: unknown) => void): void;
  /** A checkpoint of the head when entries were added since the last one. */
  auditCheckpoint(): Promise<AuditCheckpoint | undefined>;
  auditCheckpoints(limit: number): Promise<AuditCheckpoint[]>;
  readonly admin: AdminStore;

  readonly relay: RelayStore;
  readonly certificates: CertificateStore;
  readonly mappings: MappingStore;
  pendingOutbox(limit: number, afterSeq?: number): Promise<OutboxRow[]>;
  /** Marks outbox rows relayed, inside the next group commit (a side write). */
  markRelayed(seqs: readonly number[]): Promise<void>;
  /** Applies a side write inside the next group commit; resolves once it is on disk. */
  sideWrite(w: SideWrite): Promise<void>;
  outboxBacklog(): Promise<{ count: number; oldestCreatedAt: number | null }>;
  /** Whether this instance may relay the outbox now: one instance at a time, another takes over when it goes (absent: always). */
  relayLease?(): Promise<boolean>;
  /** Counters shared by every instance on the database (the failed-login and look-up limits); absent: in process. */
  readonly limits?: SharedLimits;

  /** Open dossiers (status 2, 4, 5, 6, 8) whose due date is provisional (/readyz, /metrics). */
  provisionalDueDates(): Promise<number>;
  ping(): Promise<void>;
  /** A probing write (/readyz): up, full (no room for dossier changes) or down. */
  probeWrite?(): Promise<'up' | 'full' | 'down'>;
  /** Called after every commit that stored revisions, on any instance sharing the database (the relay wakes on it). */
  onCommitted(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Fixed-window counters in the database, counted once for the installation (api.md "Several instances"), and a
 * broadcast of blocks so that an instance refuses a blocked client without asking the database on every request.
 */
export interface SharedLimits {
  /**
   * Counts one for `key` in its open window, or opens one [start, start + windowMs) when none is open at `now`,
   * atomically across instances; answers the window after the count.
   */
  add(key: string, now: number, start: number, windowMs: number): Promise<{ count: number; endsAt: number }>;
  /** Tells every instance (this one too) that `key` is blocked until `endsAt`. */
  announce(key: string, endsAt: number): Promise<void>;
  /** Open windows under `prefix` whose count is at least `min` (what an instance blocks at start and after a reconnect). */
  over(prefix: string, min: number, now: number): Promise<{ key: string; endsAt: number }[]>;
  /** Blocks announced by any instance; `resync` after the notification connection came back (blocks may have been missed). */
  onBlock(listener: (key: string, endsAt: number) => void, resync: () => void): () => void;
}
