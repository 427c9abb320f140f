// The outbox relay: drains stored changes into `<p>.events` (and one delivery per push-mode recipient into
// `<p>.deliver`) on a confirm channel, pipelined: up to WINDOW rows in flight, confirmed asynchronously, and
// marked relayed in batches once every message of a row is acked.
//
// Order. Rows are read and published in change order on one channel, which keeps their order at the broker.
// On top of that a dossier has at most one row in flight: a later revision of a dossier whose earlier one is
// unconfirmed is held in memory until that confirm arrives. So a nack or a lost channel can never leave a
// later revision accepted by the broker ahead of an earlier one that must be sent again.
// Recovery. Any failure (nack, channel or connection loss) drops the in-flight state; the next channel starts
// again from the oldest unrelayed row. Rows the broker took but we never heard of go out twice (amqp.md
// allows it: one event id, consumers deduplicate).
import type { ConfirmChannel, Message } from 'amqplib';
import type { Logger } from 'pino';
import type { CloudEvent } from '../canonical/cloudevent.js';
import type { Metrics } from '../ops/metrics.js';
import type { DeadLetterInsert, MailboxInsert, OutboxRow, PlannedDelivery, Provenance, Store } from '../store/types.js';
import type { Registry } from '../systems/registry.js';
import type { Names } from './topology.js';
import { encodeFor, eventProperties, fromCloudEvent, mailboxBody, recipients } from './envelope.js';

const WINDOW = 10000;
const BATCH = 1000;
const IDLE_POLL_MS = 1000;
const MARK_BATCH = 2000;
const MARK_DELAY_MS = 20;

export interface PublisherDeps {
  store: Store;
  registry: Registry;
  log: Logger;
  metrics: Metrics;
  names: Names;
  /** Make sure these push-mode systems have a declared queue (and a worker) before anything is routed to them. */
  ensureQueues(systemIds: string[]): Promise<void>;
  /** A nack or a publish error: the relay closes this channel and opens another. */
  broken(ch: ConfirmChannel, err: Error): void;
}

interface Planned {
  row: OutboxRow;
  body: Buffer;
  props: ReturnType<typeof eventProperties>;
  deliverTo: string[];
}

