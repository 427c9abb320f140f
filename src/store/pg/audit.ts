// The hash-chained audit log on PostgreSQL (api.md "Audit log"): every append takes the audit lock (a
// transaction-level advisory lock), reads the head and writes head + 1, so the chain stays linear with any number
// of instances and a rolled-back append leaves no hole. Rules, view and verifier are shared with SQLite
// (../audit-chain-rules.ts).
import type pg from 'pg';
import { canonicalJson } from '../../util/canonical-json.js';
import { formatVn } from '../../util/time.js';
import { CHECKPOINT_EVERY, auditView, entryHash, verifyChain, writeMirror, ZERO_HASH, type AuditDbRow, type CheckpointCheck, type CheckpointSigner } from '../audit-chain-rules.js';
import { checkpointBytes } from '../audit-checkpoint.js';
import type { AuditCheckpoint, AuditEntry, AuditQuery, AuditRow, AuditVerify } from '../types.js';
import { auditFilter } from '../filters.js';
import { LOCK, named, one, rows, tx, type Db } from './db.js';

const ROW = 'id, at, actor, action, target, source_ip, detail, correlation_id, prev_hash, hash';

/** Appends one more entry inside the running transaction. */
export type AuditAppend = (e: AuditEntry) => Promise<void>;

export class PgAuditLog {
  private signer: { sign: CheckpointSigner; onError: (err: unknown) => void } | undefined;
  private readonly signing = new Set<Promise<void>>();

  constructor(private readonly pool: pg.Pool, private readonly mirrorFile: string | undefined) {}

  /** Every checkpoint committed from now on is signed (as SQLite's: after its transaction, then mirrored again). */
  setSigner(sign: CheckpointSigner, onError: (err: unknown) => void): void {
    this.signer = { sign, onError };
  }

  /** Resolves once every signature started has been written (before the pool ends). */
  async settle(): Promise<void> {
    while (this.signing.size) await Promise.all([...this.signing]);
  }

  /**
   * fn and its audit entries in one transaction: those fn appends, then `audit` (as SQLite's audited writes);
   * a checkpoint they made is mirrored once committed.
   */
  async audited<T>(audit: AuditEntry | null, fn: (c: pg.PoolClient, append: AuditAppend) => Promise<T>): Promise<T> {
    let checkpoint: AuditCheckpoint | undefined;
    const r = await tx(this.pool, async (c) => {
      const append: AuditAppend = async (e) => { checkpoint = (await this.appendIn(c, e)).checkpoint ?? checkpoint; };
      const out = await fn(c, append);
      if (audit) await append(audit);
      return out;
    });
    this.committed(checkpoint);
    return r;
  }

  /** Appends inside the caller's transaction; the checkpoint it made (every 100th entry) is mirrored by `committed`. */
  async appendIn(c: pg.PoolClient, e: AuditEntry, now = Date.now()): Promise<{ row: AuditRow; checkpoint: AuditCheckpoint | undefined }> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.audit]);
    const head = await one<{ id: number; hash: string }>(c, 'SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1');
    const prev = head?.hash ?? ZERO_HASH;
    const row = {
      at: formatVn(now), actor: e.actor, action: e.action, target: e.target ?? null, source_ip: e.from ?? null,
      detail: e.detail === undefined || e.detail === null ? null : canonicalJson(e.detail), correlation_id: e.correlationId ?? null,
    };
    const hash = entryHash(prev, row);
    const id = (head?.id ?? 0) + 1;
    await c.query(`INSERT INTO audit (${ROW}, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [id, row.at, row.actor, row.action, row.target, row.source_ip, row.detail, row.correlation_id, prev, hash, now]);
    const checkpoint = id % CHECKPOINT_EVERY === 0 ? await this.insertCheckpoint(c, id, hash, now) : undefined;
    return { row: auditView({ ...row, id, prev_hash: prev, hash }), checkpoint };
  }

  /** After the transaction committed: the mirror file only ever names a committed checkpoint. */
  committed(cp: AuditCheckpoint | undefined): void {
    if (!cp) return;
    if (this.mirrorFile) writeMirror(this.mirrorFile, cp);
    const signer = this.signer;
    if (!signer) return;
    // Signed outside the transaction (a CMS signature takes a while); only the unsigned row it names is updated.
    const job = (async () => {
      const signature = await signer.sign(checkpointBytes(cp));
      if (!signature) return;
      const r = await this.pool.query('UPDATE audit_checkpoints SET signature = $1 WHERE seq = $2 AND hash = $3 AND at = $4 AND signature IS NULL',
        [signature, cp.seq, cp.hash, cp.at]);
      if (r.rowCount && this.mirrorFile) writeMirror(this.mirrorFile, { ...cp, signature });
    })().catch(signer.onError).finally(() => this.signing.delete(job));
    this.signing.add(job);
  }

  async append(e: AuditEntry, now = Date.now()): Promise<AuditRow> {
    const { row, checkpoint } = await tx(this.pool, (c) => this.appendIn(c, e, now));
    this.committed(checkpoint);
    return row;
  }

  private async insertCheckpoint(c: Db, seq: number, hash: string, now: number): Promise<AuditCheckpoint> {
    const at = formatVn(now);
    await c.query('INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES ($1, $2, $3, NULL) ON CONFLICT DO NOTHING', [seq, hash, at]);
    return { seq, hash, at, signature: null };
  }

  /** A checkpoint of the head when entries were added since the last one (the 10-minute tick, shutdown). */
  async checkpoint(now = Date.now()): Promise<AuditCheckpoint | undefined> {
    const cp = await tx(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.audit]);
      const head = await one<{ id: number; hash: string }>(c, 'SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1');
      const last = await one<{ seq: number }>(c, 'SELECT seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1');
      if (!head || (last && last.seq >= head.id)) return undefined;
      return this.insertCheckpoint(c, head.id, head.hash, now);
    });
    this.committed(cp);
    return cp;
  }

  checkpoints(limit = 1000): Promise<AuditCheckpoint[]> {
    return rows<AuditCheckpoint>(this.pool, 'SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT $1', [limit]);
  }

  async query(q: AuditQuery): Promise<AuditRow[]> {
    const { where, params } = auditFilter(q);
    const { text, values } = named(`SELECT ${ROW} FROM audit WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`, params);
    return (await rows<AuditDbRow>(this.pool, text, values)).map(auditView);
  }

  async list(sinceMs: number, limit: number) {
    const found = await rows<AuditDbRow>(this.pool, `SELECT ${ROW} FROM audit WHERE at_ms >= $1 ORDER BY id LIMIT $2`, [sinceMs, limit]);
    return found.map((r) => ({
      id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, ...(r.source_ip ? { from: r.source_ip } : {}),
      detail: r.detail ? JSON.parse(r.detail) as unknown : undefined, correlationId: r.correlation_id ?? undefined,
    }));
  }

  verify(check?: CheckpointCheck): Promise<AuditVerify> {
    return verifyChain({
      count: async () => (await one<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM audit'))!.n,
      chunk: (after, limit) => rows<AuditDbRow>(this.pool, `SELECT ${ROW} FROM audit WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit]),
      otherWithHash: async (hash, notId) => (await one<{ id: number }>(this.pool, 'SELECT id FROM audit WHERE hash = $1 AND id <> $2 LIMIT 1', [hash, notId]))?.id,
      lastCheckpoint: () => one<AuditCheckpoint>(this.pool, 'SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1'),
      mirrorFile: this.mirrorFile,
    }, check);
  }
}
