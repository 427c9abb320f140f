// The shared limits on PostgreSQL (api.md "Several instances": the failed-login and look-up limits counted once
// for the installation). One row per key holds its fixed window; a count is one atomic upsert, so two instances
// counting at once never lose a count: the row is locked by the first, the second sees its result. A window that
// ended is replaced by the next count, and swept once a minute. Blocks are announced with NOTIFY (hub_limits),
// so every instance refuses a blocked client from memory, not with a query per request.
import type pg from 'pg';
import type { SharedLimits } from '../types.js';
import { CHANNEL, rows } from './db.js';
import type { Notifications } from './notify.js';

const SWEEP_MS = 60_000;

export class PgLimits implements SharedLimits {
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly pool: pg.Pool, private readonly notes: Notifications) {
    this.sweeper = setInterval(() => void this.pool.query('DELETE FROM rate_windows WHERE ends_ms <= $1', [Date.now()]).catch(() => {}), SWEEP_MS).unref();
  }

  async add(key: string, now: number, start: number, windowMs: number): Promise<{ count: number; endsAt: number }> {
    const r = await rows<{ count: number; ends: number }>(this.pool, `INSERT INTO rate_windows AS w (key, start_ms, ends_ms, count) VALUES ($1, $2, $3, 1)
      ON CONFLICT (key) DO UPDATE SET
        start_ms = CASE WHEN w.ends_ms <= $4 THEN excluded.start_ms ELSE w.start_ms END,
        ends_ms = CASE WHEN w.ends_ms <= $4 THEN excluded.ends_ms ELSE w.ends_ms END,
        count = CASE WHEN w.ends_ms <= $4 THEN 1 ELSE w.count + 1 END
      RETURNING count, ends_ms AS ends`, [key, start, start + windowMs, now]);
    return { count: r[0]!.count, endsAt: r[0]!.ends };
  }

  async announce(key: string, endsAt: number): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL.limits, JSON.stringify([key, endsAt])]);
  }

  async over(prefix: string, min: number, now: number): Promise<{ key: string; endsAt: number }[]> {
    return rows(this.pool, `SELECT key, ends_ms AS "endsAt" FROM rate_windows WHERE starts_with(key, $1) AND count >= $2 AND ends_ms > $3`, [prefix, min, now]);
  }

  onBlock(listener: (key: string, endsAt: number) => void, resync: () => void): () => void {
    const onNote = (payload: string) => {
      try {
        const [key, endsAt] = JSON.parse(payload) as [unknown, unknown];
        if (typeof key === 'string' && typeof endsAt === 'number') listener(key, endsAt);
      } catch {
        // not ours: ignored
      }
    };
    this.notes.events.on('limits', onNote);
    this.notes.events.on('resync', resync);
    return () => {
      this.notes.events.off('limits', onNote);
      this.notes.events.off('resync', resync);
    };
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
