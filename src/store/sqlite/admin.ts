// The administration tables of the embedded store (migration 6): system life cycle and keys, rotated admin
// tokens, bookkeeping (last seen, last used, traffic), the rollout registry. Every change commits with its
// audit entry in one transaction, so nothing is stored unaudited and no entry describes a change that failed.
import { HubError } from '../../errors.js';
import type Database from 'better-sqlite3';
import { ulid } from '../../util/id.js';
import { formatVn } from '../../util/time.js';
import { auditedIn, type SqliteAuditLog } from './audit-chain.js';
import { CODE_UPSERT, TRAFFIC_UPSERT, trafficRows } from '../traffic-rows.js';
import type {
  AdminStore, AuditEntry, Bookkeeping, CodeCount, DayTraffic, KeyInfo, KeyRecord, RolloutEntry, SystemRecord, TrafficCounts,
} from '../types.js';

type RolloutRow = { id: string; ord: number; department: string; origin: 'seed' | 'province'; successor: string | null;
  system_id: string | null; target_date: string | null; note: string | null; updated_at: string };

const fromRow = (r: RolloutRow): RolloutEntry => ({
  id: r.id, order: r.ord, department: r.department, origin: r.origin, successor: r.successor, systemId: r.system_id,
  targetDate: r.target_date, note: r.note, updatedAt: r.updated_at,
});

export class SqliteAdminStore implements AdminStore {
  private readonly tx;

