// Operations endpoints (api.md, "Operations"): public, no credentials.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context.js';
import { dossierSchema } from '../canonical/validate.js';

export async function opsRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  app.get('/healthz', {
    schema: {
      operationId: 'getHealth', summary: 'The process is alive', tags: ['ops'], security: [],
      response: { 200: { description: 'Alive', type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } },
    },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      operationId: 'getReadiness', summary: 'Whether the hub can accept dossiers (200) or not (503)', tags: ['ops'], security: [],
      response: {
        200: { description: 'Ready, or degraded (accepting dossiers while the broker is away)', $ref: 'Readiness#' },
        503: { description: 'The store is unavailable: down, or full (free space below HUB_MIN_FREE_MB, or a write met a full disk)', $ref: 'Readiness#' },
      },
    },
  }, async (_req, reply) => {
    let store: 'up' | 'down' | 'full' = 'up';
    let backlog = { count: 0, oldestCreatedAt: null as number | null };
    let calendar = { missingYears: [] as number[], provisionalDueDates: 0 };
    try {
      // A write is probed, not only a read (api.md "Operations"): a full disk reads fine.
      if (ctx.store.probeWrite) store = await ctx.store.probeWrite();
      else await ctx.store.ping();
      backlog = await ctx.store.outboxBacklog();
      // A warning only: it never changes status (api.md "Operations").
      calendar = await ctx.calendarWarnings();
    } catch {
      store = 'down';
    }
    const broker = ctx.broker.state();
    const status = store !== 'up' ? 'unavailable' : broker === 'up' ? 'ready' : 'degraded';
    return reply.code(store === 'up' ? 200 : 503).send({
      status, store, broker, outboxBacklog: backlog.count,
      oldestPendingSeconds: backlog.oldestCreatedAt === null ? 0 : Math.max(0, Math.round((Date.now() - backlog.oldestCreatedAt) / 1000)),
      calendar,
    });
  });

  app.get('/metrics', {
    schema: {
      operationId: 'getMetrics', summary: 'Prometheus metrics', tags: ['ops'], security: [],
      response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  }, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get('/schemas/dossier.v1.json', {
    schema: {
      operationId: 'getDossierSchema', summary: 'The canonical dossier JSON Schema (draft 2020-12)', tags: ['ops'], security: [],
      response: { 200: { description: 'JSON Schema draft 2020-12', content: { 'application/schema+json': { schema: { type: 'object' } } } } },
    },
  }, async (_req, reply) => {
    return reply.type('application/schema+json').send(JSON.stringify(dossierSchema));
  });
}

export const readinessSchema = {
  $id: 'Readiness',
  type: 'object',
  properties: {
    status: { enum: ['ready', 'degraded', 'unavailable'] },
    store: { enum: ['up', 'down', 'full'] },
    broker: { enum: ['up', 'down'] },
    outboxBacklog: { type: 'integer' },
    oldestPendingSeconds: { type: 'integer' },
    calendar: {
      type: 'object',
      description: 'A warning, never a reason to be unready: years from now to 120 days ahead with no holiday file, open dossiers with a provisional due date',
      properties: { missingYears: { type: 'array', items: { type: 'integer' } }, provisionalDueDates: { type: 'integer' } },
    },
  },
  examples: [{ status: 'degraded', store: 'up', broker: 'down', outboxBacklog: 42, oldestPendingSeconds: 17, calendar: { missingYears: [], provisionalDueDates: 0 } }],
} as const;
