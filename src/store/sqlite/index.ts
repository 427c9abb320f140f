// The embedded store: SQLite through better-sqlite3, WAL with synchronous=FULL so a commit is on disk
// before any 2xx. Writes go through a group-commit queue: every change queued during one turn of the event
// loop is applied in one transaction (each in its own savepoint) and made durable by one fsync.
import { EventEmitter } from 'node:events';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HubError } from '../../errors.js';
import type { Dossier } from '../../canonical/types.js';
import { scopeAgencies } from '../../dossiers/rules.js';
import { asServed } from '../../dossiers/steps.js';
import { parseRfc3339 } from '../../util/time.js';
import {
  MAX_SEQUENCE, codePrefix, codesExhausted, duplicateReceipt, issuedCode, localCodeConflict, planCommit, shownChange, spellings, validateAfterIssue, validateBeforeIssue,
} from '../commit-plan.js';
import { feedFilter } from '../filters.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteRelayStore } from './relay.js';
import { SqliteCertificateStore } from './certificates.js';
import { OntimeStats, clockColumns } from './stats.js';
import { SqliteAuditLog, type CheckpointCheck, type CheckpointSigner } from './audit-chain.js';
import { SqliteAdminStore } from './admin.js';
import { SqliteMappingStore } from './mappings.js';
import { newKeyId } from '../../trust/keys.js';
import { SpaceGuard, type StoreState } from './space.js';
import type { OntimeQuery, OntimeResult } from '../../stats/types.js';
import type {
  AuditCheckpoint, AuditEntry, AuditQuery, AuditRow, AuditVerify, ChangeEventRow, CommitItem, CommitResult, FeedQuery, KeyRecord, MappingVersionInsert, OutboxRow, SideWrite, Store, SystemRecord,
} from '../types.js';

type Pending = { item: CommitItem; resolve: (r: CommitResult) => void; reject: (e: unknown) => void };
type PendingSide = { write: SideWrite; resolve: () => void; reject: (e: unknown) => void };
const ms = (iso: string | null | undefined) => (iso ? parseRfc3339(iso) : null);

export function openSqliteStore(dataDir: string, file = 'hub.sqlite', opts: { minFreeMb?: number } = {}): SqliteStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const full = path.join(dataDir, file);
  privateFiles(dataDir, full);
  return new SqliteStore(full, { ...opts, mirrorFile: path.join(dataDir, 'audit-checkpoint.json') });
}

/**
 * The store holds personal data: the folder 0700, the file 0600 (created so before SQLite opens it; SQLite gives
 * its -wal and -shm the main file's mode). Earlier versions created 0755/0644: tightened on every open.
 */
