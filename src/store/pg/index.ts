// The PostgreSQL store (DATABASE_URL): the same contract as the embedded SQLite store, for several hub instances
// sharing one database. A pool of HUB_DB_POOL connections per instance; migrations under an advisory lock
// (migrations.ts); each commit its own transaction, ordered for the feed as commit.ts explains; wake-ups
// (committed, mailbox, keys) as LISTEN/NOTIFY on one dedicated connection (notify.ts), so they reach every instance.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { HubError } from '../../errors.js';
import type { Dossier } from '../../canonical/types.js';
import { asServed } from '../../dossiers/steps.js';
import { newKeyId } from '../../trust/keys.js';
import type { OntimeQuery, OntimeResult } from '../../stats/types.js';
import type {
  AuditCheckpoint, AuditEntry, AuditQuery, AuditRow, AuditVerify, ChangeEventRow, CommitItem, CommitResult, FeedQuery, KeyRecord, MappingVersionInsert, OutboxRow, SideWrite, Store, SystemRecord,
} from '../types.js';
import { CHANNEL, LOCK, classify, named, numberTypes, one, rows, tx } from './db.js';
import { feedFilter } from '../filters.js';
import { shownChange } from '../commit-plan.js';
import { migrate } from './migrations.js';
import { Notifications } from './notify.js';
import { applyCommit } from './commit.js';
import { PgRelayStore } from './relay.js';
import { PgAdminStore } from './admin.js';
import { PgAuditLog, type AuditAppend } from './audit.js';
import { PgCertificateStore } from './certificates.js';
import { PgMappingStore } from './mappings.js';
import { ontimeReport } from './stats.js';
import { RelayLease } from './lease.js';
import { PgLimits } from './limits.js';

/** HUB_DB_POOL's default: connections per instance (api.md "Configuration"). */
export const DEFAULT_POOL = 10;

export interface PgStoreOptions {
  /** Connections in this instance's pool (HUB_DB_POOL). */
  pool?: number;
  /** Where the latest audit checkpoint is mirrored (HUB_DATA_DIR/audit-checkpoint.json). */
  mirrorFile?: string;
}

