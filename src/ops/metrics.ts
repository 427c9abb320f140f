// Prometheus metrics (prom-client), one registry per app instance so tests can build several apps.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  ingest: Counter<'system' | 'code'>;
  storeLatency: Histogram<'op'>;
  outboxBacklog: Gauge;
  published: Counter<'result'>;
  confirmLatency: Histogram;
  deliveries: Counter<'system' | 'result'>;
}

export function createMetrics(backlog?: () => Promise<number>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  return {
    registry,
    requests: new Counter({ name: 'hub_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    requestDuration: new Histogram({ name: 'hub_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    ingest: new Counter({ name: 'hub_ingest_results_total', help: 'Ingested items by system and result code (OK, DUPLICATE or a HUB_ code)', labelNames: ['system', 'code'], registers: [registry] }),
    storeLatency: new Histogram({ name: 'hub_store_latency_seconds', help: 'Store operation latency, including the wait for the group commit', labelNames: ['op'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    outboxBacklog: new Gauge({
      name: 'hub_outbox_backlog', help: 'Changes stored but not yet confirmed by the broker', registers: [registry],
      async collect() { if (backlog) this.set(await backlog()); },
    }),
    published: new Counter({ name: 'hub_relay_published_total', help: 'Events published to the broker by result (confirmed, returned, failed)', labelNames: ['result'], registers: [registry] }),
    confirmLatency: new Histogram({ name: 'hub_relay_confirm_latency_seconds', help: 'Time from publish to broker confirm', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [registry] }),
    deliveries: new Counter({ name: 'hub_delivery_results_total', help: 'Push deliveries by system and result', labelNames: ['system', 'result'], registers: [registry] }),
  };
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