function privateFiles(dataDir: string, file: string): void {
  try {
    chmodSync(dataDir, 0o700);
  } catch (err) {
    // A mounted folder owned by someone else: its owner decides (the container's /data is 0700 already).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly events = new EventEmitter();
  private queue: Pending[] = [];
  private sides: PendingSide[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly q;
  /** One change inside the group's transaction: better-sqlite3 nests it as a savepoint, so a refusal undoes only it. */
  private readonly applyInSavepoint: (item: CommitItem) => CommitResult;
  readonly relay: SqliteRelayStore;
  readonly admin: SqliteAdminStore;
  private readonly auditLog: SqliteAuditLog;
  private readonly checkpointTimer: NodeJS.Timeout;
  /** Free space where the store writes (HUB_MIN_FREE_MB): dossier changes stop before the disk is full. */
  private readonly space: SpaceGuard;
  readonly certificates: SqliteCertificateStore;
  readonly mappings: SqliteMappingStore;

  /** `mirrorFile`: where the latest audit checkpoint is mirrored (api.md: HUB_DATA_DIR/audit-checkpoint.json). */
  constructor(file: string, opts: { minFreeMb?: number; mirrorFile?: string } = {}) {
    this.space = new SpaceGuard(path.dirname(file), opts.minFreeMb ?? 0);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Deleted rows (personal data, scrubbed secrets) are overwritten, not left in free pages.
    this.db.pragma('secure_delete = ON');
    this.migrate();
    this.applyInSavepoint = this.db.transaction((item: CommitItem) => this.applyOne(item));
    this.relay = new SqliteRelayStore(this.db);
    this.auditLog = new SqliteAuditLog(this.db, opts.mirrorFile);
    this.admin = new SqliteAdminStore(this.db, this.auditLog, (db, s) => this.claimAgencies(db, s), () => this.events.emit('keys'));
    // At least every 10 minutes when entries were added (every 100th entry checkpoints on its own).
    this.checkpointTimer = setInterval(() => { if (!this.closed) this.auditLog.checkpoint(); }, 10 * 60_000).unref();
    this.certificates = new SqliteCertificateStore(this.db);
    this.mappings = new SqliteMappingStore(this.db, this.auditLog);
    const p = (sql: string) => this.db.prepare(sql);
    this.q = {
      dossier: p('SELECT doc FROM dossiers WHERE code = ?').pluck(),
      altCode: p('SELECT dossier_code FROM alt_codes WHERE system_id = ? AND local_code = ?').pluck(),
      lastFromSource: p('SELECT canonical_sha256 AS sha, receipt FROM changes WHERE dossier_code = ? AND source_system = ? AND receipt IS NOT NULL ORDER BY seq DESC LIMIT 1'),
      exists: p('SELECT 1 FROM dossiers WHERE code = ?').pluck(),
      seqGet: p('SELECT last FROM code_sequences WHERE agency = ? AND day = ?').pluck(),
      seqSet: p('INSERT INTO code_sequences (agency, day, last) VALUES (?, ?, ?) ON CONFLICT (agency, day) DO UPDATE SET last = excluded.last'),
      insertChange: p(`INSERT INTO changes (dossier_code, revision, event_id, type, source_system, previous_status, status, payload_sha256,
        canonical_sha256, receipt_id, accepted_at, correlation_id, receipt, signature, decoded_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
      insertOutbox: p(`INSERT INTO outbox (seq, event_id, dossier_code, revision, type, source_system, correlation_id, traceparent, event, created_at)
        VALUES (?,?,?,?,?,?,?,?,?,?)`),
      upsertDossier: p(`INSERT INTO dossiers (code, agency, status, procedure, received_at, due_at, finished_at, updated_at, revision, seq, doc,
        judged_due_at, supplement_since, extensions, due_provisional)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        ON CONFLICT (code) DO UPDATE SET agency = excluded.agency, status = excluded.status, procedure = excluded.procedure,
        received_at = excluded.received_at, due_at = excluded.due_at, finished_at = excluded.finished_at, updated_at = excluded.updated_at,
        revision = excluded.revision, seq = excluded.seq, doc = excluded.doc, judged_due_at = excluded.judged_due_at,
        supplement_since = excluded.supplement_since, extensions = excluded.extensions, due_provisional = excluded.due_provisional`),
      insertScope: p('INSERT OR IGNORE INTO dossier_scope (agency, code) VALUES (?, ?)'),
      insertAlt: p('INSERT INTO alt_codes (system_id, local_code, dossier_code) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      events: p(`SELECT revision, type, source_system AS source, accepted_at AS at, receipt_id AS receiptId, payload_sha256 AS payloadSha256,
        canonical_sha256 AS canonicalSha256, signature FROM changes WHERE dossier_code = ? ORDER BY revision`),
      head: p('SELECT COALESCE(MAX(seq), 0) FROM changes').pluck(),
      pending: p(`SELECT seq, event_id AS eventId, dossier_code AS dossierCode, revision, type, source_system AS source, correlation_id AS correlationId,
        traceparent, event, created_at AS createdAt FROM outbox WHERE relayed_at IS NULL AND seq > ? ORDER BY seq LIMIT ?`),
      // One statement per batch of confirmed positions (a JSON array), not one per row.
      markRelayed: p('UPDATE outbox SET relayed_at = ? WHERE seq IN (SELECT value FROM json_each(?))'),
      backlog: p('SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM outbox WHERE relayed_at IS NULL'),
      findKey: p('SELECT system_id AS systemId, key_hmac AS keyHmac, created_at AS createdAt, valid_until AS validUntil, key_id AS keyId FROM system_keys WHERE key_hmac = ?'),
    };
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set(this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    const due = MIGRATIONS.filter((m) => !applied.has(m.version));
    for (const m of due) {
      this.db.transaction(() => {
        this.db.exec(m.sql);
        m.up?.(this.db);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      })();
    }
    // A migration may have scrubbed data (migration 5): copy its pages into the file and empty the WAL, so the
    // old bytes are in neither (secure_delete zeroed what was freed).
    if (due.length) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Runs a synchronous function in a transaction of its own, outside the group commit (registry writes, bulk loads of tests and benchmarks). */
  exclusive<T>(fn: (db: Database.Database) => T): T {
    return this.db.transaction(() => fn(this.db))();
  }

  // ---- group commit -------------------------------------------------------------------------------------

  commit(item: CommitItem): Promise<CommitResult> {
    if (this.closed) return Promise.reject(new HubError('HUB_UNAVAILABLE', 'The store is closed'));
    const full = this.space.refusal();
    if (full) return Promise.reject(full);
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.scheduleFlush();
    });
  }

  sideWrite(write: SideWrite): Promise<void> {
    if (this.closed) return Promise.reject(new HubError('HUB_UNAVAILABLE', 'The store is closed'));
    return new Promise((resolve, reject) => {
      this.sides.push({ write, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    const sides = this.sides;
    this.queue = [];
    this.sides = [];
    if (!batch.length && !sides.length) return;
    const outcomes: ({ ok: true; value: CommitResult } | { ok: false; error: unknown })[] = [];
    try {
      this.db.transaction(() => {
        for (const { item } of batch) {
          try {
            outcomes.push({ ok: true, value: this.applyInSavepoint(item) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        // Bookkeeping rides on the same transaction and fsync (issue 13); a failure here fails the whole group.
        for (const { write } of sides) this.applySide(write);
      })();
    } catch (error) {
      // The whole group failed (a full disk at COMMIT): rolled back, each waiting request answered, none stored.
      const e = this.space.classify(error);
      for (const p of batch) p.reject(e);
      for (const p of sides) p.reject(e);
      return;
    }
    for (const p of sides) p.resolve();
    let stored = false;
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) {
        stored ||= o.value.revisions.length > 0;
        p.resolve(o.value);
      } else p.reject(this.space.classify(o.error));
    });
    if (stored) this.events.emit('committed');
  }

  private applySide(w: SideWrite): void {
    switch (w.kind) {
      case 'relayed':
        if (w.seqs.length) this.q.markRelayed.run(w.at, JSON.stringify(w.seqs));
        break;
      case 'bookkeeping':
        this.admin.applyBookkeeping(w.batch);
        break;
    }
  }

  private applyOne(item: CommitItem): CommitResult {
    const mapped = item.ref.localCode ? (this.q.altCode.get(item.source, item.ref.localCode) as string | undefined) : undefined;
    if (mapped && item.ref.code && mapped !== item.ref.code) throw localCodeConflict(item.ref.localCode!, item.source, mapped, '/code');
    const code = item.ref.code ?? mapped;
    const doc = code ? (this.q.dossier.get(code) as string | undefined) : undefined;
    const current: Dossier | null = doc ? asServed(JSON.parse(doc) as Dossier) : null;
    if (current) {
      const last = this.q.lastFromSource.get(current.code, item.source) as { sha: string; receipt: string } | undefined;
      if (last && last.sha === item.canonicalSha256) return { receipt: duplicateReceipt(last.receipt), dossier: current, revisions: [] };
    }
    const revisions = item.decide(current);
    const first = revisions[0]!.dossier;
    const issued = validateBeforeIssue(item, revisions) ? this.issueCode(first.agency.code, first.receivedAt) : undefined;
    validateAfterIssue(item, revisions, issued);
    const plan = planCommit(item, revisions);
    for (const row of plan.rows) {
      const { revision: r, doc } = row;
      const d = r.dossier;
      const info = this.q.insertChange.run(d.code, d.revision, row.eventId, r.type, item.source, r.previousStatus, d.status, item.payloadSha256,
        item.canonicalSha256, plan.receiptId, plan.acceptedAt, item.correlationId, row.receipt, item.signature ? JSON.stringify(item.signature) : null, item.decodedBy ? JSON.stringify(item.decodedBy) : null);
      const seq = Number(info.lastInsertRowid);
      this.q.insertOutbox.run(seq, row.eventId, d.code, d.revision, r.type, item.source, item.correlationId, item.traceparent ?? null, row.event, item.now);
      const k = clockColumns(d);
      this.q.upsertDossier.run(d.code, d.agency.code, d.status, d.procedure.code, ms(d.receivedAt), ms(d.dueAt), ms(d.finishedAt ?? d.returnedAt), ms(d.updatedAt),
        d.revision, seq, doc, k.judged_due_at, k.supplement_since, k.extensions, k.due_provisional);
      for (const agency of scopeAgencies(d)) this.q.insertScope.run(agency, d.code);
      for (const alt of d.altCodes ?? []) {
        this.q.insertAlt.run(alt.system, alt.code, d.code);
        const owner = this.q.altCode.get(alt.system, alt.code) as string;
        if (owner !== d.code) throw localCodeConflict(alt.code, alt.system, owner, '/altCodes');
      }
    }
    return { receipt: plan.receipt, dossier: revisions[revisions.length - 1]!.dossier, revisions };
  }

  /**
   * The next number for the agency and the local date of receipt (canonical.md, "Codes"): the last one the hub issued
   * plus one, skipping numbers a dossier already holds in any spelling of 4 to 7 digits; written with at least 4 digits.
   */
  private issueCode(agency: string, receivedAt: string): string {
    const { prefix, day } = codePrefix(agency, receivedAt);
    const held = (n: number) => spellings(prefix, n).some((c) => this.q.exists.get(c));
    let n = ((this.q.seqGet.get(agency, day) as number | undefined) ?? 0) + 1;
    while (n <= MAX_SEQUENCE && held(n)) n++;
    if (n > MAX_SEQUENCE) throw codesExhausted(agency, day);
    this.q.seqSet.run(agency, day, n);
    return issuedCode(prefix, n);
  }

  // ---- reads ----------------------------------------------------------------------------------------------

  async getDossier(code: string): Promise<Dossier | undefined> {
    const doc = this.q.dossier.get(code) as string | undefined;
    return doc ? asServed(JSON.parse(doc) as Dossier) : undefined;
  }

  async findCodeByLocal(system: string, localCode: string): Promise<string | undefined> {
    return this.q.altCode.get(system, localCode) as string | undefined;
  }

  async listEvents(code: string): Promise<ChangeEventRow[]> {
    return (this.q.events.all(code) as (ChangeEventRow & { signature: string | null })[]).map(shownChange);
  }

  async feed(q: FeedQuery): Promise<{ items: Dossier[]; last: number | undefined }> {
    const { where, params } = feedFilter(q);
    if (q.scope) {
      where.push(`EXISTS (SELECT 1 FROM dossier_scope s WHERE s.code = d.code AND s.agency IN (SELECT value FROM json_each(@scope)))`);
      params.scope = JSON.stringify(q.scope);
    }
    const rows = this.db.prepare(`SELECT d.seq, d.doc FROM dossiers d WHERE ${where.join(' AND ')} ORDER BY d.seq LIMIT @limit`).all(params) as { seq: number; doc: string }[];
    return { items: rows.map((r) => asServed(JSON.parse(r.doc) as Dossier)), last: rows.at(-1)?.seq };
  }

  async headSeq(): Promise<number> {
    return this.q.head.get() as number;
  }

  private ontime: OntimeStats | undefined;
  async ontimeReport(q: OntimeQuery): Promise<OntimeResult> {
    this.ontime ??= new OntimeStats(this.db);
    return this.ontime.report(q);
  }

  // ---- systems and keys -------------------------------------------------------------------------------------

  async insertSystem(s: SystemRecord, keyHmac: string | null, mapping?: { version: MappingVersionInsert; audit: AuditEntry }): Promise<void> {
    this.exclusive((db) => {
      if (db.prepare('SELECT 1 FROM systems WHERE id = ?').get(s.id)) throw new HubError('HUB_SYSTEM_EXISTS', `System ${s.id} is already registered`, [{ path: '/id', message: 'already registered' }]);
      db.prepare('INSERT INTO systems (id, doc, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(s.id, JSON.stringify(s), s.status, s.createdAt, s.updatedAt);
      this.claimAgencies(db, s);
      if (keyHmac) db.prepare('INSERT INTO system_keys (key_hmac, system_id, created_at, valid_until, key_id) VALUES (?, ?, ?, NULL, ?)').run(keyHmac, s.id, s.createdAt, newKeyId());
      if (mapping) this.mappings.addIn(mapping.version, mapping.audit);
    });
    this.events.emit('keys');
  }

  /** One active system per agency, and per registered certificate fingerprint (checked in the writing transaction). */
  private claimAgencies(db: Database.Database, s: SystemRecord): void {
    (s.certificates ?? []).forEach((f, i) => {
      const owner = db.prepare(`SELECT id FROM systems WHERE status = 'active' AND id <> ? AND EXISTS (SELECT 1 FROM json_each(doc, '$.certificates') WHERE value = ?) LIMIT 1`).pluck().get(s.id, f) as string | undefined;
      if (owner) throw new HubError('HUB_SYSTEM_CERTIFICATE_TAKEN', `The certificate ${f.slice(0, 12)}… is registered to ${owner}`, [{ path: `/certificates/${i}`, message: `registered to ${owner}` }]);
    });
    s.agencies.forEach((a, i) => {
      const owner = db.prepare('SELECT system_id FROM system_agencies WHERE agency = ?').pluck().get(a.code) as string | undefined;
      if (owner && owner !== s.id) {
        throw new HubError('HUB_SYSTEM_AGENCY_TAKEN', `Agency ${a.code} is already served by ${owner}`, [{ path: `/agencies/${i}`, message: `served by ${owner}` }]);
      }
      db.prepare('INSERT OR IGNORE INTO system_agencies (agency, system_id) VALUES (?, ?)').run(a.code, s.id);
    });
  }

  async listSystems(): Promise<SystemRecord[]> {
    return (this.db.prepare('SELECT doc FROM systems ORDER BY id').pluck().all() as string[]).map((d) => JSON.parse(d));
  }

  async findKey(keyHmac: string): Promise<KeyRecord | undefined> {
    return this.q.findKey.get(keyHmac) as KeyRecord | undefined;
  }

  // ---- audit ---------------------------------------------------------------------------------------------------

  async audit(e: AuditEntry): Promise<void> {
    this.auditLog.append(e);
  }

  async queryAudit(q: AuditQuery): Promise<AuditRow[]> {
    return this.auditLog.query(q);
  }

  async verifyAudit(check?: CheckpointCheck): Promise<AuditVerify> {
    return this.auditLog.verify(check);
  }

  signAuditCheckpoints(sign: CheckpointSigner, onError: (err: unknown) => void): void {
    this.auditLog.setSigner(sign, onError);
  }

  async auditCheckpoint(): Promise<AuditCheckpoint | undefined> {
    return this.auditLog.checkpoint();
  }

  async auditCheckpoints(limit: number): Promise<AuditCheckpoint[]> {
    return this.auditLog.checkpoints(limit);
  }

  async listAudit(sinceMs: number, limit: number) {
    const rows = this.db.prepare('SELECT id, at, actor, action, target, source_ip AS "from", detail, correlation_id AS correlationId FROM audit WHERE at_ms >= ? ORDER BY id LIMIT ?').all(sinceMs, limit) as
      { id: number; at: string; actor: string; action: string; target: string | null; from: string | null; detail: string | null; correlationId: string | null }[];
    return rows.map(({ from, ...r }) => ({ ...r, ...(from ? { from } : {}), detail: r.detail ? JSON.parse(r.detail) : undefined, correlationId: r.correlationId ?? undefined }));
  }

  // ---- outbox --------------------------------------------------------------------------------------------------

  async pendingOutbox(limit: number, afterSeq = 0): Promise<OutboxRow[]> {
    return this.q.pending.all(afterSeq, limit) as OutboxRow[];
  }

  markRelayed(seqs: readonly number[]): Promise<void> {
    return this.sideWrite({ kind: 'relayed', seqs, at: Date.now() });
  }

  async outboxBacklog(): Promise<{ count: number; oldestCreatedAt: number | null }> {
    const r = this.q.backlog.get() as { count: number; oldest: number | null };
    return { count: r.count, oldestCreatedAt: r.oldest };
  }

  // ---- life cycle ------------------------------------------------------------------------------------------------

  async provisionalDueDates(): Promise<number> {
    return this.db.prepare('SELECT COUNT(*) FROM dossiers WHERE due_provisional = 1 AND status IN (2, 4, 5, 6, 8)').pluck().get() as number;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  /** /readyz: a real, durable write (space.ts), and free space against HUB_MIN_FREE_MB. */
  async probeWrite(): Promise<StoreState> {
    return this.closed ? 'down' : this.space.probe(this.db);
  }

  onKeysChanged(listener: () => void): () => void {
    this.events.on('keys', listener);
    return () => this.events.off('keys', listener);
  }

  onCommitted(listener: () => void): () => void {
    this.events.on('committed', listener);
    return () => this.events.off('committed', listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let queued writes finish: they were promised an answer.
    if (this.queue.length || this.sides.length) this.flush();
    clearInterval(this.checkpointTimer);
    this.auditLog.checkpoint(); // the shutdown checkpoint
    await this.auditLog.settle(); // its signature (and any still being made) before the database closes
    this.db.close();
  }
}

