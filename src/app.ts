// Builds the Fastify instance from its parts; never listens (style.md: app and process apart).
// Tests build it and use app.inject() or listen on port 0 themselves.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { OneLineRequestLog } from './logger.js';
import { assertOneAuthorization } from './trust/auth.js';
import { serverTimeouts } from './http/timeouts.js';
import { countRefusals } from './ops/refusals.js';
import { installProblemHandlers, asHubError } from './http/problem.js';
import { parseJsonBody } from '../adapters/kit/json.js';
import { ulid } from './util/id.js';
import { keepRawBody } from './http/raw-body.js';
import type { HubContext } from './context.js';
import { createHub, type Hub, type HubOptions } from './hub.js';
import { inboundRoutes } from './routes/inbound.js';
import { dossierRoutes } from './routes/dossiers.js';
import { adminRoutes } from './routes/admin.js';
import { opsRoutes, readinessSchema } from './routes/ops.js';
import { swaggerOptions, DOC_ONLY_STUBS } from './http/openapi.js';
import { registerHttpHabits } from './http/habits.js';
import { sharedSchemas } from './routes/schemas.js';
import { mailboxRoutes } from './routes/mailbox.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { asyncApiRoutes } from './routes/asyncapi.js';
import { statsRoutes } from './routes/stats.js';
import { publicRoutes } from './routes/public.js';
import { trustRoutes, certificateRoutes } from './routes/trust.js';
import { consoleSessionRoutes } from './console/routes.js';
import { consoleStaticRoutes } from './console/static.js';

export interface BuildOptions extends HubOptions {
  /** The services to serve; absent → built here and closed with the app (tests, one listener). */
  hub?: Hub;
  /** HTTPS with client certificates asked for, never required (api.md "Trust", mTLS); absent → plain HTTP. */
  https?: { key: string | Buffer; cert: string | Buffer };
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(opts: BuildOptions): Promise<{ app: FastifyInstance; ctx: HubContext; hub: Hub }> {
  const { config } = opts;
  const hub = opts.hub ?? (await createHub(opts));
  const { ctx, relay } = hub;
  const { log, metrics, registry } = ctx;

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
    // The handshake asks for a certificate and completes without one or with a bad one: the refusal is an HTTP
    // 401 with a problem body, decided by the Authenticator (api.md "mTLS").
    ...(opts.https ? { https: { ...serverTimeouts(config.requestTimeoutMs), ...opts.https, requestCert: true, rejectUnauthorized: false } } : {}),
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: 'array', useDefaults: true } },
  });

  installProblemHandlers(app);
  // Synchronous hooks (a throw is the request's error, as a rejection was): no promise per request and hook.
  const known = (id: string) => registry.get(id) !== undefined;
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-correlation-id', req.id);
    assertOneAuthorization(req.raw.rawHeaders);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    countRefusals(req, reply.statusCode, route, metrics, known);
    done();
  });
  // One JSON parser for every JSON route: strict UTF-8, bounded depth, and no prototype keys (400).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    keepRawBody(req, body as Buffer);
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
  await app.register(adminRoutes, { ctx, keySecret: hub.keySecret });
  await app.register(mailboxRoutes, { ctx });
  await app.register(deadLetterRoutes, { ctx, relay });
  await app.register(asyncApiRoutes, { ctx });
  await app.register(statsRoutes, { ctx });
  await app.register(publicRoutes, { ctx });
  await app.register(trustRoutes, { ctx });
  await app.register(certificateRoutes, { ctx });
  await app.register(consoleSessionRoutes, { ctx, sessions: ctx.consoleSessions });
  await app.register(consoleStaticRoutes);

  // A hub built here is this app's own; one given is closed by its owner (server.ts) after every listener.
  if (!opts.hub) app.addHook('onClose', () => hub.close());
  return { app, ctx, hub };
}
