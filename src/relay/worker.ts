// The delivery worker of one push-mode system: its own confirm channel and consumer (a slow or dead target
// holds up nobody else), a bounded prefetch, and for each message: dedup → order check → encode → POST → verdict.
//
// Dedup: the store keeps one row per (system, event); a message whose row says delivered (or dead) is acked
// without sending — a redelivery after a crash, a duplicate publish after a relay restart.
// Order (amqp.md: a later revision waits behind an earlier one in retry): messages of one dossier are handled
// one after another in arrival order (a promise chain per dossier), and before sending revision r the worker
// asks the store whether an earlier revision of that dossier to this system is still pending. If so the message
// goes to the shortest retry tier without counting an attempt and comes back to check again. A dead letter
// is not pending: giving up on one revision lets the later ones through (else one poison message would freeze
// the dossier for that target until an operator acts); a replayed revision then arrives late, and carries
// X-Revision for the target to see it.
// Nothing is acked before the step that keeps the message is done: the store write (delivered, dead letter)
// or the broker's confirm of the republish (retry tier, `<p>.dead`).
import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from 'pino';
import type { CloudEvent } from '../canonical/cloudevent.js';
import type { HubConfig } from '../config.js';
import { observeDelivery, type Metrics } from '../ops/metrics.js';
import type { Provenance, Store, SystemRecord } from '../store/types.js';
import type { Registry } from '../systems/registry.js';
import { encodeFor, fromCloudEvent } from './envelope.js';
import { KEPT_RESPONSE_CHARS, push } from './push.js';
import { tierName, type Names } from './topology.js';
import { mappingAdapter, type ResolvedAdapter } from '../mappings/adapters.js';

const PREFETCH = 16;
const JITTER = 0.2;
const DEFAULT_TIMEOUT_MS = 5000;

export interface WorkerDeps {
  config: Readonly<HubConfig>;
  store: Store;
  registry: Registry;
  log: Logger;
  metrics: Metrics;
  names: Names;
}

/** The header of a replayed message that pins the mapping version it is encoded with (api.md "Dead letters"). */
export const ENCODE_WITH = 'x-encode-with';

/** `encodedBy`: the adapter and mapping version the attempt encoded with (mapping.md §13). */
/** `status`: the department's HTTP status, absent when there was no answer (network, encoding, no push URL). */
type Outcome = ({ kind: 'ok' } | { kind: 'retry' | 'dead'; reason: string; lastResponse: string | null }) & { encodedBy?: Provenance | null; status?: number };

const header = (m: ConsumeMessage, name: string): unknown => m.properties.headers?.[name];