/** Connects, migrates (under the migrations lock) and starts listening; the store is ready when this resolves. */
export async function openPgStore(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
  const store = new PgStore(url, opts);
  try {
    const c = await store.pool.connect();
    try {
      await migrate(c);
    } finally {
      c.release();
    }
    await store.notes.started();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

const KEY_COLS = 'system_id AS "systemId", key_hmac AS "keyHmac", created_at AS "createdAt", valid_until AS "validUntil", key_id AS "keyId"';
const OUTBOX_COLS = `seq, event_id AS "eventId", dossier_code AS "dossierCode", revision, type, source_system AS source, correlation_id AS "correlationId",
  traceparent, event, created_at AS "createdAt"`;

export class PgStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly notes: Notifications;
  /** This instance's own listeners, told before a call returns (the answering instance sees its change at once). */
  private readonly local = new EventEmitter();
  private closed = false;
  readonly relay: PgRelayStore;
  readonly admin: PgAdminStore;
  readonly certificates: PgCertificateStore;
  readonly mappings: PgMappingStore;
  readonly limits: PgLimits;
  private readonly auditLog: PgAuditLog;
  private readonly checkpointTimer: NodeJS.Timeout;
  private readonly lease: RelayLease;

  constructor(url: string, opts: PgStoreOptions = {}) {
    const types = numberTypes();
    this.pool = new pg.Pool({ connectionString: url, max: opts.pool ?? DEFAULT_POOL, types });
    // An idle client's error (the server restarted) must not end the process: the pool drops it and opens another.
    this.pool.on('error', () => {});
    this.notes = new Notifications({ connectionString: url, types });
    this.lease = new RelayLease({ connectionString: url });
    this.auditLog = new PgAuditLog(this.pool, opts.mirrorFile);
    this.relay = new PgRelayStore(this.pool, this.notes);
    this.admin = new PgAdminStore(this.pool, this.auditLog, (c, s) => this.claimAgencies(c, s), () => this.local.emit('keys'));
    this.certificates = new PgCertificateStore(this.pool);
    this.mappings = new PgMappingStore(this.pool, this.auditLog, () => this.local.emit('keys'));
    this.limits = new PgLimits(this.pool, this.notes);
    this.checkpointTimer = setInterval(() => { if (!this.closed) this.auditLog.checkpoint().catch(() => {}); }, 10 * 60_000).unref();
  }

  async commit(item: CommitItem): Promise<CommitResult> {
    if (this.closed) throw new HubError('HUB_UNAVAILABLE', 'The store is closed');
    const r = await tx(this.pool, (c) => applyCommit(c, item));
    if (r.revisions.length) this.local.emit('committed');
    return r;
  }

  async getDossier(code: string): Promise<Dossier | undefined> {
    const r = await one<{ doc: string }>(this.pool, 'SELECT doc FROM dossiers WHERE code = $1', [code]);
    return r ? asServed(JSON.parse(r.doc) as Dossier) : undefined;
  }

  async findCodeByLocal(system: string, localCode: string): Promise<string | undefined> {
    return (await one<{ code: string }>(this.pool, 'SELECT dossier_code AS code FROM alt_codes WHERE system_id = $1 AND local_code = $2', [system, localCode]))?.code;
  }

  async listEvents(code: string): Promise<ChangeEventRow[]> {
    const found = await rows<ChangeEventRow & { signature: string | null }>(this.pool, `SELECT revision, type, source_system AS source, accepted_at AS at,
      receipt_id AS "receiptId", payload_sha256 AS "payloadSha256", canonical_sha256 AS "canonicalSha256", signature
      FROM changes WHERE dossier_code = $1 ORDER BY revision`, [code]);
    return found.map(shownChange);
  }

  async feed(q: FeedQuery): Promise<{ items: Dossier[]; last: number | undefined }> {
    const { where, params } = feedFilter(q);
    if (q.scope) {
      where.push('EXISTS (SELECT 1 FROM dossier_scope s WHERE s.code = d.code AND s.agency = ANY(@scope::text[]))');
      params.scope = [...q.scope];
    }
    const { text, values } = named(`SELECT d.seq, d.doc FROM dossiers d WHERE ${where.join(' AND ')} ORDER BY d.seq LIMIT @limit`, params);
    const found = await rows<{ seq: number; doc: string }>(this.pool, text, values);
    return { items: found.map((r) => asServed(JSON.parse(r.doc) as Dossier)), last: found.at(-1)?.seq };
  }

  async headSeq(): Promise<number> {
    return (await one<{ n: number }>(this.pool, 'SELECT COALESCE(MAX(seq), 0) AS n FROM changes'))!.n;
  }

  ontimeReport(q: OntimeQuery): Promise<OntimeResult> {
    return ontimeReport(this.pool, q);
  }

  // ---- systems and keys -----------------------------------------------------------------------------------

  /** A write of systems or keys: NOTIFY in its transaction, this instance's listeners told after commit. */
  private async keysTx(fn: (c: pg.PoolClient, append: AuditAppend) => Promise<void>): Promise<void> {
    await this.auditLog.audited(null, async (c, append) => {
      await fn(c, append);
      await c.query('SELECT pg_notify($1, $2)', [CHANNEL.keys, '']);
    });
    this.local.emit('keys');
  }

  /** `mapping`: a mapping system's first version, stored and activated with its audit entry in the same transaction. */
  insertSystem(s: SystemRecord, keyHmac: string | null, mapping?: { version: MappingVersionInsert; audit: AuditEntry }): Promise<void> {
    return this.keysTx(async (c, append) => {
      const r = await c.query('INSERT INTO systems (id, doc, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [s.id, JSON.stringify(s), s.status, s.createdAt, s.updatedAt]);
      if (!r.rowCount) throw new HubError('HUB_SYSTEM_EXISTS', `System ${s.id} is already registered`, [{ path: '/id', message: 'already registered' }]);
      await this.claimAgencies(c, s);
      if (keyHmac) {
        await c.query('INSERT INTO system_keys (key_hmac, system_id, created_at, valid_until, key_id) VALUES ($1, $2, $3, NULL, $4)', [keyHmac, s.id, s.createdAt, newKeyId()]);
      }
      if (mapping) await this.mappings.addIn(c, mapping.version, mapping.audit, append);
    });
  }

  /**
   * One active system per agency; a concurrent claim of the same agency waits on its row and then sees the owner.
   * One active system per registered certificate fingerprint too: claims are serialised by an advisory lock, so a
   * second transaction reads the first one's committed registration.
   */
  private async claimAgencies(c: pg.PoolClient, s: SystemRecord): Promise<void> {
    if (s.certificates?.length) {
      await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.certificates]);
      for (const [i, f] of s.certificates.entries()) {
        const owner = (await one<{ id: string }>(c, `SELECT id FROM systems WHERE status = 'active' AND id <> $1 AND (doc::jsonb -> 'certificates') ? $2 LIMIT 1`, [s.id, f]))?.id;
        if (owner) throw new HubError('HUB_SYSTEM_CERTIFICATE_TAKEN', `The certificate ${f.slice(0, 12)}… is registered to ${owner}`, [{ path: `/certificates/${i}`, message: `registered to ${owner}` }]);
      }
    }
    for (const [i, a] of s.agencies.entries()) {
      await c.query('INSERT INTO system_agencies (agency, system_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [a.code, s.id]);
      const owner = (await one<{ id: string }>(c, 'SELECT system_id AS id FROM system_agencies WHERE agency = $1', [a.code]))?.id;
      if (owner && owner !== s.id) {
        throw new HubError('HUB_SYSTEM_AGENCY_TAKEN', `Agency ${a.code} is already served by ${owner}`, [{ path: `/agencies/${i}`, message: `served by ${owner}` }]);
      }
    }
  }

  async listSystems(): Promise<SystemRecord[]> {
    return (await rows<{ doc: string }>(this.pool, 'SELECT doc FROM systems ORDER BY id COLLATE "C"')).map((r) => JSON.parse(r.doc) as SystemRecord);
  }

  findKey(keyHmac: string): Promise<KeyRecord | undefined> {
    return one<KeyRecord>(this.pool, `SELECT ${KEY_COLS} FROM system_keys WHERE key_hmac = $1`, [keyHmac]);
  }

  // ---- audit ----------------------------------------------------------------------------------------------------

  async audit(e: AuditEntry): Promise<void> {
    await this.auditLog.append(e);
  }

  listAudit(sinceMs: number, limit: number) {
    return this.auditLog.list(sinceMs, limit);
  }

  queryAudit(q: AuditQuery): Promise<AuditRow[]> {
    return this.auditLog.query(q);
  }

  verifyAudit(check?: (c: AuditCheckpoint & { signature: string }) => Promise<boolean>): Promise<AuditVerify> {
    return this.auditLog.verify(check);
  }

  signAuditCheckpoints(sign: (bytes: Uint8Array) => Promise<string | undefined>, onError: (err: unknown) => void): void {
    this.auditLog.setSigner(sign, onError);
  }

  auditCheckpoint(): Promise<AuditCheckpoint | undefined> {
    return this.auditLog.checkpoint();
  }

  auditCheckpoints(limit: number): Promise<AuditCheckpoint[]> {
    return this.auditLog.checkpoints(limit);
  }

  // ---- outbox ---------------------------------------------------------------------------------------------------

  pendingOutbox(limit: number, afterSeq = 0): Promise<OutboxRow[]> {
    return rows<OutboxRow>(this.pool, `SELECT ${OUTBOX_COLS} FROM outbox WHERE relayed_at IS NULL AND seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
  }

  async markRelayed(seqs: readonly number[]): Promise<void> {
    if (!seqs.length) return;
    await this.pool.query('UPDATE outbox SET relayed_at = $1 WHERE seq = ANY($2::bigint[]) AND relayed_at IS NULL', [Date.now(), [...seqs]]).catch((e: unknown) => { throw classify(e); });
  }

  /** No group commit to ride on here: a side write is its own transaction. */
  async sideWrite(w: SideWrite): Promise<void> {
    switch (w.kind) {
      case 'relayed':
        return this.markRelayed(w.seqs);
      case 'bookkeeping':
        return this.admin.recordBookkeeping(w.batch);
    }
  }

  async outboxBacklog(): Promise<{ count: number; oldestCreatedAt: number | null }> {
    const r = (await one<{ count: number; oldest: number | null }>(this.pool, 'SELECT count(*) AS count, MIN(created_at) AS oldest FROM outbox WHERE relayed_at IS NULL'))!;
    return { count: r.count, oldestCreatedAt: r.oldest };
  }

  relayLease(): Promise<boolean> {
    return this.lease.held();
  }

  // ---- life cycle -------------------------------------------------------------------------------------------------

  async provisionalDueDates(): Promise<number> {
    return (await one<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM dossiers WHERE due_provisional = 1 AND status IN (2, 4, 5, 6, 8)'))!.n;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** /readyz: the server's disk cannot be measured from here (api.md HUB_MIN_FREE_MB); a write that fails with 53100 is full. */
  async probeWrite(): Promise<'up' | 'full' | 'down'> {
    if (this.closed) return 'down';
    try {
      await this.pool.query("INSERT INTO hub_settings (key, value) VALUES ('probe', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [new Date().toISOString()]);
      return 'up';
    } catch (err) {
      return (err as { code?: string }).code === '53100' ? 'full' : 'down';
    }
  }

  private on(event: 'committed' | 'keys', listener: () => void): () => void {
    this.local.on(event, listener);
    this.notes.events.on(event, listener);
    return () => {
      this.local.off(event, listener);
      this.notes.events.off(event, listener);
    };
  }

  onCommitted(listener: () => void): () => void {
    return this.on('committed', listener);
  }

  onKeysChanged(listener: () => void): () => void {
    return this.on('keys', listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.checkpointTimer);
    this.limits.close();
    await this.auditLog.checkpoint().catch(() => undefined); // the shutdown checkpoint
    await this.auditLog.settle(); // its signature, before the pool ends
    await this.lease.close();
    await this.notes.close();
    await this.pool.end();
  }
}
