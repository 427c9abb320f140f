// The rollout registry (api.md "Rollout registry"): read with derived states and traffic; patch all or nothing.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';
import { patchRollout, rolloutView } from '../../admin/rollout.js';
import { problemSchema } from '../schemas.js';
import { audited, entryFor, installAdmin } from './common.js';

const registry = { type: 'object', properties: { source: { type: ['string', 'null'] }, items: { type: 'array', items: { type: 'object', additionalProperties: true } } } } as const;

export async function adminRolloutRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  app.get('/v1/admin/rollout', {
    config: { action: 'rollout.read' },
    schema: { summary: 'The rollout registry, by order, with each entry\'s derived state and traffic', tags: ['admin'], response: { 200: registry, '4xx': problemSchema } },
  }, async () => rolloutView(ctx.store, ctx.registry, ctx.bookkeeping));

  app.patch<{ Body: unknown }>('/v1/admin/rollout', {
    config: { action: 'rollout.update' },
    schema: {
      summary: 'Change, add or link entries (all or nothing)', tags: ['admin'],
      body: { type: 'object', description: '{"entries": [{id, department?, order?, successor?, systemId?, targetDate?, note?}]}' },
      response: { 200: registry, '4xx': problemSchema },
    },
  }, async (req) => {
    await patchRollout(ctx.store, req.body, entryFor(req, 'rollout.update', null));
    audited(req);
    return rolloutView(ctx.store, ctx.registry, ctx.bookkeeping);
  });
}