export class DeliveryWorker {
  private ch: ConfirmChannel | undefined;
  private tag: string | undefined;
  private readonly chains = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: WorkerDeps, readonly systemId: string) {}

  async start(conn: ChannelModel): Promise<void> {
    const ch = await conn.createConfirmChannel();
    this.ch = ch;
    ch.on('error', (err: Error) => this.deps.log.warn({ system: this.systemId, err: err.message }, 'delivery channel error'));
    await ch.prefetch(PREFETCH);
    const { consumerTag } = await ch.consume(this.deps.names.deliverQueue(this.systemId), (m) => {
      if (m) this.enqueue(ch, m);
    });
    this.tag = consumerTag;
  }

  get channel(): ConfirmChannel | undefined {
    return this.ch;
  }

  /** Stops consuming, waits (at most graceMs) for messages being handled, closes the channel; unacked ones come back later. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    const ch = this.ch;
    this.ch = undefined;
    // The channel may be gone already (connection lost): nothing here may throw.
    const quietly = async (f: () => Promise<unknown>) => { try { await f(); } catch { /* already closed */ } };
    if (ch && this.tag) await quietly(() => ch.cancel(this.tag!));
    if (graceMs > 0) await Promise.race([Promise.allSettled([...this.chains.values()]), new Promise((r) => setTimeout(r, graceMs).unref())]);
    if (ch) await quietly(() => ch.close());
  }

  private enqueue(ch: ConfirmChannel, m: ConsumeMessage): void {
    const key = String(header(m, 'x-dossier-code') ?? m.properties.messageId ?? '');
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.handle(ch, m))
      .catch((err) => {
        // The message stays unacked and comes back when the channel closes; nothing is lost.
        this.deps.log.error({ system: this.systemId, eventId: m.properties.messageId, err: String(err) }, 'delivery step failed');
      })
      .finally(() => { if (this.chains.get(key) === next) this.chains.delete(key); });
    this.chains.set(key, next);
  }

  private async handle(ch: ConfirmChannel, m: ConsumeMessage): Promise<void> {
    if (this.stopped) return; // left unacked: redelivered to the next consumer
    const { store, metrics } = this.deps;
    const eventId = String(m.properties.messageId);
    const dossierCode = String(header(m, 'x-dossier-code'));
    const revision = Number(header(m, 'x-revision'));
    const attempt = Number(header(m, 'x-attempt') ?? 0);
    const key = { systemId: this.systemId, eventId, dossierCode, revision };

    const state = await store.relay.deliveryState(this.systemId, eventId);
    if (state === 'delivered' || state === 'dead') {
      metrics.deliveries.inc({ system: this.systemId, result: 'duplicate' });
      ch.ack(m);
      return;
    }
    if (state === undefined) await store.relay.plan([key], [], []);
    if (await store.relay.earlierPending(this.systemId, dossierCode, revision)) {
      metrics.deliveries.inc({ system: this.systemId, result: 'waiting' });
      await this.republish(ch, m, this.deps.names.retry(tierName(this.deps.config.retryDelaysMs[0]!)), attempt, this.deps.config.retryDelaysMs[0]!, { 'x-waiting': 1 });
      ch.ack(m);
      return;
    }

    const outcome = await this.attempt(m, eventId, dossierCode, revision);
    const attempts = attempt + 1;
    const retried = outcome.kind === 'retry' && attempts < this.deps.config.retryAttempts;
    // Each try is a row of the provenance (api.md "Mapping versions"): at, status, verdict, encodedBy.
    await store.relay.recordAttempt({ systemId: this.systemId, eventId, dossierCode, at: Date.now(), status: outcome.status ?? null,
      verdict: outcome.kind === 'ok' ? 'ok' : retried ? 'retry' : 'failed', encodedBy: outcome.encodedBy ?? null });
    if (outcome.kind === 'ok') {
      await store.relay.markDelivered(this.systemId, eventId, outcome.encodedBy ?? null);
      metrics.deliveries.inc({ system: this.systemId, result: 'delivered' });
      observeDelivery(metrics, this.systemId, attempts, m.properties.timestamp, true);
      ch.ack(m);
      return;
    }
    if (retried) {
      const delays = this.deps.config.retryDelaysMs;
      const delay = delays[Math.min(attempts - 1, delays.length - 1)]!;
      await this.republish(ch, m, this.deps.names.retry(tierName(delay)), attempts, delay, { 'x-last-response': (outcome.lastResponse ?? outcome.reason).slice(0, 500) });
      metrics.deliveries.inc({ system: this.systemId, result: 'retry' });
      this.deps.log.info({ system: this.systemId, eventId, dossierCode, attempts, reason: outcome.reason }, 'delivery failed; retrying');
      ch.ack(m);
      return;
    }
    const reason = outcome.kind === 'retry' ? `attempts exhausted (${attempts}): ${outcome.reason}` : outcome.reason;
    const dead = await store.relay.addDeadLetter({ ...key, reason, attempts, lastResponse: outcome.lastResponse, event: m.content.toString('utf8'), encodedBy: outcome.encodedBy ?? null });
    metrics.deliveries.inc({ system: this.systemId, result: 'dead' });
    observeDelivery(metrics, this.systemId, attempts, m.properties.timestamp, false);
    this.deps.log.warn({ system: this.systemId, eventId, dossierCode, attempts, reason, deadLetter: dead.id }, 'delivery failed for good; dead letter stored');
    await this.confirmPublish(ch, '', this.deps.names.dead, m.content, {
      ...this.baseProps(m),
      headers: { ...this.baseHeaders(m), 'x-system': this.systemId, 'x-dead-letter-id': dead.id, 'x-reason': reason.slice(0, 500), 'x-attempts': attempts },
    }).catch((err) => this.deps.log.warn({ err: String(err) }, 'copy to the dead queue failed (the store keeps the dead letter)'));
    ch.ack(m);
  }

  /** One try: encode with the system's adapter, POST, judge. */
  private async attempt(m: ConsumeMessage, eventId: string, dossierCode: string, revision: number): Promise<Outcome> {
    const system: SystemRecord | undefined = this.deps.registry.get(this.systemId);
    if (!system || system.status !== 'active' || system.delivery.mode !== 'push' || !system.delivery.url) {
      return { kind: 'dead', reason: `system ${this.systemId} no longer takes push deliveries`, lastResponse: null };
    }
    const resolved = await this.adapterOf(system, m);
    const encodedBy = resolved?.provenance ?? null;
    let native;
    try {
      native = encodeFor(system, fromCloudEvent(JSON.parse(m.content.toString('utf8')) as CloudEvent), resolved);
    } catch (err) {
      return { kind: 'dead', reason: `encoding failed: ${(err as Error).message}`.slice(0, 500), lastResponse: null, encodedBy };
    }
    const res = await push(system.delivery.url, native, {
      'x-event-id': eventId, 'x-dossier-code': dossierCode, 'x-revision': String(revision),
    }, system.delivery.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if ('error' in res) return { kind: 'retry', reason: `network: ${res.error}`, lastResponse: null, encodedBy };
    const lastResponse = `HTTP ${res.status}: ${res.body}`.slice(0, KEPT_RESPONSE_CHARS);
    const verdict = resolved!.adapter.judgeReply(res.status, res.body);
    if (verdict.ok) return { kind: 'ok', encodedBy, status: res.status };
    return { kind: verdict.permanent ? 'dead' : 'retry', reason: verdict.reason, lastResponse, encodedBy, status: res.status };
  }

  private baseProps(m: ConsumeMessage): Options.Publish {
    const p = m.properties;
    return {
      messageId: p.messageId, contentType: p.contentType, timestamp: p.timestamp, persistent: true,
      correlationId: p.correlationId, type: p.type, appId: p.appId,
    };
  }

  /** The headers the relay set, without the broker's own (x-death…) and our retry bookkeeping. */
  /** The system's adapter, or the mapping version a replay asked for (`x-encode-with`, kept across retries). */
  private async adapterOf(system: SystemRecord, m: ConsumeMessage): Promise<ResolvedAdapter | undefined> {
    const pinned = Number(m.properties.headers?.[ENCODE_WITH]);
    if (system.adapter === 'mapping' && Number.isInteger(pinned) && pinned > 0) {
      const v = await this.deps.store.mappings.getVersion(system.id, pinned);
      if (v) return mappingAdapter(v.document, v.version, v.sha256);
    }
    return this.deps.registry.adapterFor(system);
  }

  private baseHeaders(m: ConsumeMessage): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m.properties.headers ?? {})) {
      if (!k.startsWith('x-death') && !k.startsWith('x-first-death') && !k.startsWith('x-last-death') && k !== 'x-waiting' && k !== 'x-last-response') out[k] = v;
    }
    return out;
  }

  /** To a retry tier, keeping the routing key (the system id) and with a jittered per-message TTL. */
  private republish(ch: ConfirmChannel, m: ConsumeMessage, exchange: string, attempts: number, delayMs: number, extra: Record<string, unknown>): Promise<void> {
    const expiration = String(Math.max(1, Math.round(delayMs * (1 - JITTER * Math.random()))));
    return this.confirmPublish(ch, exchange, this.systemId, m.content, {
      ...this.baseProps(m), expiration, headers: { ...this.baseHeaders(m), 'x-attempt': attempts, ...extra },
    });
  }

  private confirmPublish(ch: ConfirmChannel, exchange: string, routingKey: string, body: Buffer, props: Options.Publish): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        ch.publish(exchange, routingKey, body, props, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
      } catch (err) {
        reject(err);
      }
    });
  }
}
