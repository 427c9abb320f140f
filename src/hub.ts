// The hub's services, built once per process (style.md "Services apart from listeners"): the store, registry,
// pipeline, relay, trust, authentication, bookkeeping and metrics. The HTTP app and the HTTPS listener (app.ts)
// both serve this one set, so a second listener never opens a second store. Only `serve` builds it.
import path from 'node:path';
import type { DestinationStream } from 'pino';
import type { HubConfig } from './config.js';
import { createLogger } from './logger.js';
import { ConsoleSessions } from './console/sessions.js';
import { loadCriteria } from './conformance/criteria.js';
import type { ConformanceEvidence } from './conformance/evidence.js';
import { mappingEvidence } from './mappings/suite.js';
import { SuiteRunner } from './mappings/suite-runner.js';
import { loadProcedures } from './calendar/catalogue.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { openPgStore } from './store/pg/index.js';
import type { Store } from './store/types.js';
import { Registry } from './systems/registry.js';
import { bootstrapSystems } from './systems/bootstrap.js';
import { BookkeepingBuffer } from './systems/bookkeeping.js';
import { seedRollout } from './admin/rollout.js';
import { loadSecrets } from './trust/secrets.js';
import { Authenticator } from './trust/auth.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { addCalendarGauges, createMetrics } from './ops/metrics.js';
import { dueDates, loadDeadlineConfig, missingYears } from './calendar/due-dates.js';
import { Relay } from './relay/index.js';
import { Trust } from './trust/service.js';
import type { BrokerState, HubContext } from './context.js';

export interface HubOptions {
  config: Readonly<HubConfig>;
  /** Where log lines go (tests capture them); stdout when absent. */
  logStream?: DestinationStream;
  /** The conformance report's samples and mapping evidence (default: none known). */
  evidence?: ConformanceEvidence;
}

export interface Hub {
  /** What the route plugins share. */
  ctx: HubContext;
  relay: Relay | undefined;
  /** The server secret of the key and token HMACs (the admin token routes make new ones). */
  keySecret: string;
  /** Closes the services once, in dependency order; later calls answer the same promise. */
  close(): Promise<void>;
}

async function openStore(config: Readonly<HubConfig>): Promise<Store> {
  // Several instances share one PostgreSQL database (api.md "Several instances").
  if (config.databaseUrl) return openPgStore(config.databaseUrl, { pool: config.dbPool, mirrorFile: path.join(config.dataDir, 'audit-checkpoint.json') });
  return openSqliteStore(config.dataDir, undefined, { minFreeMb: config.minFreeMb });
}

export async function createHub(opts: HubOptions): Promise<Hub> {
  const { config } = opts;
  const log = createLogger(config.logLevel, opts.logStream);
  const secrets = loadSecrets(config.dataDir, config.adminToken, config.secretsDir);
  if (secrets.adminTokenCreated) log.warn({ file: secrets.adminTokenFile }, 'generated the administrator token; it is in this file (mode 0600)');
  const deadlines = loadDeadlineConfig(config.configDir);
  if (!deadlines) log.warn({ configDir: config.configDir }, 'no calendar.json: the hub computes no due dates');
  const criteria = loadCriteria(config.configDir);
  const procedures = deadlines?.procedures ?? loadProcedures(config.configDir);
  const knownProcedure = (code: string) => procedures.has(code);
  const store = await openStore(config);
  const registry = new Registry(store, secrets.keySecret);
  await registry.load();
  await bootstrapSystems(registry, config.configDir, config.dataDir, log, (e) => store.audit(e), store);
  await seedRollout(store, config.configDir, log);
  const bookkeeping = new BookkeepingBuffer(store, (err) => log.error({ err }, 'bookkeeping flush failed'));
  let warnedBootstrap = 0;
  let broker: BrokerState = { state: () => 'down' };
  const metrics = createMetrics({
    outbox: () => store.outboxBacklog(),
    ...(store.relay.depths ? { depths: () => store.relay.depths!() } : {}),
    systems: () => registry.list().map((s) => s.id),
    broker: () => broker.state(),
  });
  const calendarWarnings = async () => ({ missingYears: missingYears(deadlines, Date.now()), provisionalDueDates: await store.provisionalDueDates() });
  addCalendarGauges(metrics.registry, calendarWarnings);
  // The relay (amqp.md) starts connecting in the background: ingest never waits for the broker.
  const relay = config.relay ? new Relay({ config, log, store, registry, metrics }).start() : undefined;
  if (relay) broker = relay;
  const trust = new Trust({ secretsDir: config.secretsDir, configDir: config.configDir, signReceipts: config.signReceipts, store, log });
  // Checkpoints of the audit chain are signed by the hub's signing key (api.md "Audit log"). The process loads the
  // keys before it listens, so a served hub signs every one; a hub built in a test that never asks for the keys
  // leaves them unsigned rather than generate a CA at its shutdown checkpoint.
  store.signAuditCheckpoints?.((bytes) => (trust.started ? trust.signDetached(bytes) : Promise.resolve(undefined)), (err) => log.error({ err }, 'audit checkpoint not signed'));
  const ctx: HubContext = {
    config, log, store, registry, metrics, broker, calendarWarnings, bookkeeping, trust,
    conformance: { criteria, evidence: opts.evidence ?? mappingEvidence(store), knownProcedure },
    consoleSessions: new ConsoleSessions(config.consoleIdleS * 1000),
    suite: new SuiteRunner(),
    auth: new Authenticator(store, registry, secrets.keySecret, secrets.adminToken, {
      certificates: trust,
      onAuditError: (err) => log.error({ err }, 'auth failure audit not written'),
      onAuthenticated: (id, hmac, now, keyId) => bookkeeping.seen(id, hmac, now, keyId),
      // Only registered systems: a guesser's made-up ids must not grow the counters.
      onFailed: (id, now) => { if (registry.get(id)) bookkeeping.failed(id, now); },
      onBootstrapIgnored: () => {
        if (Date.now() - warnedBootstrap < 60_000) return;
        warnedBootstrap = Date.now();
        log.warn('the bootstrap administrator token was presented, but it was rotated and is ignored now; use the rotated token');
      },
    }),
    pipeline: new IngestPipeline({
      store, registry, log, metrics, codes: { issuer: config.codeIssuer, nationalIssuers: config.nationalIssuers },
      ...(deadlines ? { dueDates: dueDates(deadlines) } : {}),
      onTraffic: (id, c) => bookkeeping.traffic(id, c),
      knownProcedure,
    }),
  };
  let closing: Promise<void> | undefined;
  return {
    ctx, relay, keySecret: secrets.keySecret,
    close: () => (closing ??= (async () => {
      await ctx.suite.close(); // the activation suite's worker thread
      await relay?.close(); // before the store: it flushes what the broker confirmed
      await ctx.auth.close(); // the counted auth failures' summary entries
      await bookkeeping.close();
      await store.close(); // the shutdown checkpoint, signed before the database closes
    })()),
  };
}