export class OutboxPublisher {
  private gen = 0;
  private stopping = false;
  private dirty = true;
  private signal: (() => void) | undefined;
  private inflight = 0;
  private heldCount = 0;
  private readonly inflightDossiers = new Set<string>();
  private readonly held = new Map<string, Planned[]>();
  private marks: number[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  private marking: Promise<void> = Promise.resolve();
  private returnedSince = 0;
  private lastReturnLog = 0;

  constructor(private readonly deps: PublisherDeps) {}

  /** Start draining on a fresh confirm channel. */
  attach(ch: ConfirmChannel): void {
    const gen = ++this.gen;
    this.reset();
    ch.on('return', (m: Message) => this.returned(m));
    void this.run(gen, ch).catch((err) => this.deps.log.error({ err }, 'outbox relay loop failed'));
  }

  /** The channel is gone: forget what was in flight (it will be read again from the outbox). */
  detach(): void {
    this.gen++;
    this.reset();
    this.kick();
  }

  /** New rows were committed. */
  wake(): void {
    this.dirty = true;
    this.kick();
  }

  /** Stops after the rows in flight are confirmed (at most `graceMs`), and records what was confirmed. */
  async stop(graceMs: number): Promise<void> {
    const until = Date.now() + graceMs;
    this.stopping = true; // no new reads; confirms still count
    this.kick();
    const gen = this.gen;
    while (this.inflight > 0 && Date.now() < until && gen === this.gen) await this.waitSignal(50);
    this.gen++;
    this.reset();
    await this.flushMarks();
  }

  private reset(): void {
    this.inflight = 0;
    this.heldCount = 0;
    this.inflightDossiers.clear();
    this.held.clear();
  }

  private kick(): void {
    const s = this.signal;
    this.signal = undefined;
    s?.();
  }

  private waitSignal(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.signal = undefined; resolve(); }, ms);
      this.signal = () => { clearTimeout(timer); resolve(); };
    });
  }

  private async run(gen: number, ch: ConfirmChannel): Promise<void> {
    let after = 0; // from the oldest unrelayed row: nothing is in flight on a fresh channel
    while (gen === this.gen && !this.stopping) {
      const load = this.inflight + this.heldCount;
      if (load >= WINDOW) {
        await this.waitSignal(IDLE_POLL_MS);
        continue;
      }
      this.dirty = false;
      let rows: OutboxRow[];
      try {
        // Several instances on one database: only the lease holder relays, so per-dossier order holds.
        if (this.deps.store.relayLease && !(await this.deps.store.relayLease())) {
          await this.waitSignal(IDLE_POLL_MS);
          continue;
        }
        rows = await this.deps.store.pendingOutbox(Math.min(BATCH, WINDOW - load), after);
      } catch (err) {
        this.deps.log.error({ err }, 'reading the outbox failed');
        await this.waitSignal(IDLE_POLL_MS);
        continue;
      }
      if (!rows.length) {
        await this.flushMarks();
        if (!this.dirty && gen === this.gen) await this.waitSignal(IDLE_POLL_MS);
        continue;
      }
      let planned: Planned[];
      try {
        planned = await this.plan(rows);
      } catch (err) {
        // Store or broker trouble while planning: the same rows are read again after a pause.
        this.deps.log.error({ err: String(err) }, 'planning deliveries failed');
        await this.waitSignal(IDLE_POLL_MS);
        continue;
      }
      after = rows[rows.length - 1]!.seq;
      for (const p of planned) {
        if (gen !== this.gen || this.stopping) return;
        if (this.inflightDossiers.has(p.row.dossierCode)) {
          const queue = this.held.get(p.row.dossierCode) ?? [];
          queue.push(p);
          this.held.set(p.row.dossierCode, queue);
          this.heldCount++;
          continue;
        }
        if (!this.publish(gen, ch, p)) {
          await new Promise<void>((resolve) => {
            const done = () => { ch.off('drain', done); ch.off('close', done); resolve(); };
            ch.once('drain', done);
            ch.once('close', done);
          });
        }
      }
    }
  }

  /** Recipients, mailbox rows and planned deliveries of a batch (one store transaction, idempotent). */
  private async plan(rows: OutboxRow[]): Promise<Planned[]> {
    const systems = this.deps.registry.active().filter((s) => s.delivery.mode !== 'none' && s.subscriptions.length);
    const push: PlannedDelivery[] = [];
    const mailbox: MailboxInsert[] = [];
    const dead: DeadLetterInsert[] = [];
    const queues = new Set<string>();
    const out: Planned[] = [];
    for (const row of rows) {
      let ce: CloudEvent;
      try {
        ce = JSON.parse(row.event) as CloudEvent;
      } catch (err) {
        // Never happens with rows the store wrote; if it did, holding it would stop the relay for good.
        this.deps.log.error({ seq: row.seq, eventId: row.eventId, err: String(err) }, 'outbox row is not JSON; skipped');
        this.mark(row.seq);
        continue;
      }
      const deliverTo: string[] = [];
      const key = { eventId: row.eventId, dossierCode: row.dossierCode, revision: row.revision };
      for (const s of systems.length ? recipients(systems, ce, row.type, row.source) : []) {
        if (s.delivery.mode === 'push') {
          push.push({ systemId: s.id, ...key });
          deliverTo.push(s.id);
          queues.add(s.id);
          continue;
        }
        let encodedBy: Provenance | null = null;
        try {
          const resolved = this.deps.registry.adapterFor(s);
          encodedBy = resolved?.provenance ?? null;
          mailbox.push({ systemId: s.id, ...key, type: row.type, ...mailboxBody(encodeFor(s, fromCloudEvent(ce), resolved)), encodedBy });
        } catch (err) {
          dead.push({ systemId: s.id, ...key, reason: `encoding failed: ${(err as Error).message}`.slice(0, 500), attempts: 0, lastResponse: null, event: row.event, encodedBy });
        }
      }
      out.push({ row, body: Buffer.from(row.event), props: eventProperties(row, ce.data.dossier.agency.code), deliverTo });
    }
    await this.deps.store.relay.plan(push, mailbox, dead);
    if (queues.size) await this.deps.ensureQueues([...queues]);
    return out;
  }

  /** Publishes a row's event and deliveries; returns false when the channel asks to wait for 'drain'. */
  private publish(gen: number, ch: ConfirmChannel, p: Planned): boolean {
    const { names, metrics } = this.deps;
    this.inflight++;
    this.inflightDossiers.add(p.row.dossierCode);
    const started = performance.now();
    let remaining = 1 + p.deliverTo.length;
    let failure: Error | undefined;
    const confirmed = (err: unknown) => {
      if (err) failure ??= err instanceof Error ? err : new Error(String(err));
      if (--remaining > 0 || gen !== this.gen) return;
      metrics.confirmLatency.observe((performance.now() - started) / 1000);
      if (failure) {
        metrics.published.inc({ result: 'failed' });
        this.deps.log.warn({ eventId: p.row.eventId, err: failure.message }, 'publish not confirmed; the relay starts again from the outbox');
        this.detach();
        this.deps.broken(ch, failure);
        return;
      }
      metrics.published.inc({ result: 'confirmed' });
      this.inflight--;
      this.inflightDossiers.delete(p.row.dossierCode);
      this.mark(p.row.seq);
      const next = this.stopping ? undefined : this.held.get(p.row.dossierCode)?.shift();
      if (next) {
        this.heldCount--;
        if (!this.held.get(p.row.dossierCode)!.length) this.held.delete(p.row.dossierCode);
        this.publish(gen, ch, next);
      }
      this.kick();
    };
    try {
      let ok = ch.publish(names.events, p.row.type, p.body, p.props, confirmed);
      for (const systemId of p.deliverTo) {
        ok = ch.publish(names.deliver, systemId, p.body, { ...p.props, headers: { ...p.props.headers, 'x-attempt': 0 } }, confirmed) && ok;
      }
      return ok;
    } catch (err) {
      // The channel closed under us: the 'close' handler restarts from the outbox.
      this.deps.log.warn({ err: String(err) }, 'publish failed');
      return true;
    }
  }

  private returned(m: Message): void {
    this.deps.metrics.published.inc({ result: 'returned' });
    if (m.fields.exchange === this.deps.names.deliver) {
      this.deps.log.error({ system: m.fields.routingKey, eventId: m.properties.messageId }, 'delivery unroutable: no queue for this system');
      return;
    }
    // amqp.md: an unroutable event is logged and counted, then treated as relayed. Logged at most once a minute.
    this.returnedSince++;
    const now = Date.now();
    if (now - this.lastReturnLog > 60_000) {
      this.deps.log.warn({ exchange: m.fields.exchange, routingKey: m.fields.routingKey, count: this.returnedSince }, 'events unroutable: no queue is bound for them');
      this.lastReturnLog = now;
      this.returnedSince = 0;
    }
  }

  private mark(seq: number): void {
    this.marks.push(seq);
    if (this.marks.length >= MARK_BATCH) void this.flushMarks();
    else this.markTimer ??= setTimeout(() => void this.flushMarks(), MARK_DELAY_MS);
  }

  private flushMarks(): Promise<void> {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = undefined;
    const seqs = this.marks;
    this.marks = [];
    if (seqs.length) {
      this.marking = this.marking.then(() => this.deps.store.markRelayed(seqs)).catch((err) => {
        // Not fatal: these rows are published again later (duplicates by id are allowed).
        this.deps.log.error({ err, count: seqs.length }, 'marking rows relayed failed');
      });
    }
    return this.marking;
  }
}
