// Administration (api.md, "Admin"): every act is authenticated with the admin token and audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import { requireAdmin, type HubContext } from '../context.js';
import type { SystemRegistration } from '../store/types.js';
import { registrationSchema } from '../systems/schema.js';
import { problemSchema } from './schemas.js';

export async function adminRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  app.addHook('preHandler', async (req) => requireAdmin(ctx, req));
  const audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) =>
    ctx.store.audit({ actor: 'admin', action, target, detail, correlationId: String(req.id) });

  app.post<{ Body: SystemRegistration }>('/v1/admin/systems', {
    schema: {
      summary: 'Register a system; the API key is shown this once', tags: ['admin'],
      body: { type: 'object', description: 'A system registration (api.md)', examples: registrationSchema.examples },
      response: { 201: { type: 'object', additionalProperties: true, description: 'The system and its apiKey' }, '4xx': problemSchema },
    },
  }, async (req, reply) => {
    const { system, apiKey } = await ctx.registry.register(req.body);
    await audit(req, 'system.register', system.id, { adapter: system.adapter, agencies: system.agencies.map((a) => a.code) });
    req.log.info({ system: system.id }, 'system registered');
    return reply.code(201).send({ ...system, apiKey });
  });

  app.get('/v1/admin/systems', { schema: { summary: 'List systems', tags: ['admin'] } }, async (req) => {
    await audit(req, 'system.list', '*');
    return { items: ctx.registry.list() };
  });

  app.get<{ Params: { id: string } }>('/v1/admin/systems/:id', { schema: { summary: 'Read a system (never its key)', tags: ['admin'] } }, async (req) => {
    const s = ctx.registry.get(req.params.id);
    if (!s) throw new HubError('HUB_NOT_FOUND', `No system ${req.params.id}`);
    await audit(req, 'system.read', s.id);
    return s; // a system record never holds a key
  });
}
