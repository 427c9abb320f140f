// Prometheus metrics (prom-client), one registry per app instance so tests can build several apps.
// Every name here is what docs/ops/alerts.yaml and docs/ops/grafana-dashboard.json use
// (test/http/metrics.test.ts checks that each name they use exists and that `promtool check metrics` passes).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the gauges read when Prometheus scrapes (each optional: a bench builds metrics without a store). */
export interface MetricProbes {
  outbox?: () => Promise<{ count: number; oldestCreatedAt: number | null }>;
  /** Open dead letters and unacknowledged mailbox messages per system. */
  depths?: () => Promise<{ deadLetters: Record<string, number>; mailbox: Record<string, number> }>;
  /** Registered system ids, so that a system with nothing pending shows 0 rather than no series. */
  systems?: () => string[];
  broker?: () => 'up' | 'down';
}

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  ingest: Counter<'system' | 'code'>;
  /** Ingest requests refused before the pipeline (400, 413, 415): no item outcome counts them. */
  ingestRefused: Counter<'system' | 'status'>;
  authFailures: Counter<'system'>;
  storeLatency: Histogram<'op'>;
  outboxBacklog: Gauge;
  published: Counter<'result'>;
  confirmLatency: Histogram;
  deliveries: Counter<'system' | 'result'>;
  deliveryLatency: Histogram<'system'>;
  deliveryAttempts: Histogram<'system'>;
}

// prom-client's gauges named *_total break the Prometheus naming rule (promtool: "non-counter metrics should not
// have _total suffix"); the same counts stay available by type (hub_nodejs_active_handles{type}, …).
const MISNAMED_DEFAULTS = ['active_handles_total', 'active_requests_total', 'active_resources_total'];

export function createMetrics(probes: MetricProbes = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  for (const n of MISNAMED_DEFAULTS) registry.removeSingleMetric(`hub_nodejs_${n}`);
  const registers = [registry];

  // One scrape reads the store once for both per-system gauges.
  let depthsScrape: Promise<{ deadLetters: Record<string, number>; mailbox: Record<string, number> }> | undefined;
  const depths = () => {
    depthsScrape ??= (probes.depths?.() ?? Promise.resolve({ deadLetters: {}, mailbox: {} })).finally(() => setImmediate(() => { depthsScrape = undefined; }));
    return depthsScrape;
  };
  const perSystem = (g: Gauge<'system'>, counts: Record<string, number>) => {
    g.reset();
    for (const id of probes.systems?.() ?? []) g.set({ system: id }, 0);
    for (const [id, n] of Object.entries(counts)) g.set({ system: id }, n);
  };

  new Gauge({
    name: 'hub_outbox_oldest_age_seconds', help: 'Age of the oldest change stored but not yet confirmed by the broker (0: none)', registers,
    async collect() {
      const b = await probes.outbox?.();
      this.set(b?.oldestCreatedAt == null ? 0 : Math.max(0, (Date.now() - b.oldestCreatedAt) / 1000));
    },
  });
  new Gauge({
    name: 'hub_dead_letters', help: 'Open dead letters (deliveries that failed for good) by system', labelNames: ['system'], registers,
    async collect() { perSystem(this, (await depths()).deadLetters); },
  });
  new Gauge({
    name: 'hub_mailbox_depth', help: 'Unacknowledged mailbox messages by pull-mode system', labelNames: ['system'], registers,
    async collect() { perSystem(this, (await depths()).mailbox); },
  });
  new Gauge({
    name: 'hub_broker_up', help: 'Whether the relay holds a connection to RabbitMQ (1) or not (0)', registers,
    collect() { this.set(probes.broker?.() === 'up' ? 1 : 0); },
  });

  return {
    registry,
    requests: new Counter({ name: 'hub_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers }),
    requestDuration: new Histogram({ name: 'hub_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers }),
    ingest: new Counter({ name: 'hub_ingest_results_total', help: 'Ingested items by system and result code (OK, DUPLICATE or a HUB_ code)', labelNames: ['system', 'code'], registers }),
    ingestRefused: new Counter({ name: 'hub_ingest_refused_total', help: 'Ingest requests refused before their items were read (400 malformed, 413 too large, 415 media type), by system and status', labelNames: ['system', 'status'], registers }),
    authFailures: new Counter({ name: 'hub_auth_failures_total', help: 'Failed logins (401) by the system the credentials claimed (unknown: not a registered system)', labelNames: ['system'], registers }),
    storeLatency: new Histogram({ name: 'hub_store_latency_seconds', help: 'Store operation latency, including the wait for the group commit', labelNames: ['op'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers }),
    outboxBacklog: new Gauge({
      name: 'hub_outbox_backlog', help: 'Changes stored but not yet confirmed by the broker', registers,
      async collect() { const b = await probes.outbox?.(); if (b) this.set(b.count); },
    }),
    published: new Counter({ name: 'hub_relay_published_total', help: 'Events published to the broker by result (confirmed, returned, failed)', labelNames: ['result'], registers }),
    confirmLatency: new Histogram({ name: 'hub_relay_confirm_latency_seconds', help: 'Time from publish to broker confirm', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers }),
    deliveries: new Counter({ name: 'hub_delivery_results_total', help: 'Push deliveries by system and result', labelNames: ['system', 'result'], registers }),
    deliveryLatency: new Histogram({ name: 'hub_delivery_latency_seconds', help: 'Push deliveries by system: from the hub\'s acceptance of the change (AMQP timestamp, 1 s resolution) to the recipient\'s acceptance, retries included', labelNames: ['system'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800, 3600], registers }),
    deliveryAttempts: new Histogram({ name: 'hub_delivery_attempts', help: 'Attempts a push delivery took, by system, counted when it ends (delivered or dead)', labelNames: ['system'], buckets: [1, 2, 3, 5, 8, 10, 20], registers }),
  };
}

/** A finished push delivery: attempts always; latency when delivered and the publish time is known (AMQP timestamp: the change's acceptance, s). */
export function observeDelivery(m: Metrics, system: string, attempts: number, publishedAtS: number | undefined, delivered: boolean): void {
  m.deliveryAttempts.observe({ system }, attempts);
  if (delivered && publishedAtS) m.deliveryLatency.observe({ system }, Math.max(0, Date.now() / 1000 - publishedAtS));
}

/** The calendar's warnings as gauges (domain.md "Deadlines" rule 9; api.md "Operations"), read at each scrape. */
export function addCalendarGauges(registry: Registry, warnings: () => Promise<{ missingYears: number[]; provisionalDueDates: number }>): void {
  new Gauge({
    name: 'hub_calendar_missing_years', help: 'Years from the current one to the one 120 days ahead with no holiday file', registers: [registry],
    async collect() { this.set((await warnings()).missingYears.length); },
  });
  new Gauge({
    name: 'hub_due_dates_provisional', help: 'Open dossiers (status 2, 4, 5, 6, 8) whose hub-computed due date is provisional', registers: [registry],
    async collect() { this.set((await warnings()).provisionalDueDates); },
  });
}
