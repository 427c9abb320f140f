// Cross-instance wake-ups: one dedicated connection LISTENs on the hub's channels (db.ts CHANNEL) and turns each
// notification into a local event. Writers NOTIFY inside their transaction, so a notification is delivered only
// for a change that committed, to every instance (the writer's own included). When the connection drops, it is
// opened again with a growing delay, and on every (re)connect all listeners are told once: a change may have
// been missed while disconnected, so caches empty and the relay and mailboxes look again (the version check).
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { CHANNEL } from './db.js';

const MAX_DELAY_MS = 5000;

export class Notifications {
  readonly events = new EventEmitter();
  private client: pg.Client | undefined;
  private closed = false;
  private delay = 100;
  private timer: NodeJS.Timeout | undefined;
  private readonly ready: Promise<void>;

  constructor(private readonly config: pg.ClientConfig) {
    this.events.setMaxListeners(0); // one per waiting long-poll
    this.ready = this.connect();
  }

  /** Resolves once the first LISTEN is in place (or failed: reconnecting goes on in the background). */
  started(): Promise<void> {
    return this.ready;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.config);
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.channel === CHANNEL.committed) this.events.emit('committed');
      else if (n.channel === CHANNEL.keys) this.events.emit('keys');
      else if (n.channel === CHANNEL.mailbox && n.payload) this.events.emit('mailbox', n.payload);
      else if (n.channel === CHANNEL.limits && n.payload) this.events.emit('limits', n.payload);
    });
    try {
      await client.connect();
      for (const ch of Object.values(CHANNEL)) await client.query(`LISTEN ${ch}`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.delay = 100;
    this.events.emit('committed');
    this.events.emit('keys');
    this.events.emit('resync');
  }

  private lost(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.delay).unref();
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
  }

  /** The process id of the listening backend (tests end it to prove the reconnect). */
  backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
    }
  }
}
