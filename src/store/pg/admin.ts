// The administration tables on PostgreSQL: system life cycle and keys, rotated admin tokens, bookkeeping, the
// rollout registry. Every change commits with its audit entry in one transaction; changes of keys and systems
// NOTIFY the other instances (their key caches empty within a notification's delay) and tell this one at once.
import type pg from 'pg';
import { HubError } from '../../errors.js';
import { ulid } from '../../util/id.js';
import { formatVn } from '../../util/time.js';
import type { AdminStore, AuditEntry, Bookkeeping, CodeCount, DayTraffic, KeyInfo, KeyRecord, RolloutEntry, SystemRecord, TrafficCounts } from '../types.js';
import { CODE_UPSERT, TRAFFIC_UPSERT, trafficRows } from '../traffic-rows.js';
import type { PgAuditLog } from './audit.js';
import { CHANNEL, named, one, rows, tx } from './db.js';

const ROLLOUT_COLS = `id, ord AS "order", department, origin, successor, system_id AS "systemId", target_date AS "targetDate", note, updated_at AS "updatedAt"`;
const setSetting = (c: pg.PoolClient, key: string, value: string) =>
  c.query('INSERT INTO hub_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);

export class PgAdminStore implements AdminStore {
  /** `claim`: frees and claims a system's agencies (index.ts); `keysChanged`: this instance's listeners, told after commit. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly log: PgAuditLog,
    private readonly claim: (c: pg.PoolClient, s: SystemRecord) => Promise<void>,
    private readonly keysChanged: () => void,
  ) {}

  /** fn and its audit entry in one transaction; `keys`: NOTIFY the key caches of every instance. */
  private async audited<T>(audit: AuditEntry, keys: boolean, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const r = await this.log.audited(audit, async (c) => {
      const out = await fn(c);
      if (keys) await c.query('SELECT pg_notify($1, $2)', [CHANNEL.keys, '']);
      return out;
    });
    if (keys) this.keysChanged();
    return r;
  }

  async systemMeta(id: string) {
    const row = await one<{ retiredAt: string | null; lastSeenAt: string | null }>(this.pool,
      'SELECT retired_at AS "retiredAt", last_seen_at AS "lastSeenAt" FROM systems WHERE id = $1', [id]);
    const keys = await rows<KeyInfo>(this.pool, `SELECT key_id AS "keyId", created_at AS "createdAt", valid_until AS "validUntil", last_used_at AS "lastUsedAt"
      FROM system_keys WHERE system_id = $1 ORDER BY created_at, ord`, [id]);
    return { retiredAt: row?.retiredAt ?? null, lastSeenAt: row?.lastSeenAt ?? null, keys };
  }

  rotateKey(k: KeyRecord & { keyId: string }, until: string, audit: AuditEntry): Promise<string | null> {
    return this.audited(audit, true, async (c) => {
      await this.lockActive(c, k.systemId);
      await c.query('UPDATE system_keys SET valid_until = $1 WHERE system_id = $2 AND (valid_until IS NULL OR valid_until > $1)', [until, k.systemId]);
      const latest = (await one<{ v: string | null }>(c, 'SELECT MAX(valid_until) AS v FROM system_keys WHERE system_id = $1', [k.systemId]))?.v ?? null;
      await c.query('INSERT INTO system_keys (key_hmac, system_id, created_at, valid_until, key_id) VALUES ($1, $2, $3, $4, $5)',
        [k.keyHmac, k.systemId, k.createdAt, k.validUntil, k.keyId]);
      return latest;
    });
  }

  retireSystem(s: SystemRecord, now: number, audit: AuditEntry): Promise<{ deadLetters: number }> {
    return this.audited(audit, true, async (c) => {
      const at = formatVn(now);
      await c.query('UPDATE systems SET doc = $1, status = $2, updated_at = $3, retired_at = $4 WHERE id = $5', [JSON.stringify(s), 'retired', s.updatedAt, at, s.id]);
      await c.query('DELETE FROM system_agencies WHERE system_id = $1', [s.id]);
      await c.query('UPDATE system_keys SET valid_until = $1 WHERE system_id = $2 AND (valid_until IS NULL OR valid_until > $1)', [at, s.id]);
      const open = await rows<{ eventId: string; code: string; revision: number; tries: number; event: string | null }>(c, `
        SELECT d.event_id AS "eventId", d.dossier_code AS code, d.revision, 0 AS tries, o.event FROM deliveries d
          LEFT JOIN outbox o ON o.event_id = d.event_id WHERE d.system_id = $1 AND d.state = 'pending'
        UNION ALL
        SELECT m.event_id, m.dossier_code, m.revision, m.handed_out, o.event FROM mailbox m
          LEFT JOIN outbox o ON o.event_id = m.event_id WHERE m.system_id = $1 AND m.acked_at IS NULL`, [s.id]);
      for (const d of open) {
        await c.query(`INSERT INTO dead_letters (id, system_id, event_id, dossier_code, revision, reason, attempts, last_response, failed_at, event)
          VALUES ($1, $2, $3, $4, $5, 'system retired', $6, NULL, $7, $8)`, [ulid(now), s.id, d.eventId, d.code, d.revision, d.tries, at, d.event ?? '{}']);
      }
      await c.query("UPDATE deliveries SET state = 'dead', updated_at = $1 WHERE system_id = $2 AND state = 'pending'", [now, s.id]);
      // Closed here: they live on as dead letters, and the mailbox of a retired system answers 401 anyway.
      await c.query('UPDATE mailbox SET acked_at = $1 WHERE system_id = $2 AND acked_at IS NULL', [now, s.id]);
      return { deadLetters: open.length };
    });
  }

  updateSystem(s: SystemRecord, audit: AuditEntry): Promise<void> {
    return this.audited(audit, true, async (c) => {
      // Only an active row changes: a retire another instance (or request) committed since the caller's check wins,
      // and this change is refused instead of bringing the system back with its agencies.
      const r = await c.query("UPDATE systems SET doc = $1, status = $2, updated_at = $3 WHERE id = $4 AND status = 'active'", [JSON.stringify(s), s.status, s.updatedAt, s.id]);
      if (!r.rowCount) throw new HubError('HUB_SYSTEM_RETIRED', `System ${s.id} is retired`);
      await c.query('DELETE FROM system_agencies WHERE system_id = $1', [s.id]);
      if (s.status === 'active') await this.claim(c, s);
    });
  }

  /** Locks the system's row for the transaction; a retired (or unknown) system is refused. */
  private async lockActive(c: pg.PoolClient, id: string): Promise<void> {
    const row = await one<{ status: string }>(c, 'SELECT status FROM systems WHERE id = $1 FOR UPDATE', [id]);
    if (row?.status !== 'active') throw new HubError('HUB_SYSTEM_RETIRED', `System ${id} is retired`);
  }

  findAdminToken(tokenHmac: string) {
    return one<{ tokenId: string; validUntil: string | null }>(this.pool, 'SELECT token_id AS "tokenId", valid_until AS "validUntil" FROM admin_tokens WHERE token_hmac = $1', [tokenHmac]);
  }

  rotateAdminToken(t: { tokenId: string; tokenHmac: string; createdAt: string }, until: string, audit: AuditEntry): Promise<string | null> {
    return this.audited(audit, false, async (c) => {
      await c.query('UPDATE admin_tokens SET valid_until = $1 WHERE valid_until IS NULL OR valid_until > $1', [until]);
      // The bootstrap token gets the same overlap at the first rotation, and is ignored after it.
      const bootstrap = (await one<{ value: string }>(c, "SELECT value FROM hub_settings WHERE key = 'admin.bootstrapValidUntil' FOR UPDATE"))?.value;
      if (bootstrap === undefined || bootstrap > until) await setSetting(c, 'admin.bootstrapValidUntil', until);
      const latest = (await one<{ v: string | null }>(c, 'SELECT MAX(valid_until) AS v FROM admin_tokens'))?.v ?? null;
      const ends = [latest, bootstrap === undefined || bootstrap > until ? until : bootstrap];
      await c.query('INSERT INTO admin_tokens (token_id, token_hmac, created_at, valid_until) VALUES ($1, $2, $3, NULL)', [t.tokenId, t.tokenHmac, t.createdAt]);
      // The latest end among the earlier tokens (the bootstrap one included).
      return ends.filter((e): e is string => !!e).sort().at(-1) ?? null;
    });
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await one<{ value: string }>(this.pool, 'SELECT value FROM hub_settings WHERE key = $1', [key]))?.value;
  }

  async recordBookkeeping(b: Bookkeeping): Promise<void> {
    await tx(this.pool, async (c) => {
      for (const [hmac, at] of b.keysUsed) {
        await c.query('UPDATE system_keys SET last_used_at = $1 WHERE key_hmac = $2 AND (last_used_at IS NULL OR last_used_at < $1)', [at, hmac]);
      }
      for (const [id, at] of b.systemsSeen) {
        await c.query('UPDATE systems SET last_seen_at = $1 WHERE id = $2 AND (last_seen_at IS NULL OR last_seen_at < $1)', [at, id]);
      }
      for (const r of trafficRows(b)) {
        const day = named(TRAFFIC_UPSERT, r.day);
        await c.query(day.text, day.values);
        for (const x of r.codes) {
          const q = named(CODE_UPSERT, x);
          await c.query(q.text, q.values);
        }
      }
    });
  }

  async trafficWindow(systemId: string, sinceDay: string): Promise<DayTraffic> {
    const r = (await one<Omit<DayTraffic, 'codes'>>(this.pool, `SELECT COALESCE(SUM(accepted), 0) AS accepted, COALESCE(SUM(refused), 0) AS refused,
      COALESCE(SUM(duplicates), 0) AS duplicates, COALESCE(SUM(auth_ok), 0) AS "authOk", COALESCE(SUM(auth_failed), 0) AS "authFailed",
      MAX(last_auth_at) AS "lastAuthAt", (array_agg(last_auth_key ORDER BY last_auth_at DESC) FILTER (WHERE last_auth_at IS NOT NULL))[1] AS "lastAuthKey",
      MAX(last_failed_at) AS "lastFailedAt", COALESCE(bit_or(statuses), 0) AS statuses
      FROM traffic WHERE system_id = $1 AND day >= $2`, [systemId, sinceDay]))!;
    const codes = await rows<CodeCount>(this.pool, `SELECT code, rule, SUM(count) AS count,
      (array_agg(example ORDER BY example_at DESC) FILTER (WHERE example_at IS NOT NULL))[1] AS example, MAX(example_at) AS "exampleAt"
      FROM traffic_codes WHERE system_id = $1 AND day >= $2 GROUP BY code, rule ORDER BY code, rule`, [systemId, sinceDay]);
    return { ...r, codes };
  }

  async traffic(systemId: string, sinceDay: string): Promise<{ window: TrafficCounts; total: TrafficCounts }> {
    const r = (await one<{ [k: string]: number }>(this.pool, `SELECT
      COALESCE(SUM(accepted) FILTER (WHERE day >= $2), 0) AS wa, COALESCE(SUM(refused) FILTER (WHERE day >= $2), 0) AS wr,
      COALESCE(SUM(duplicates) FILTER (WHERE day >= $2), 0) AS wd, COALESCE(SUM(accepted), 0) AS ta, COALESCE(SUM(refused), 0) AS tr,
      COALESCE(SUM(duplicates), 0) AS td FROM traffic WHERE system_id = $1`, [systemId, sinceDay]))!;
    return { window: { accepted: r.wa!, refused: r.wr!, duplicates: r.wd! }, total: { accepted: r.ta!, refused: r.tr!, duplicates: r.td! } };
  }

  async lastSeen(systemId: string): Promise<string | null> {
    return (await one<{ v: string | null }>(this.pool, 'SELECT last_seen_at AS v FROM systems WHERE id = $1', [systemId]))?.v ?? null;
  }

  async listRollout() {
    const items = await rows<RolloutEntry>(this.pool, `SELECT ${ROLLOUT_COLS} FROM rollout ORDER BY ord`);
    return { source: (await this.getSetting('rollout.source')) ?? null, items };
  }

  saveRollout(entries: readonly RolloutEntry[], audit: AuditEntry, source?: string): Promise<void> {
    return this.audited(audit, false, async (c) => {
      // Orders may be swapped within one patch: park every changed entry's order out of the way first.
      for (const e of entries) await c.query('UPDATE rollout SET ord = -ord - 1000000 WHERE id = $1', [e.id]);
      for (const e of entries) {
        await c.query(`INSERT INTO rollout (id, ord, department, origin, successor, system_id, target_date, note, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
          ON CONFLICT (id) DO UPDATE SET ord = excluded.ord, department = excluded.department, successor = excluded.successor,
          system_id = excluded.system_id, target_date = excluded.target_date, note = excluded.note, updated_at = excluded.updated_at`,
        [e.id, e.order, e.department, e.origin, e.successor, e.systemId, e.targetDate, e.note, e.updatedAt]);
      }
      if (source !== undefined) await setSetting(c, 'rollout.source', source);
    });
  }
}
