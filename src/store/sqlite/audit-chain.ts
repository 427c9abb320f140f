// The hash-chained audit log of the embedded store (api.md "Audit log"): one writer appends inside an IMMEDIATE
// transaction (so the chain stays linear with several processes on one file), checkpoints go to
// audit_checkpoints and are mirrored to a file beside the store, and verify walks the chain in chunks.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { canonicalJson, sha256Hex } from '../../util/canonical-json.js';
import { formatVn } from '../../util/time.js';
import type { AuditCheckpoint, AuditEntry, AuditQuery, AuditRow, AuditVerify } from '../types.js';

export const ZERO_HASH = '0'.repeat(64);
/** A checkpoint every this many entries (api.md). */
export const CHECKPOINT_EVERY = 100;
const CHUNK = 1000;

interface Row {
  id: number; at: string; actor: string; action: string; target: string | null; source_ip: string | null;
  detail: string | null; correlation_id: string | null; prev_hash: string; hash: string;
}

/** SHA-256 hex of prevHash + "\n" + the canonical JSON of the seven hashed members (all present, null when empty). */
export function entryHash(prevHash: string, r: Pick<Row, 'at' | 'actor' | 'action' | 'target' | 'source_ip' | 'detail' | 'correlation_id'>): string {
  const content = {
    at: r.at, actor: r.actor, action: r.action, target: r.target ?? null, from: r.source_ip ?? null,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown), correlationId: r.correlation_id ?? null,
  };
  return sha256Hex(`${prevHash}\n${canonicalJson(content)}`);
}

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

const view = (r: Row): AuditRow => ({
  seq: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, from: r.source_ip,
  detail: r.detail === null ? null : JSON.parse(r.detail), correlationId: r.correlation_id, prevHash: r.prev_hash, hash: r.hash,
});

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
    if (checkpoint && !this.db.inTransaction) this.mirror(checkpoint);
    else if (checkpoint) queueMicrotask(() => this.mirror(checkpoint));
    return view(row);
  }

  /** A checkpoint of the head when entries were added since the last one (the 10-minute tick, shutdown). */
  checkpoint(now = Date.now()): AuditCheckpoint | undefined {
    const cp = this.checkpointTx(now);
    if (cp) this.mirror(cp);
    return cp;
  }

  checkpoints(limit = 1000): AuditCheckpoint[] {
    return this.q.checkpoints.all(limit) as AuditCheckpoint[];
  }

  /** The latest checkpoint, mirrored (0600, written whole then renamed) so deleting rows and checkpoints together is seen. */
  private mirror(cp: AuditCheckpoint): void {
    if (!this.mirrorFile) return;
    // Written after the transaction: only a checkpoint that was committed (a rolled-back one would accuse the log).
    if (!this.q.hasCheckpoint.get(cp.seq, cp.hash)) return;
    const known = this.readMirror();
    if (known && known.seq > cp.seq) return;
    const tmp = `${this.mirrorFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(cp)}\n`, { mode: 0o600 });
    renameSync(tmp, this.mirrorFile);
  }

  readMirror(): AuditCheckpoint | undefined {
    if (!this.mirrorFile || !existsSync(this.mirrorFile)) return undefined;
    try {
      const v = JSON.parse(readFileSync(this.mirrorFile, 'utf8')) as AuditCheckpoint;
      return Number.isInteger(v.seq) && typeof v.hash === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  query(q: AuditQuery): AuditRow[] {
    const where = ['id > @after'];
    const params: Record<string, unknown> = { after: q.after ?? 0, limit: q.limit };
    if (q.sinceMs !== undefined) { where.push('at_ms >= @since'); params.since = q.sinceMs; }
    if (q.untilMs !== undefined) { where.push('at_ms <= @until'); params.until = q.untilMs; }
    // `actor=admin` matches the bootstrap token and every rotated one (admin:<tokenId>).
    if (q.actor) { where.push("(actor = @actor OR substr(actor, 1, length(@actor) + 1) = @actor || ':')"); params.actor = q.actor; }
    if (q.action?.endsWith('*')) { where.push('substr(action, 1, length(@action)) = @action'); params.action = q.action.slice(0, -1); }
    else if (q.action) { where.push('action = @action'); params.action = q.action; }
    if (q.target) { where.push('target = @target'); params.target = q.target; }
    const rows = this.db.prepare(`SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`).all(params) as Row[];
    return rows.map(view);
  }

  /** Walks the chain in seq order, a chunk at a time; names the first entry at fault (api.md's table). */
  verify(): AuditVerify {
    const entries = this.q.count.get() as number;
    const fromTable = this.q.lastCheckpoint.get() as AuditCheckpoint | undefined;
    const fromFile = this.readMirror();
    const checkpoints = [fromTable, fromFile].filter((c): c is AuditCheckpoint => !!c);
    const latest = checkpoints.sort((a, b) => b.seq - a.seq)[0];
    const bad = (seq: number, problem: 'altered' | 'removed' | 'reordered', message: string): AuditVerify => ({ ok: false, entries, firstBad: { seq, problem, message } });
    let prev: Row | undefined;
    let after = 0;
    for (;;) {
      const rows = this.q.chunk.all(after, CHUNK) as Row[];
      if (!rows.length) break;
      for (const r of rows) {
        const expected = (prev?.id ?? 0) + 1;
        if (r.id !== expected) return bad(expected, 'removed', `entry ${expected} is missing (the log goes from ${expected - 1} to ${r.id})`);
        let own: string | undefined;
        try {
          own = entryHash(r.prev_hash, r);
        } catch {
          own = undefined;
        }
        if (own !== r.hash) return bad(r.id, 'altered', `the content of entry ${r.id} does not hash to its hash`);
        const want = prev?.hash ?? ZERO_HASH;
        if (r.prev_hash !== want) {
          const other = this.q.byHash.get(r.prev_hash, r.id) as number | undefined;
          if (other !== undefined) return bad(r.id, 'reordered', `entry ${r.id} follows entry ${other} in the chain, not entry ${r.id - 1}`);
          const named = prev?.id ?? r.id;
          return bad(named, 'altered', `entry ${named} was rewritten and re-hashed: entry ${r.id} commits to a hash no entry has`);
        }
        for (const c of checkpoints) {
          if (c.seq === r.id && c.hash !== r.hash) return bad(r.id, 'altered', `entry ${r.id} differs from the checkpoint at ${c.at}`);
        }
        prev = r;
      }
      after = rows.at(-1)!.id;
    }
    const headSeq = prev?.id ?? 0;
    if (latest && headSeq < latest.seq) {
      const where = latest === fromTable ? 'the checkpoint table' : 'the mirror file';
      return bad(headSeq + 1, 'removed', `the log ends at ${headSeq}, before the latest checkpoint (${latest.seq}, in ${where})`);
    }
    return {
      ok: true, entries, head: { seq: headSeq, hash: prev?.hash ?? ZERO_HASH },
      checkpoint: latest ? { seq: latest.seq, hash: latest.hash, at: latest.at, signed: !!latest.signature } : null,
    };
  }
}
