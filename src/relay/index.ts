// The relay (amqp.md): one broker connection; on it the topology, the outbox publisher, and one delivery worker
// per active push-mode system. Ingest never waits for any of this: changes wait in the outbox.
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import type { HubConfig } from '../config.js';
import type { BrokerState } from '../context.js';
import { HubError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import type { DeadLetter, Store } from '../store/types.js';
import type { Registry } from '../systems/registry.js';
import type { CloudEvent } from '../canonical/cloudevent.js';
import { BrokerConnection } from './connection.js';
import { encodeFor, eventType, fromCloudEvent, mailboxBody, CLOUDEVENTS_JSON } from './envelope.js';
import { OutboxPublisher } from './publisher.js';
import { declareBase, declareSystemQueue, tierName, topologyNames, type Names } from './topology.js';
import { DeliveryWorker, ENCODE_WITH } from './worker.js';
import { mappingAdapter, type ResolvedAdapter } from '../mappings/adapters.js';

export interface RelayDeps {
  config: Readonly<HubConfig>;
  log: Logger;
  store: Store;
  registry: Registry;
  metrics: Metrics;
}

const CLOSE_GRACE_MS = 2000;

export class Relay implements BrokerState {
  readonly names: Names;
  private readonly log: Logger;
  private readonly broker: BrokerConnection;
  private readonly publisher: OutboxPublisher;
  private conn: ChannelModel | undefined;
  /** Declarations and replays (a confirm channel apart from the publisher's pipeline). */
  private control: ConfirmChannel | undefined;
  private declared = new Set<string>();
  /** Retired systems whose queue this connection has deleted. */
  private removed = new Set<string>();
  private workers = new Map<string, DeliveryWorker>();
  private up = false;
  private closed = false;
  private reconciling: Promise<void> = Promise.resolve();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: RelayDeps) {
    this.names = topologyNames(deps.config.amqpPrefix);
    this.log = deps.log.child({ part: 'relay' });
    this.publisher = new OutboxPublisher({
      store: deps.store, registry: deps.registry, log: this.log, metrics: deps.metrics, names: this.names,
      ensureQueues: (ids) => this.ensureQueues(ids),
      broken: (ch) => void ch.close().catch(() => {}),
    });
    this.broker = new BrokerConnection(deps.config.amqpUrl, this.log, {
      up: (conn) => this.onUp(conn),
      down: () => this.onDown(),
    });
  }

  start(): this {
    this.unsubscribe.push(this.deps.store.onCommitted(() => this.publisher.wake()));
    this.unsubscribe.push(this.deps.registry.onChange(() => { this.reconciling = this.reconciling.then(() => this.reconcile()).catch(() => {}); }));
    this.broker.start();
    return this;
  }

  /** The broker node connected to now (no credentials): one of AMQP_URL's nodes. */
  get node(): string | undefined {
    return this.broker.connectedNode;
  }

  /** api.md: `up` only once the topology is declared. */
  state(): 'up' | 'down' {
    return this.up ? 'up' : 'down';
  }

  private async onUp(conn: ChannelModel): Promise<void> {
    this.conn = conn;
    this.declared = new Set();
    this.removed = new Set();
    const control = await conn.createConfirmChannel();
    control.on('error', (err: Error) => this.log.warn({ err: err.message }, 'control channel error'));
    control.on('close', () => { if (this.control === control) this.control = undefined; });
    this.control = control;
    await declareBase(control, this.names, this.deps.config.retryDelaysMs);
    await this.reconcile();
    await this.openPublisher(conn);
    this.up = true;
    this.log.info({ prefix: this.deps.config.amqpPrefix, workers: [...this.workers.keys()] }, 'relay connected; topology declared');
  }

  private async openPublisher(conn: ChannelModel): Promise<void> {
    const ch = await conn.createConfirmChannel();
    ch.on('error', (err: Error) => this.log.warn({ err: err.message }, 'publish channel error'));
    ch.on('close', () => {
      this.publisher.detach();
      // The connection still stands (a nack or a channel error): a new channel resumes from the outbox.
      if (!this.closed && this.conn === conn) {
        setTimeout(() => {
          if (!this.closed && this.conn === conn) this.openPublisher(conn).catch((err) => this.log.error({ err: String(err) }, 'reopening the publish channel failed'));
        }, 200).unref();
      }
    });
    this.publisher.attach(ch);
  }

  private onDown(): void {
    this.up = false;
    this.conn = undefined;
    this.control = undefined;
    this.publisher.detach();
    for (const w of this.workers.values()) void w.stop(0);
    this.workers.clear();
  }

  private async controlChannel(): Promise<ConfirmChannel> {
    if (this.control) return this.control;
    if (!this.conn) throw new HubError('HUB_BROKER_UNAVAILABLE', 'The broker is not connected');
    const ch = await this.conn.createConfirmChannel();
    ch.on('error', (err: Error) => this.log.warn({ err: err.message }, 'control channel error'));
    ch.on('close', () => { if (this.control === ch) this.control = undefined; });
    this.control = ch;
    return ch;
  }

  /** Queues and workers for the active push-mode systems; workers of systems that left push mode stop. */
  private async reconcile(): Promise<void> {
    const conn = this.conn;
    if (!conn || this.closed) return;
    const push = this.deps.registry.active().filter((s) => s.delivery.mode === 'push').map((s) => s.id);
    await this.ensureQueues(push);
    for (const [id, w] of this.workers) {
      if (!push.includes(id)) {
        this.workers.delete(id);
        await w.stop(CLOSE_GRACE_MS);
      }
    }
    // A retired system's queue goes (api.md "DELETE …/systems/{id}"): its pending deliveries are dead letters in
    // the store already; what comes back from a retry tier for it finds no binding and is dropped.
    const retired = this.deps.registry.list().filter((s) => s.status === 'retired' && !this.removed.has(s.id));
    for (const s of retired) {
      await (await this.controlChannel()).deleteQueue(this.names.deliverQueue(s.id));
      this.declared.delete(s.id);
      this.removed.add(s.id);
      this.log.info({ system: s.id }, 'retired system: its delivery queue was deleted');
    }
  }

  private async ensureQueues(ids: string[]): Promise<void> {
    const conn = this.conn;
    if (!conn) throw new HubError('HUB_BROKER_UNAVAILABLE', 'The broker is not connected');
    for (const id of ids) {
      if (!this.declared.has(id)) {
        await declareSystemQueue(await this.controlChannel(), this.names, id);
        this.declared.add(id);
      }
      const system = this.deps.registry.get(id);
      if (!this.workers.has(id) && system?.status === 'active' && system.delivery.mode === 'push') {
        const w = new DeliveryWorker({ ...this.deps, log: this.log, names: this.names }, id);
        this.workers.set(id, w);
        try {
          await w.start(conn);
        } catch (err) {
          this.workers.delete(id);
          throw err;
        }
        w.channel?.on('close', () => {
          // A channel error (not a connection loss): start this system's worker again shortly.
          if (this.workers.get(id) === w && this.conn === conn && !this.closed) {
            this.workers.delete(id);
            setTimeout(() => void this.ensureQueues([id]).catch((err) => this.log.error({ system: id, err: String(err) }, 'restarting a delivery worker failed')), 500).unref();
          }
        });
      }
    }
  }

  /**
   * The mapping version a dead letter failed with (api.md "Dead letters", `mapping: "original"`), or undefined when
   * that is the system's adapter as it is now (a built-in adapter has one version).
   */
  async originalAdapter(dl: DeadLetter): Promise<ResolvedAdapter | undefined> {
    const system = this.deps.registry.get(dl.systemId);
    if (!system || system.adapter !== 'mapping') return undefined;
    const by = dl.encodedBy;
    if (!by || by.adapter !== 'mapping') {
      throw new HubError('HUB_VALIDATION', `Dead letter ${dl.id} does not record the mapping version it failed with`, [{ path: '/mapping', message: 'no original version recorded; replay with "active"' }]);
    }
    const v = await this.deps.store.mappings.getVersion(system.id, Number(by.version));
    if (!v) throw new HubError('HUB_NOT_FOUND', `System ${system.id} has no mapping version ${by.version}`);
    return mappingAdapter(v.document, v.version, v.sha256);
  }

  /**
   * Sends a dead letter again: to the system's queue (push) or its mailbox (pull), as the system is now, encoded
   * with its active mapping version or (`original`) with the one it failed with.
   */
  async replay(dl: DeadLetter, mapping: 'active' | 'original' = 'active'): Promise<void> {
    const system = this.deps.registry.get(dl.systemId);
    if (!system || system.status !== 'active' || system.delivery.mode === 'none') {
      throw new HubError('HUB_DEAD_LETTER_TARGET', `System ${dl.systemId} takes no deliveries now`);
    }
    const original = mapping === 'original' ? await this.originalAdapter(dl) : undefined;
    const ce = JSON.parse(dl.event) as CloudEvent;
    const key = { systemId: dl.systemId, eventId: dl.eventId, dossierCode: dl.dossierCode, revision: dl.revision };
    if (system.delivery.mode === 'pull') {
      const resolved = original ?? this.deps.registry.adapterFor(system);
      const native = mailboxBody(encodeFor(system, fromCloudEvent(ce), resolved));
      await this.deps.store.relay.plan([], [{ ...key, type: eventType(ce), ...native, encodedBy: resolved?.provenance ?? null }], []);
      await this.deps.store.relay.resolveDeadLetter(dl.id, 'replayed');
      return;
    }
    if (!this.up) throw new HubError('HUB_BROKER_UNAVAILABLE', 'The broker is not connected; replay when /readyz says broker up');
    await this.ensureQueues([system.id]);
    const ch = await this.controlChannel();
    // Pending first, then publish: the worker must not take the replayed message for a duplicate of a dead one.
    await this.deps.store.relay.resolveDeadLetter(dl.id, 'replayed');
    try {
      await new Promise<void>((resolve, reject) => {
        ch.publish(this.names.deliver, system.id, Buffer.from(dl.event), {
          messageId: dl.eventId, contentType: CLOUDEVENTS_JSON, persistent: true, mandatory: true, type: eventType(ce),
          timestamp: Math.floor(Date.now() / 1000), appId: 'lgsp-hub',
          headers: {
            'x-dossier-code': dl.dossierCode, 'x-agency': ce.data.dossier.agency.code, 'x-source-system': fromCloudEvent(ce).source,
            'x-revision': dl.revision, 'x-event-type': eventType(ce), 'x-attempt': 0, 'x-replay-of': dl.id,
            ...(original ? { [ENCODE_WITH]: Number(original.provenance.version) } : {}),
          },
        }, (err) => (err ? reject(new Error(String(err))) : resolve()));
      });
    } catch (err) {
      await this.deps.store.relay.addDeadLetter({ ...key, reason: `replay failed: ${(err as Error).message}`, attempts: dl.attempts, lastResponse: dl.lastResponse, event: dl.event });
      throw new HubError('HUB_BROKER_UNAVAILABLE', 'The broker did not take the replayed message; it is a dead letter again');
    }
  }

  /** Retry tier names in use (for the AsyncAPI document and tests). */
  tiers(): string[] {
    return [...new Set(this.deps.config.retryDelaysMs)].map(tierName);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    await this.publisher.stop(CLOSE_GRACE_MS);
    await Promise.all([...this.workers.values()].map((w) => w.stop(CLOSE_GRACE_MS)));
    this.workers.clear();
    this.up = false;
    await this.broker.close();
  }
}
