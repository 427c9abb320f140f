// Builds the Fastify instance from its parts; never listens (style.md: app and process apart).
// Tests build it and use app.inject() or listen on port 0 themselves.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { DestinationStream } from 'pino';
import type { HubConfig } from './config.js';
import { OneLineRequestLog, createLogger } from './logger.js';
import { openSqliteStore } from './store/sqlite/index.js';
import type { Store } from './store/types.js';
import { Registry } from './systems/registry.js';
import { bootstrapSystems } from './systems/bootstrap.js';
import { BookkeepingBuffer } from './systems/bookkeeping.js';
import { seedRollout } from './admin/rollout.js';
import { loadSecrets } from './trust/secrets.js';
import { Authenticator, assertOneAuthorization } from './trust/auth.js';
import { serverTimeouts } from './http/timeouts.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { addCalendarGauges, createMetrics } from './ops/metrics.js';
import { countRefusals } from './ops/refusals.js';
import { installProblemHandlers, asHubError } from './http/problem.js';
import { parseJsonBody } from '../adapters/kit/json.js';
import { ulid } from './util/id.js';
import type { BrokerState, HubContext } from './context.js';
import { inboundRoutes } from './routes/inbound.js';
import { dossierRoutes } from './routes/dossiers.js';
import { adminRoutes } from './routes/admin.js';
import { opsRoutes, readinessSchema } from './routes/ops.js';
import { swaggerOptions, DOC_ONLY_STUBS } from './http/openapi.js';
import { registerHttpHabits } from './http/habits.js';
import { sharedSchemas } from './routes/schemas.js';
import { dueDates, loadDeadlineConfig, missingYears } from './calendar/due-dates.js';
import { Relay } from './relay/index.js';
import { mailboxRoutes } from './routes/mailbox.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { asyncApiRoutes } from './routes/asyncapi.js';
import { statsRoutes } from './routes/stats.js';
import { publicRoutes } from './routes/public.js';
import { Trust } from './trust/service.js';
import { trustRoutes, certificateRoutes } from './routes/trust.js';

export interface BuildOptions {
  config: Readonly<HubConfig>;
  /** Where log lines go (tests capture them); stdout when absent. */
  logStream?: DestinationStream;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function openStore(config: Readonly<HubConfig>): Store {
  if (config.databaseUrl) {
    throw new Error('DATABASE_URL selects PostgreSQL, whose store is not built yet: unset DATABASE_URL to use the embedded SQLite store');
  }
  return openSqliteStore(config.dataDir, undefined, { minFreeMb: config.minFreeMb });
}

export async function buildApp(opts: BuildOptions): Promise<{ app: FastifyInstance; ctx: HubContext }> {
  const { config } = opts;
  const log = createLogger(config.logLevel, opts.logStream);
  const secrets = loadSecrets(config.dataDir, config.adminToken);
  if (secrets.adminTokenCreated) log.warn({ file: secrets.adminTokenFile }, 'generated the administrator token; it is in this file (mode 0600)');
  const deadlines = loadDeadlineConfig(config.configDir);
  if (!deadlines) log.warn({ configDir: config.configDir }, 'no calendar.json: the hub computes no due dates');
  const store = openStore(config);
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
  const ctx: HubContext = {
    config, log, store, registry, metrics, broker, calendarWarnings, bookkeeping,
    auth: new Authenticator(store, registry, secrets.keySecret, secrets.adminToken, {
      onAuditError: (err) => log.error({ err }, 'auth failure audit not written'),
      onAuthenticated: (id, hmac, now) => bookkeeping.seen(id, hmac, now),
      onBootstrapIgnored: () => {
        if (Date.now() - warnedBootstrap < 60_000) return;
        warnedBootstrap = Date.now();
        log.warn('the bootstrap administrator token was presented, but it was rotated and is ignored now; use the rotated token');
      },
    }),
    trust: new Trust({ secretsDir: config.secretsDir, configDir: config.configDir, signReceipts: config.signReceipts, store, log }),
    pipeline: new IngestPipeline({
      store, registry, log, metrics, codes: { issuer: config.codeIssuer, nationalIssuers: config.nationalIssuers },
      ...(deadlines ? { dueDates: dueDates(deadlines) } : {}),
      onTraffic: (id, c) => bookkeeping.traffic(id, c),
    }),
  };

  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    http: serverTimeouts(config.requestTimeoutMs),
    return503OnClosing: true,
    // Only the configured proxies' X-Forwarded-For is believed (rate limits and audit use req.ip).
    trustProxy: config.trustProxy.length ? [...config.trustProxy] : false,
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    logController: new OneLineRequestLog(),
    genReqId: (req) => {
      const given = req.headers['x-correlation-id'];
      return typeof given === 'string' && CORRELATION_ID.test(given) ? given : ulid();
    },
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: 'array', useDefaults: true } },
  });

  installProblemHandlers(app);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-correlation-id', req.id);
    assertOneAuthorization(req.raw.rawHeaders);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    countRefusals(req, reply.statusCode, route, metrics, (id) => registry.get(id) !== undefined);
  });
  // One JSON parser for every JSON route: strict UTF-8, bounded depth, and no prototype keys (400).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, (body as Buffer).length ? parseJsonBody(body as Buffer) : undefined);
    } catch (err) {
      done(asHubError(err), undefined);
    }
  });
  app.addSchema(readinessSchema);

  for (const schema of [...sharedSchemas, ...DOC_ONLY_STUBS]) app.addSchema(schema);
  await registerHttpHabits(app, config);
  await app.register(swagger, swaggerOptions(config));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', {
    schema: {
      operationId: 'getOpenApi', summary: 'This document (OpenAPI 3.1)', tags: ['ops'], security: [],
      response: { 200: { description: 'OpenAPI 3.1.0', type: 'object', additionalProperties: true } },
    },
  }, async () => app.swagger());

  await app.register(opsRoutes, { ctx });
  await app.register(inboundRoutes, { ctx });
  await app.register(dossierRoutes, { ctx });
  await app.register(adminRoutes, { ctx, keySecret: secrets.keySecret });
  await app.register(mailboxRoutes, { ctx });
  await app.register(deadLetterRoutes, { ctx, relay });
  await app.register(asyncApiRoutes, { ctx });
  await app.register(statsRoutes, { ctx });
  await app.register(publicRoutes, { ctx });
  await app.register(trustRoutes, { ctx });
  await app.register(certificateRoutes, { ctx });

  app.addHook('onClose', async () => {
    await relay?.close(); // before the store: it flushes what the broker confirmed
    await ctx.auth.close(); // the counted auth failures' summary entries
    await bookkeeping.close();
    await store.close();
  });
  return { app, ctx };
}
