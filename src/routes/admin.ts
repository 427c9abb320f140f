// Administration (api.md, "Admin"): every act is authenticated with the admin token and audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import { requireAdmin, type HubContext } from '../context.js';
import type { SystemRegistration } from '../store/types.js';
import { jsonRef, problemResponse } from './schemas.js';

export async function adminRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  app.addHook('preHandler', async (req) => requireAdmin(ctx, req));
  const audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) =>
    ctx.store.audit({ actor: 'admin', action, target, detail, correlationId: String(req.id) });

  app.post<{ Body: SystemRegistration }>('/v1/admin/systems', {
    schema: {
      operationId: 'registerSystem',
      summary: 'Register a system; the API key is shown this once', tags: ['admin'],
      // The registry validates the registration (its own errors); the document shows the full schema.
      body: { $ref: 'SystemRegistration#' },
      response: { 201: jsonRef('RegisteredSystem', 'The system and its apiKey'), '4xx': problemResponse },
    },
  }, async (req, reply) => {
    const { system, apiKey } = await ctx.registry.register(req.body);
    await audit(req, 'system.register', system.id, { adapter: system.adapter, agencies: system.agencies.map((a) => a.code) });
    req.log.info({ system: system.id }, 'system registered');
    return reply.code(201).send({ ...system, apiKey });
  });

  app.get('/v1/admin/systems', {
    schema: {
      operationId: 'listSystems', summary: 'List systems', tags: ['admin'],
      response: {
        200: { description: 'Every registered system', type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: 'System#' } } } },
        '4xx': problemResponse,
      },
    },
  }, async (req) => {
    await audit(req, 'system.list', '*');
    return { items: ctx.registry.list() };
  });

  app.get<{ Params: { id: string } }>('/v1/admin/systems/:id', {
    schema: {
      operationId: 'getSystem', summary: 'Read a system (never its key)', tags: ['admin'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      response: { 200: jsonRef('System', 'The system'), '4xx': problemResponse },
    },
  }, async (req) => {
    const s = ctx.registry.get(req.params.id);
    if (!s) throw new HubError('HUB_NOT_FOUND', `No system ${req.params.id}`);
    await audit(req, 'system.read', s.id);
    return s; // a system record never holds a key
  });
}
