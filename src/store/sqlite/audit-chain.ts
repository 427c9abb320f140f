// The hash-chained audit log of the embedded store (api.md "Audit log"): one writer appends inside an IMMEDIATE
// transaction (so the chain stays linear with several processes on one file), checkpoints go to
// audit_checkpoints and are mirrored to a file beside the store, and verify walks the chain in chunks.
import type Database from 'better-sqlite3';
import { canonicalJson } from '../../util/canonical-json.js';
import { formatVn } from '../../util/time.js';
import {
  CHECKPOINT_EVERY, CHUNK, ZERO_HASH, auditView, entryHash, readMirror, verifyChain, writeMirror, type AuditDbRow, type CheckpointCheck, type CheckpointSigner,
} from '../audit-chain-rules.js';
import { checkpointBytes } from '../audit-checkpoint.js';
import { auditFilter } from '../filters.js';
import type { AuditCheckpoint, AuditEntry, AuditQuery, AuditRow, AuditVerify } from '../types.js';

export { CHECKPOINT_EVERY, ZERO_HASH, entryHash };
export type { CheckpointCheck, CheckpointSigner };

type Row = AuditDbRow;

/** Migration 6: chains the rows written before the chain existed, in id order (after migration 5's scrub). */
export function chainExisting(db: Database.Database): void {
  const chunk = db.prepare('SELECT id, at, actor, action, target, source_ip, detail, correlation_id FROM audit WHERE id > ? ORDER BY id LIMIT ?');
  const set = db.prepare('UPDATE audit SET prev_hash = ?, hash = ?, detail = ? WHERE id = ?');
  let prev = ZERO_HASH;
  let after = 0;
  for (;;) {
    // A chunk at a time: an old log need not fit in memory, and a statement cannot update while it iterates.
    const rows = chunk.all(after, CHUNK) as Row[];
    if (!rows.length) break;
    for (const r of rows) {
      let detail = r.detail;
      try {
        if (detail !== null) detail = canonicalJson(JSON.parse(detail));
      } catch {
        detail = null; // unreadable detail of an old row: nothing of it can be committed to
      }
      const hash = entryHash(prev, { ...r, detail });
      set.run(prev, hash, detail, r.id);
      prev = hash;
    }
    after = rows.at(-1)!.id;
  }
}

const view = auditView;

/** Wraps a change so it commits with its audit entry in one immediate transaction (nothing stored unaudited). */
export function auditedIn(db: Database.Database, log: { append(e: AuditEntry): unknown }) {
  return <A extends unknown[], R>(fn: (...a: A) => R) => {
    const t = db.transaction((audit: AuditEntry, ...a: A) => {
      const r = fn(...a);
      log.append(audit);
      return r;
    });
    return (audit: AuditEntry, ...a: A): R => t.immediate(audit, ...a);
  };
}

export class SqliteAuditLog {
  private readonly q;
  private readonly appendTx: (e: AuditEntry, now: number) => { row: Row; checkpoint: AuditCheckpoint | undefined };
  private readonly checkpointTx: (now: number) => AuditCheckpoint | undefined;

  private signer: { sign: CheckpointSigner; onError: (err: unknown) => void } | undefined;
  private readonly signing = new Set<Promise<void>>();

