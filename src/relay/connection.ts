// One AMQP connection, kept open: connect, hand it to `up`, and when it goes, call `down` and try again with
// exponential back-off and full jitter (100 ms doubling to 30 s).
//
// A cluster (AMQP_URL with comma-separated node URLs, api.md "Several instances"): the nodes are tried in turn.
// A connection lost moves on to the next node (the one lost may be the one that went down); a node that refuses
// is followed at once by the next, and the back-off applies only after every node refused in a round. The
// queues are quorum queues (topology.ts), so what a node acknowledged survives that node.
//
// Why plain amqplib and not its own `recovery` option (amqplib 2.x) or amqp-connection-manager: both bring the
// *connection* back, but everything that must come back with it is ours anyway — the topology, the confirm
// channel and its in-flight window, one consumer per push-mode system — and amqp-connection-manager buffers
// publishes in process memory while the broker is away. Here the outbox is the only buffer: a second one in
// memory would be lost by a crash and replayed out of order after a reconnect. So this loop stays small:
// `up` either completes (topology declared, channels open) or fails, in which case the connection is closed
// and retried like any other loss.
import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from 'pino';

export interface ConnectionHandlers {
  /** Declare the topology and open channels; throwing closes the connection and retries with back-off. */
  up(conn: ChannelModel): Promise<void>;
  /** The connection is gone (its channels with it). */
  down(err: Error | undefined): void;
}

const INITIAL_MS = 100;
const MAX_MS = 30_000;

/** The node URLs of AMQP_URL (comma-separated), in order. */
export function amqpNodes(url: string): string[] {
  return url.split(',').map((u) => u.trim()).filter(Boolean);
}

/** A node's URL without its credentials, for logs. */
export function nodeName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'unparsable URL';
  }
}

export class BrokerConnection {
  private closed = false;
  private current: ChannelModel | undefined;
  private wakeSleep: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly urls: string[];
  /** The node tried next (an index into urls, modulo their number). */
  private next = 0;
  private node: string | undefined;

  /** `url`: AMQP_URL, one node URL or several comma-separated. */
  constructor(url: string, private readonly log: Logger, private readonly handlers: ConnectionHandlers) {
    this.urls = amqpNodes(url);
  }

  /** The node connected to now (no credentials), if any. */
  get connectedNode(): string | undefined {
    return this.current ? this.node : undefined;
  }

  start(): void {
    this.loopDone = this.loop();
  }

  get connection(): ChannelModel | undefined {
    return this.current;
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    let refusedInRound = 0;
    while (!this.closed) {
      let conn: ChannelModel;
      const url = this.urls[this.next % this.urls.length]!;
      this.next = (this.next + 1) % this.urls.length;
      try {
        conn = await amqp.connect(url, { timeout: 5000, clientProperties: { connection_name: 'lgsp-hub relay' } });
      } catch (err) {
        // The next node at once; the back-off once every node refused in this round.
        if (++refusedInRound < this.urls.length) continue;
        refusedInRound = 0;
        if (attempt === 0 || attempt % 10 === 0) this.log.warn({ err: String(err), attempt, nodes: this.urls.map(nodeName) }, 'broker unreachable; retrying with back-off');
        await this.sleep(this.backoff(attempt++));
        continue;
      }
      refusedInRound = 0;
      this.node = nodeName(url);
      let lostError: Error | undefined;
      const lost = new Promise<void>((resolve) => conn.once('close', (err?: Error) => { lostError = err; resolve(); }));
      conn.on('error', (err: Error) => { lostError = err; });
      conn.on('blocked', (reason: string) => this.log.warn({ reason }, 'broker blocked publishing (resource alarm)'));
      conn.on('unblocked', () => this.log.info('broker unblocked publishing'));
      if (this.closed) {
        await conn.close().catch(() => {});
        break;
      }
      try {
        this.current = conn;
        await this.handlers.up(conn);
        if (attempt > 0 || this.urls.length > 1) this.log.info({ attempts: attempt, node: this.node }, attempt > 0 ? 'broker connection restored' : 'broker connected');
        attempt = 0;
      } catch (err) {
        this.log.error({ err: String(err) }, 'declaring the topology or opening channels failed; reconnecting');
        await conn.close().catch(() => {});
      }
      await lost;
      this.current = undefined;
      this.handlers.down(lostError);
      if (!this.closed) {
        this.log.warn({ err: lostError ? String(lostError) : undefined, node: this.node }, this.urls.length > 1 ? 'broker connection lost; trying the next node' : 'broker connection lost; reconnecting');
        await this.sleep(this.backoff(attempt++));
      }
    }
  }

  private backoff(attempt: number): number {
    return Math.round(Math.random() * Math.min(MAX_MS, INITIAL_MS * 2 ** attempt)) + INITIAL_MS;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wakeSleep = undefined; resolve(); }, ms);
      this.wakeSleep = () => { clearTimeout(timer); this.wakeSleep = undefined; resolve(); };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleep?.();
    const conn = this.current;
    if (conn) await conn.close().catch(() => {});
    await this.loopDone;
  }
}
