// The audit hash chain's rules shared by every store (api.md "Audit log"): the entry hash, the row's view, the
// mirrored checkpoint file, and the verifier's walk, which reads the chain a chunk at a time through a source
// the store provides (SQLite's statements, PostgreSQL's queries).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { canonicalJson, sha256Hex } from '../util/canonical-json.js';
import type { AuditCheckpoint, AuditRow, AuditVerify } from './types.js';

export const ZERO_HASH = '0'.repeat(64);
/** A checkpoint every this many entries (api.md). */
export const CHECKPOINT_EVERY = 100;
export const CHUNK = 1000;

export interface AuditDbRow {
  id: number; at: string; actor: string; action: string; target: string | null; source_ip: string | null;
  detail: string | null; correlation_id: string | null; prev_hash: string; hash: string;
}

/** SHA-256 hex of prevHash + "\n" + the canonical JSON of the seven hashed members (all present, null when empty). */
export function entryHash(prevHash: string, r: Pick<AuditDbRow, 'at' | 'actor' | 'action' | 'target' | 'source_ip' | 'detail' | 'correlation_id'>): string {
  const content = {
    at: r.at, actor: r.actor, action: r.action, target: r.target ?? null, from: r.source_ip ?? null,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown), correlationId: r.correlation_id ?? null,
  };
  return sha256Hex(`${prevHash}\n${canonicalJson(content)}`);
}

export const auditView = (r: AuditDbRow): AuditRow => ({
  seq: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, from: r.source_ip,
  detail: r.detail === null ? null : JSON.parse(r.detail), correlationId: r.correlation_id, prevHash: r.prev_hash, hash: r.hash,
});

export function readMirror(mirrorFile: string | undefined): AuditCheckpoint | undefined {
  if (!mirrorFile || !existsSync(mirrorFile)) return undefined;
  try {
    const v = JSON.parse(readFileSync(mirrorFile, 'utf8')) as AuditCheckpoint;
    return Number.isInteger(v.seq) && typeof v.hash === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The latest checkpoint, mirrored (0600, written whole then renamed), unless the file knows a later one. */
export function writeMirror(mirrorFile: string, cp: AuditCheckpoint): void {
  const known = readMirror(mirrorFile);
  if (known && known.seq > cp.seq) return;
  const tmp = `${mirrorFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cp)}\n`, { mode: 0o600 });
  renameSync(tmp, mirrorFile);
}

/** What the verifier reads. */
export interface ChainSource {
  count(): Promise<number> | number;
  chunk(after: number, limit: number): Promise<AuditDbRow[]> | AuditDbRow[];
  /** Another entry (id ≠ notId) with this hash. */
  otherWithHash(hash: string, notId: number): Promise<number | undefined> | number | undefined;
  lastCheckpoint(): Promise<AuditCheckpoint | undefined> | AuditCheckpoint | undefined;
  mirrorFile: string | undefined;
}

/** Walks the chain in seq order, a chunk at a time; names the first entry at fault (api.md's table). */
/** Whether a checkpoint's signature holds; checked by verify. */
export type CheckpointCheck = (c: AuditCheckpoint & { signature: string }) => Promise<boolean>;
/** A detached CMS over checkpointBytes (the hub's signing key), base64; undefined leaves the checkpoint unsigned. */
export type CheckpointSigner = (bytes: Uint8Array) => Promise<string | undefined>;

/**
 * Walks the chain in seq order, a chunk at a time; names the first entry at fault (api.md's table). With `check`, a
 * signed checkpoint (in the table or the mirror) whose signature fails is a forged one: `altered`.
 */
export async function verifyChain(src: ChainSource, check?: CheckpointCheck): Promise<AuditVerify> {
  const entries = await src.count();
  const fromTable = await src.lastCheckpoint();
  const fromFile = readMirror(src.mirrorFile);
  const checkpoints = [fromTable, fromFile].filter((c): c is AuditCheckpoint => !!c);
  const latest = checkpoints.sort((a, b) => b.seq - a.seq)[0];
  const bad = (seq: number, problem: 'altered' | 'removed' | 'reordered', message: string): AuditVerify => ({ ok: false, entries, firstBad: { seq, problem, message } });
  let signed = false;
  for (const c of checkpoints) {
    if (!c.signature || !check) continue;
    if (!(await check({ ...c, signature: c.signature }))) {
      return bad(c.seq, 'altered', `the checkpoint of entry ${c.seq} (${c === fromTable ? 'in the checkpoint table' : 'in the mirror file'}) carries a signature that does not verify: it was forged or altered`);
    }
    if (c.seq === latest!.seq) signed = true;
  }
  let prev: AuditDbRow | undefined;
  let after = 0;
  for (;;) {
    const rows = await src.chunk(after, CHUNK);
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
        const other = await src.otherWithHash(r.prev_hash, r.id);
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
    // `signed`: its signature was checked and holds (without a check, only that it carries one).
    checkpoint: latest ? { seq: latest.seq, hash: latest.hash, at: latest.at, signed: check ? signed : !!latest.signature } : null,
  };
}
