// The rollout registry (api.md "Rollout registry"): read with derived states and traffic; patch all or nothing.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';
import { patchRollout, rolloutView } from '../../admin/rollout.js';
import { problemResponse } from '../schemas.js';
import { audited, entryFor, installAdmin } from './common.js';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
/** src/admin/rollout.ts RolloutView: the stored entry, its derived state and its traffic. */
const entry = {
  type: 'object',
  required: ['id', 'order', 'department', 'origin', 'successor', 'systemId', 'targetDate', 'note', 'updatedAt', 'state', 'stateDetail', 'traffic'],
  properties: {
    id: str, order: int, department: str, origin: { enum: ['seed', 'province'] }, successor: nstr, systemId: nstr, targetDate: nstr, note: nstr, updatedAt: str,
    state: { enum: ['planned', 'mapping-draft', 'dry-run-ok', 'conformance-ok', 'live'] }, stateDetail: str,
    traffic: {
      type: 'object', required: ['windowDays', 'accepted', 'refused', 'duplicates', 'lastSeenAt', 'total'],
      properties: {
        windowDays: int, accepted: int, refused: int, duplicates: int, lastSeenAt: nstr,
        total: { type: 'object', required: ['accepted', 'refused'], properties: { accepted: int, refused: int } },
      },
    },
  },
} as const;
const registry = {
  description: 'The registry by order: `source` names the seed file it started from', type: 'object', required: ['source', 'items'],
  properties: { source: nstr, items: { type: 'array', items: entry } },
} as const;
const errors = { '4xx': problemResponse, '5xx': problemResponse } as const;

export async function adminRolloutRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  app.get('/v1/admin/rollout', {
    config: { action: 'rollout.read' },
    schema: { operationId: 'getRollout', summary: 'The rollout registry, by order, with each entry\'s derived state and traffic', tags: ['admin'], response: { 200: registry, ...errors } },
  }, async () => rolloutView(ctx.store, ctx.registry, ctx.bookkeeping, Date.now(), { ...ctx.conformance, nationalIssuers: ctx.config.nationalIssuers }));

  app.patch<{ Body: unknown }>('/v1/admin/rollout', {
    config: { action: 'rollout.update' },
    schema: {
      operationId: 'updateRollout', summary: 'Change, add or link entries (all or nothing)', tags: ['admin'],
      body: { type: 'object', description: '{"entries": [{id, department?, order?, successor?, systemId?, targetDate?, note?}]}' },
      response: { 200: registry, ...errors },
    },
  }, async (req) => {
    await patchRollout(ctx.store, req.body, entryFor(req, 'rollout.update', null));
    audited(req);
    return rolloutView(ctx.store, ctx.registry, ctx.bookkeeping, Date.now(), { ...ctx.conformance, nationalIssuers: ctx.config.nationalIssuers });
  });
}
