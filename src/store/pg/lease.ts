// One outbox relay at a time across instances, with fail-over: the relaying instance holds a session advisory lock
// on a connection of its own. When that instance stops or its connection drops, PostgreSQL releases the lock and
// the next instance that asks takes it over (a relay polls at least every second). A row confirmed by the old
// leader but not yet marked relayed is published again: consumers dedup by event id (amqp.md "Guarantees").
import pg from 'pg';
import { LOCK } from './db.js';

/** How often a held lease proves its connection alive, and how long that proof may take. */
const CHECK_EVERY_MS = 1000;
const CHECK_TIMEOUT_MS = 5000;

export class RelayLease {
  private client: pg.Client | undefined;
  private trying: Promise<boolean> | undefined;
  private checking: Promise<boolean> | undefined;
  private checkedAt = 0;
  private closed = false;

  constructor(private readonly config: pg.ClientConfig) {}

  /** Whether this instance holds the lease now; tries to take it when not. */
  held(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.client) return this.alive(this.client);
    this.trying ??= this.take().finally(() => { this.trying = undefined; });
    return this.trying;
  }

  /**
   * A half-open connection never says `error` or `end`, while the server may already have dropped the backend and
   * with it the lock, so another instance relays too. At most once a second the lease's own connection answers a
   * query; when it fails or is slower than CHECK_TIMEOUT_MS the lease is given up (ending the connection releases
   * the lock if the server still held it).
   */
  private alive(c: pg.Client): Promise<boolean> {
    if (Date.now() - this.checkedAt < CHECK_EVERY_MS) return Promise.resolve(true);
    this.checking ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([c.query('SELECT 1'), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('lease check timed out')), CHECK_TIMEOUT_MS); })]);
        this.checkedAt = Date.now();
        return this.client === c;
      } catch {
        if (this.client === c) this.client = undefined;
        c.removeAllListeners('end');
        c.end().catch(() => {});
        return false;
      } finally {
        clearTimeout(timer);
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  private async take(): Promise<boolean> {
    // TCP keepalive as well, so the kernel notices a dead peer even between checks.
    const c = new pg.Client({ ...this.config, keepAlive: true });
    const drop = () => { if (this.client === c) this.client = undefined; c.end().catch(() => {}); };
    c.on('error', drop);
    c.on('end', drop);
    try {
      await c.connect();
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK.relay]);
      if (r.rows[0]?.ok && !this.closed) {
        this.client = c;
        this.checkedAt = Date.now();
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
    await this.checking;
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
    }
  }
}
