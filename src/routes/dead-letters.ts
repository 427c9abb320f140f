// Dead letters (api.md, "Admin"): deliveries that failed for good, kept in the store; list, replay, discard.
// Admin token only; every act is audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import { requireAdmin, type HubContext } from '../context.js';
import type { DeadLetter } from '../store/types.js';
import type { Relay } from '../relay/index.js';
import { problemResponse } from './schemas.js';

const PAGE = 100;

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url');
function decodeCursor(s: string): string {
  const id = Buffer.from(s, 'base64url').toString('utf8');
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) throw new HubError('HUB_QUERY_INVALID', 'The cursor is not one this hub issued', [{ path: 'query:/cursor', message: 'invalid cursor' }]);
  return id;
}

const view = (d: DeadLetter) => ({
  id: d.id, system: d.systemId, eventId: d.eventId, dossierCode: d.dossierCode, revision: d.revision,
  reason: d.reason, attempts: d.attempts, lastResponse: d.lastResponse, failedAt: d.failedAt,
});

const itemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, system: { type: 'string' }, eventId: { type: 'string' }, dossierCode: { type: 'string' }, revision: { type: 'integer' },
    reason: { type: 'string', description: 'Why it failed: the adapter verdict (e.g. HTTP 400), attempts exhausted, an encoding error' },
    attempts: { type: 'integer' }, lastResponse: { type: ['string', 'null'], description: 'Status and the start of the body of the last answer' },
    failedAt: { type: 'string' },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export async function deadLetterRoutes(app: FastifyInstance, { ctx, relay }: { ctx: HubContext; relay: Relay | undefined }): Promise<void> {
  app.addHook('preHandler', async (req) => requireAdmin(ctx, req));
  const audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) =>
    ctx.store.audit({ actor: 'admin', action, target, detail, correlationId: String(req.id) });

  async function open(id: string): Promise<DeadLetter> {
    const d = await ctx.store.relay.getDeadLetter(id);
    if (!d) throw new HubError('HUB_NOT_FOUND', `No open dead letter ${id}`);
    return d;
  }

  app.get<{ Querystring: { system?: string; cursor?: string; limit?: number } }>('/v1/admin/dead-letters', {
    schema: {
      operationId: 'listDeadLetters', summary: 'Deliveries that failed for good, oldest first', tags: ['admin'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { system: { type: 'string', maxLength: 64 }, cursor: { type: 'string', maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: PAGE, default: PAGE } },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: itemSchema }, nextCursor: { type: 'string' } } }, '4xx': problemResponse },
    },
  }, async (req) => {
    const after = req.query.cursor ? decodeCursor(req.query.cursor) : undefined;
    const items = await ctx.store.relay.listDeadLetters({ ...(req.query.system ? { system: req.query.system } : {}), ...(after ? { after } : {}), limit: req.query.limit ?? PAGE });
    await audit(req, 'dead-letter.list', req.query.system ?? '*');
    const last = items.at(-1)?.id ?? after;
    return { items: items.map(view), nextCursor: last ? encodeCursor(last) : '' };
  });

  app.post<{ Params: { id: string } }>('/v1/admin/dead-letters/:id/replay', {
    schema: {
      operationId: 'replayDeadLetter',
      summary: "Send a dead letter again, as the system is configured now (push: its queue; pull: its mailbox)", tags: ['admin'], params: idParams,
      response: { 202: { type: 'object', properties: { id: { type: 'string' }, system: { type: 'string' }, eventId: { type: 'string' } } }, '4xx': problemResponse, '5xx': problemResponse },
    },
  }, async (req, reply) => {
    const d = await open(req.params.id);
    if (!relay) throw new HubError('HUB_BROKER_UNAVAILABLE', 'The relay does not run in this process');
    await relay.replay(d);
    await audit(req, 'dead-letter.replay', d.id, { system: d.systemId, eventId: d.eventId });
    req.log.info({ system: d.systemId, eventId: d.eventId, dossierCode: d.dossierCode }, 'dead letter replayed');
    return reply.code(202).send({ id: d.id, system: d.systemId, eventId: d.eventId });
  });

  app.delete<{ Params: { id: string } }>('/v1/admin/dead-letters/:id', {
    schema: { operationId: 'discardDeadLetter', summary: 'Discard a dead letter', tags: ['admin'], params: idParams, response: { 204: { type: 'null', description: 'Discarded' }, '4xx': problemResponse } },
  }, async (req, reply) => {
    const d = await open(req.params.id);
    if (!(await ctx.store.relay.resolveDeadLetter(d.id, 'discarded'))) throw new HubError('HUB_NOT_FOUND', `No open dead letter ${d.id}`);
    await audit(req, 'dead-letter.discard', d.id, { system: d.systemId, eventId: d.eventId });
    return reply.code(204).send();
  });
}