  /** `keysChanged`: told after every change to keys or systems, so caches of them (the key cache) empty at once. */
  constructor(
    private readonly db: Database.Database,
    private readonly log: SqliteAuditLog,
    private readonly claim: (db: Database.Database, s: SystemRecord) => void,
    private readonly keysChanged: () => void = () => {},
  ) {
    const audited = auditedIn(db, log);
    this.tx = {
      rotateKey: audited((k: KeyRecord & { keyId: string }, until: string) => {
        activeOrRetired(db, k.systemId);
        db.prepare('UPDATE system_keys SET valid_until = ? WHERE system_id = ? AND (valid_until IS NULL OR valid_until > ?)').run(until, k.systemId, until);
        const latest = db.prepare('SELECT MAX(valid_until) FROM system_keys WHERE system_id = ?').pluck().get(k.systemId) as string | null;
        db.prepare('INSERT INTO system_keys (key_hmac, system_id, created_at, valid_until, key_id) VALUES (?, ?, ?, ?, ?)').run(k.keyHmac, k.systemId, k.createdAt, k.validUntil, k.keyId);
        return latest;
      }),
      rotateToken: audited((t: { tokenId: string; tokenHmac: string; createdAt: string }, until: string) => {
        db.prepare('UPDATE admin_tokens SET valid_until = ? WHERE valid_until IS NULL OR valid_until > ?').run(until, until);
        // The bootstrap token gets the same overlap at the first rotation, and is ignored after it.
        const bootstrap = db.prepare("SELECT value FROM hub_settings WHERE key = 'admin.bootstrapValidUntil'").pluck().get() as string | undefined;
        if (bootstrap === undefined || bootstrap > until) {
          db.prepare("INSERT INTO hub_settings (key, value) VALUES ('admin.bootstrapValidUntil', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(until);
        }
        const ends = [db.prepare('SELECT MAX(valid_until) FROM admin_tokens').pluck().get() as string | null,
          db.prepare("SELECT value FROM hub_settings WHERE key = 'admin.bootstrapValidUntil'").pluck().get() as string];
        db.prepare('INSERT INTO admin_tokens (token_id, token_hmac, created_at, valid_until) VALUES (?, ?, ?, NULL)').run(t.tokenId, t.tokenHmac, t.createdAt);
        // The latest end among the earlier tokens (the bootstrap one included).
        return ends.filter((e): e is string => !!e).sort().at(-1) ?? null;
      }),
      update: audited((s: SystemRecord) => {
        // Only an active row changes (the store contract; on PostgreSQL a retire can commit between check and write).
        const r = db.prepare("UPDATE systems SET doc = ?, status = ?, updated_at = ? WHERE id = ? AND status = 'active'").run(JSON.stringify(s), s.status, s.updatedAt, s.id);
        if (!r.changes) throw new HubError('HUB_SYSTEM_RETIRED', `System ${s.id} is retired`);
        db.prepare('DELETE FROM system_agencies WHERE system_id = ?').run(s.id);
        if (s.status === 'active') this.claim(db, s);
      }),
      retire: audited((s: SystemRecord, now: number) => this.retireIn(s, now)),
      rollout: audited((entries: readonly RolloutEntry[], source: string | undefined) => {
        const put = db.prepare(`INSERT INTO rollout (id, ord, department, origin, successor, system_id, target_date, note, updated_at)
          VALUES (@id, @order, @department, @origin, @successor, @systemId, @targetDate, @note, @updatedAt)
          ON CONFLICT (id) DO UPDATE SET ord = excluded.ord, department = excluded.department, successor = excluded.successor,
          system_id = excluded.system_id, target_date = excluded.target_date, note = excluded.note, updated_at = excluded.updated_at`);
        // Orders may be swapped within one patch: park every changed entry's order out of the way first.
        const park = db.prepare('UPDATE rollout SET ord = -ord - 1000000 WHERE id = ?');
        for (const e of entries) park.run(e.id);
        for (const e of entries) put.run(e);
        if (source !== undefined) db.prepare("INSERT INTO hub_settings (key, value) VALUES ('rollout.source', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(source);
      }),
    };
  }

  private retireIn(s: SystemRecord, now: number): { deadLetters: number } {
    const db = this.db;
    const at = formatVn(now);
    db.prepare('UPDATE systems SET doc = ?, status = ?, updated_at = ?, retired_at = ? WHERE id = ?').run(JSON.stringify(s), 'retired', s.updatedAt, at, s.id);
    db.prepare('DELETE FROM system_agencies WHERE system_id = ?').run(s.id);
    db.prepare('UPDATE system_keys SET valid_until = ? WHERE system_id = ? AND (valid_until IS NULL OR valid_until > ?)').run(at, s.id, at);
    const dead = db.prepare(`INSERT INTO dead_letters (id, system_id, event_id, dossier_code, revision, reason, attempts, last_response, failed_at, event)
      VALUES (?, ?, ?, ?, ?, 'system retired', ?, NULL, ?, ?)`);
    const eventOf = db.prepare('SELECT event FROM outbox WHERE event_id = ?').pluck();
    let n = 0;
    const pending = db.prepare("SELECT event_id AS eventId, dossier_code AS code, revision FROM deliveries WHERE system_id = ? AND state = 'pending'").all(s.id) as
      { eventId: string; code: string; revision: number }[];
    for (const d of pending) {
      dead.run(ulid(now), s.id, d.eventId, d.code, d.revision, 0, at, (eventOf.get(d.eventId) as string | undefined) ?? '{}');
      n++;
    }
    db.prepare("UPDATE deliveries SET state = 'dead', updated_at = ? WHERE system_id = ? AND state = 'pending'").run(now, s.id);
    const mail = db.prepare('SELECT event_id AS eventId, dossier_code AS code, revision, handed_out AS tries FROM mailbox WHERE system_id = ? AND acked_at IS NULL').all(s.id) as
      { eventId: string; code: string; revision: number; tries: number }[];
    for (const m of mail) {
      dead.run(ulid(now), s.id, m.eventId, m.code, m.revision, m.tries, at, (eventOf.get(m.eventId) as string | undefined) ?? '{}');
      n++;
    }
    // Closed here: they live on as dead letters, and the mailbox of a retired system answers 401 anyway.
    db.prepare('UPDATE mailbox SET acked_at = ? WHERE system_id = ? AND acked_at IS NULL').run(now, s.id);
    return { deadLetters: n };
  }

  async systemMeta(id: string) {
    const row = this.db.prepare('SELECT retired_at AS retiredAt, last_seen_at AS lastSeenAt FROM systems WHERE id = ?').get(id) as
      { retiredAt: string | null; lastSeenAt: string | null } | undefined;
    const keys = this.db.prepare(`SELECT key_id AS keyId, created_at AS createdAt, valid_until AS validUntil, last_used_at AS lastUsedAt
      FROM system_keys WHERE system_id = ? ORDER BY created_at, rowid`).all(id) as KeyInfo[];
    return { retiredAt: row?.retiredAt ?? null, lastSeenAt: row?.lastSeenAt ?? null, keys };
  }

  async rotateKey(k: KeyRecord & { keyId: string }, previousValidUntil: string, audit: AuditEntry): Promise<string | null> {
    const previous = this.tx.rotateKey(audit, k, previousValidUntil);
    this.keysChanged();
    return previous;
  }

  async retireSystem(s: SystemRecord, now: number, audit: AuditEntry) {
    const retired = this.tx.retire(audit, s, now);
    this.keysChanged();
    return retired;
  }

  async updateSystem(s: SystemRecord, audit: AuditEntry): Promise<void> {
    this.tx.update(audit, s);
    this.keysChanged();
  }

  async findAdminToken(tokenHmac: string) {
    return this.db.prepare('SELECT token_id AS tokenId, valid_until AS validUntil FROM admin_tokens WHERE token_hmac = ?').get(tokenHmac) as
      { tokenId: string; validUntil: string | null } | undefined;
  }

  async rotateAdminToken(t: { tokenId: string; tokenHmac: string; createdAt: string }, previousValidUntil: string, audit: AuditEntry) {
    return this.tx.rotateToken(audit, t, previousValidUntil);
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.db.prepare('SELECT value FROM hub_settings WHERE key = ?').pluck().get(key) as string | undefined;
  }

  async recordBookkeeping(b: Bookkeeping): Promise<void> {
    this.db.transaction(() => this.applyBookkeeping(b))();
  }

  /** Writes buffered bookkeeping in the caller's transaction (the group commit's side write). */
  applyBookkeeping(b: Bookkeeping): void {
    const key = this.db.prepare('UPDATE system_keys SET last_used_at = ? WHERE key_hmac = ? AND (last_used_at IS NULL OR last_used_at < ?)');
    const seen = this.db.prepare('UPDATE systems SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)');
    const traffic = this.db.prepare(TRAFFIC_UPSERT);
    const code = this.db.prepare(CODE_UPSERT);
    this.db.transaction(() => {
      for (const [hmac, at] of b.keysUsed) key.run(at, hmac, at);
      for (const [id, at] of b.systemsSeen) seen.run(at, id, at);
      for (const r of trafficRows(b)) {
        traffic.run(r.day);
        for (const x of r.codes) code.run(x);
      }
    })();
  }

  async trafficWindow(systemId: string, sinceDay: string): Promise<DayTraffic> {
    const r = this.db.prepare(`SELECT COALESCE(SUM(accepted), 0) AS accepted, COALESCE(SUM(refused), 0) AS refused,
      COALESCE(SUM(duplicates), 0) AS duplicates, COALESCE(SUM(auth_ok), 0) AS authOk, COALESCE(SUM(auth_failed), 0) AS authFailed,
      MAX(last_auth_at) AS lastAuthAt, NULLIF(MAX(COALESCE(last_failed_at, '')), '') AS lastFailedAt
      FROM traffic WHERE system_id = ? AND day >= ?`).get(systemId, sinceDay) as Omit<DayTraffic, 'statuses' | 'codes' | 'lastAuthKey'>;
    const key = r.lastAuthAt === null ? null : (this.db.prepare('SELECT last_auth_key FROM traffic WHERE system_id = ? AND day >= ? AND last_auth_at = ? LIMIT 1')
      .pluck().get(systemId, sinceDay, r.lastAuthAt) as string | null | undefined) ?? null;
    // Bitwise OR has no aggregate in SQLite: a window holds at most a few dozen days.
    const bits = this.db.prepare('SELECT statuses FROM traffic WHERE system_id = ? AND day >= ?').pluck().all(systemId, sinceDay) as number[];
    const codes = this.db.prepare(`SELECT code, rule, SUM(count) AS count, NULL AS example, MAX(example_at) AS exampleAt
      FROM traffic_codes WHERE system_id = ? AND day >= ? GROUP BY code, rule ORDER BY code, rule`).all(systemId, sinceDay) as CodeCount[];
    const example = this.db.prepare('SELECT example FROM traffic_codes WHERE system_id = ? AND day >= ? AND code = ? AND rule = ? AND example_at = ? LIMIT 1').pluck();
    for (const c of codes) if (c.exampleAt !== null) c.example = (example.get(systemId, sinceDay, c.code, c.rule, c.exampleAt) as string | null | undefined) ?? null;
    return { ...r, lastAuthKey: key, statuses: bits.reduce((a, b) => a | b, 0), codes };
  }

  async traffic(systemId: string, sinceDay: string): Promise<{ window: TrafficCounts; total: TrafficCounts }> {
    const sum = (where: string, ...args: string[]) => {
      const r = this.db.prepare(`SELECT COALESCE(SUM(accepted), 0) AS accepted, COALESCE(SUM(refused), 0) AS refused,
        COALESCE(SUM(duplicates), 0) AS duplicates FROM traffic WHERE system_id = ? ${where}`).get(systemId, ...args) as TrafficCounts;
      return r;
    };
    return { window: sum('AND day >= ?', sinceDay), total: sum('') };
  }

  async lastSeen(systemId: string): Promise<string | null> {
    return (this.db.prepare('SELECT last_seen_at FROM systems WHERE id = ?').pluck().get(systemId) as string | null | undefined) ?? null;
  }

  async listRollout() {
    const items = (this.db.prepare('SELECT * FROM rollout ORDER BY ord').all() as RolloutRow[]).map(fromRow);
    return { source: (await this.getSetting('rollout.source')) ?? null, items };
  }

  async saveRollout(entries: readonly RolloutEntry[], audit: AuditEntry, source?: string): Promise<void> {
    this.tx.rollout(audit, entries, source);
  }
}

/** A key may be issued only to an active system. */
function activeOrRetired(db: Database.Database, id: string): void {
  const status = db.prepare('SELECT status FROM systems WHERE id = ?').pluck().get(id) as string | undefined;
  if (status !== 'active') throw new HubError('HUB_SYSTEM_RETIRED', `System ${id} is retired`);
}