  constructor(private readonly db: Database.Database, private readonly mirrorFile: string | undefined) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      head: p('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1'),
      insert: p(`INSERT INTO audit (at, at_ms, actor, action, target, source_ip, detail, correlation_id, prev_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      chunk: p('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?'),
      byHash: p('SELECT id FROM audit WHERE hash = ? AND id <> ? LIMIT 1').pluck(),
      count: p('SELECT COUNT(*) FROM audit').pluck(),
      lastCheckpoint: p('SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1'),
      insertCheckpoint: p('INSERT OR IGNORE INTO audit_checkpoints (seq, hash, at, signature) VALUES (?, ?, ?, NULL)'),
      checkpoints: p('SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT ?'),
      hasCheckpoint: p('SELECT 1 FROM audit_checkpoints WHERE seq = ? AND hash = ?').pluck(),
      signCheckpoint: p('UPDATE audit_checkpoints SET signature = ? WHERE seq = ? AND hash = ? AND at = ? AND signature IS NULL'),
    };
    const append = db.transaction((e: AuditEntry, now: number) => {
      const head = this.q.head.get() as { id: number; hash: string } | undefined;
      const prev = head?.hash ?? ZERO_HASH;
      const row = {
        at: formatVn(now), actor: e.actor, action: e.action, target: e.target ?? null, source_ip: e.from ?? null,
        detail: e.detail === undefined || e.detail === null ? null : canonicalJson(e.detail), correlation_id: e.correlationId ?? null,
      };
      const hash = entryHash(prev, row);
      const info = this.q.insert.run(row.at, now, row.actor, row.action, row.target, row.source_ip, row.detail, row.correlation_id, prev, hash);
      const id = Number(info.lastInsertRowid);
      const full: Row = { ...row, id, prev_hash: prev, hash };
      return { row: full, checkpoint: id % CHECKPOINT_EVERY === 0 ? this.insertCheckpoint(id, hash, now) : undefined };
    });
    // IMMEDIATE: the head is read under the write lock, so two processes never chain onto the same entry.
    this.appendTx = (e, now) => (db.inTransaction ? append(e, now) : append.immediate(e, now));
    const cp = db.transaction((now: number) => {
      const head = this.q.head.get() as { id: number; hash: string } | undefined;
      const last = this.q.lastCheckpoint.get() as { seq: number } | undefined;
      if (!head || (last && last.seq >= head.id)) return undefined;
      return this.insertCheckpoint(head.id, head.hash, now);
    });
    this.checkpointTx = (now) => cp.immediate(now);
  }

  private insertCheckpoint(seq: number, hash: string, now: number): AuditCheckpoint {
    const at = formatVn(now);
    this.q.insertCheckpoint.run(seq, hash, at);
    return { seq, hash, at, signature: null };
  }

  append(e: AuditEntry, now = Date.now()): AuditRow {
    const { row, checkpoint } = this.appendTx(e, now);
    if (checkpoint && !this.db.inTransaction) this.committed(checkpoint);
    else if (checkpoint) queueMicrotask(() => this.committed(checkpoint));
    return view(row);
  }

  /** A checkpoint of the head when entries were added since the last one (the 10-minute tick, shutdown). */
  checkpoint(now = Date.now()): AuditCheckpoint | undefined {
    const cp = this.checkpointTx(now);
    if (cp) this.committed(cp);
    return cp;
  }

  /**
   * From now on every checkpoint is signed (the trust work: api.md "Audit log"). Signing is asynchronous
   * (WebCrypto), so a checkpoint is written unsigned inside its transaction and its signature added after it
   * (`signature IS NULL` only: a signature is never replaced); the mirror file is rewritten with it.
   */
  setSigner(sign: CheckpointSigner, onError: (err: unknown) => void): void {
    this.signer = { sign, onError };
  }

  /** Resolves once every signature started has been written (before the database closes). */
  async settle(): Promise<void> {
    while (this.signing.size) await Promise.all([...this.signing]);
  }

  private committed(cp: AuditCheckpoint): void {
    this.mirror(cp);
    const signer = this.signer;
    if (!signer) return;
    const job = (async () => {
      const signature = await signer.sign(checkpointBytes(cp));
      if (!signature || !this.db.open) return;
      if (this.q.signCheckpoint.run(signature, cp.seq, cp.hash, cp.at).changes) this.mirror({ ...cp, signature });
    })().catch(signer.onError).finally(() => this.signing.delete(job));
    this.signing.add(job);
  }

  checkpoints(limit = 1000): AuditCheckpoint[] {
    return this.q.checkpoints.all(limit) as AuditCheckpoint[];
  }

  /** Written after the transaction: only a checkpoint that was committed (a rolled-back one would accuse the log). */
  private mirror(cp: AuditCheckpoint): void {
    if (!this.mirrorFile) return;
    if (!this.q.hasCheckpoint.get(cp.seq, cp.hash)) return;
    writeMirror(this.mirrorFile, cp);
  }

  readMirror(): AuditCheckpoint | undefined {
    return readMirror(this.mirrorFile);
  }

  query(q: AuditQuery): AuditRow[] {
    const { where, params } = auditFilter(q);
    const rows = this.db.prepare(`SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`).all(params) as Row[];
    return rows.map(view);
  }

  /**
   * Walks the chain in seq order, a chunk at a time; names the first entry at fault (api.md's table). With
   * `check`, a signed checkpoint (in the table or the mirror) whose signature fails is a forged one: `altered`.
   */
  verify(check?: CheckpointCheck): Promise<AuditVerify> {
    return verifyChain({
      count: () => this.q.count.get() as number,
      chunk: (after, limit) => this.q.chunk.all(after, limit) as Row[],
      otherWithHash: (hash, notId) => this.q.byHash.get(hash, notId) as number | undefined,
      lastCheckpoint: () => this.q.lastCheckpoint.get() as AuditCheckpoint | undefined,
      mirrorFile: this.mirrorFile,
    }, check);
  }
}
