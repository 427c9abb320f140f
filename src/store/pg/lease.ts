// One outbox relay at a time across instances, with fail-over: the relaying instance holds a session advisory lock
// on a connection of its own. When that instance stops or its connection drops, PostgreSQL releases the lock and
// the next instance that asks takes it over (a relay polls at least every second). A row confirmed by the old
// leader but not yet marked relayed is published again: consumers dedup by event id (amqp.md "Guarantees").
import pg from 'pg';
import { LOCK } from './db.js';

export class RelayLease {
  private client: pg.Client | undefined;
  private trying: Promise<boolean> | undefined;
  private closed = false;

  constructor(private readonly config: pg.ClientConfig) {}

  /** Whether this instance holds the lease now; tries to take it when not. */
  held(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.client) return Promise.resolve(true);
    this.trying ??= this.take().finally(() => { this.trying = undefined; });
    return this.trying;
  }

  private async take(): Promise<boolean> {
    const c = new pg.Client(this.config);
    const drop = () => { if (this.client === c) this.client = undefined; c.end().catch(() => {}); };
    c.on('error', drop);
    c.on('end', drop);
    try {
      await c.connect();
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK.relay]);
      if (r.rows[0]?.ok && !this.closed) {
        this.client = c;
        return true;
      }
    } catch {
      // the database is away: not the leader now, asked again on the next poll
    }
    c.removeAllListeners('end');
    await c.end().catch(() => {});
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.trying;
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
    }
  }
}
