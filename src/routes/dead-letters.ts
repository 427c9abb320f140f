// Dead letters (api.md, "Admin"): deliveries that failed for good, kept in the store; list, replay, discard.
// Admin token only; every act is audited.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.js';
import type { HubContext } from '../context.js';
import { LIMIT, auditNow, decodeCursor as decode, encodeCursor, installAdmin, note } from './admin/common.js';
import type { DeadLetter } from '../store/types.js';
import type { Relay } from '../relay/index.js';
import { problemResponse } from './schemas.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Before every ULID: the cursor of an empty first page (nextCursor is always present). */
const START = '0'.repeat(26);
const decodeCursor = (s: string) => decode(s, (id) => ULID.test(id));

const view = (d: DeadLetter) => ({
  id: d.id, system: d.systemId, eventId: d.eventId, dossierCode: d.dossierCode, revision: d.revision,
  reason: d.reason, attempts: d.attempts, lastResponse: d.lastResponse, failedAt: d.failedAt, encodedBy: d.encodedBy ?? null,
});

const itemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, system: { type: 'string' }, eventId: { type: 'string' }, dossierCode: { type: 'string' }, revision: { type: 'integer' },
    reason: { type: 'string', description: 'Why it failed: the adapter verdict (e.g. HTTP 400), attempts exhausted, an encoding error' },
    attempts: { type: 'integer' }, lastResponse: { type: ['string', 'null'], description: 'Status and the start of the body of the last answer' },
    failedAt: { type: 'string' },
    encodedBy: {
      type: ['object', 'null'], description: 'The adapter and mapping version the failed attempt encoded with (mapping.md §13)',
      properties: { adapter: { type: 'string' }, version: { type: ['integer', 'string'] }, sha256: { type: 'string' } },
    },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export async function deadLetterRoutes(app: FastifyInstance, { ctx, relay }: { ctx: HubContext; relay: Relay | undefined }): Promise<void> {
  installAdmin(app, ctx);

  async function open(id: string): Promise<DeadLetter> {
    const d = await ctx.store.relay.getDeadLetter(id);
    if (!d) throw new HubError('HUB_NOT_FOUND', `No open dead letter ${id}`);
    return d;
  }

  app.get<{ Querystring: { system?: string; cursor?: string; limit?: number } }>('/v1/admin/dead-letters', {
    config: { action: 'dead-letter.list' },
    schema: {
      operationId: 'listDeadLetters', summary: 'Deliveries that failed for good, oldest first', tags: ['admin'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { system: { type: 'string', maxLength: 64 }, cursor: { type: 'string', maxLength: 100 }, limit: LIMIT },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: itemSchema }, nextCursor: { type: 'string' } } }, '4xx': problemResponse },
    },
  }, async (req) => {
    const after = req.query.cursor ? decodeCursor(req.query.cursor) : undefined;
    const items = await ctx.store.relay.listDeadLetters({ ...(req.query.system ? { system: req.query.system } : {}), ...(after ? { after } : {}), limit: req.query.limit ?? 100 });
    note(req, req.query.system ?? null, { count: items.length });
    return { items: items.map(view), nextCursor: encodeCursor(items.at(-1)?.id ?? after ?? START) };
  });

  app.post<{ Params: { id: string }; Body: { mapping?: 'active' | 'original' } | undefined }>('/v1/admin/dead-letters/:id/replay', {
    config: { action: 'dead-letter.replay' },
    schema: {
      operationId: 'replayDeadLetter',
      summary: "Send a dead letter again, as the system is configured now (push: its queue; pull: its mailbox)", tags: ['admin'], params: idParams,
      body: {
        type: ['object', 'null'], additionalProperties: false,
        properties: { mapping: { enum: ['active', 'original'], default: 'active', description: "Encode with the system's active mapping version, or with the one the dead letter failed with" } },
      },
      response: { 202: { type: 'object', properties: { id: { type: 'string' }, system: { type: 'string' }, eventId: { type: 'string' } } }, '4xx': problemResponse, '5xx': problemResponse },
    },
  }, async (req, reply) => {
    const d = await open(req.params.id);
    // A retired system takes no deliveries, whether or not the relay runs here (api.md "DELETE …/systems/{id}").
    if (ctx.registry.get(d.systemId)?.status !== 'active') throw new HubError('HUB_DEAD_LETTER_TARGET', `System ${d.systemId} is retired or unknown: it takes no deliveries`);
    if (!relay) throw new HubError('HUB_BROKER_UNAVAILABLE', 'The relay does not run in this process');
    const mapping = req.body?.mapping ?? 'active';
    await relay.replay(d, mapping);
    await auditNow(ctx, req, 'dead-letter.replay', d.id, { system: d.systemId, eventId: d.eventId, mapping });
    req.log.info({ system: d.systemId, eventId: d.eventId, dossierCode: d.dossierCode }, 'dead letter replayed');
    return reply.code(202).send({ id: d.id, system: d.systemId, eventId: d.eventId });
  });

  app.delete<{ Params: { id: string } }>('/v1/admin/dead-letters/:id', {
    config: { action: 'dead-letter.discard' },
    schema: { operationId: 'discardDeadLetter', summary: 'Discard a dead letter', tags: ['admin'], params: idParams, response: { 204: { type: 'null', description: 'Discarded' }, '4xx': problemResponse } },
  }, async (req, reply) => {
    const d = await open(req.params.id);
    if (!(await ctx.store.relay.resolveDeadLetter(d.id, 'discarded'))) throw new HubError('HUB_NOT_FOUND', `No open dead letter ${d.id}`);
    await auditNow(ctx, req, 'dead-letter.discard', d.id, { system: d.systemId, eventId: d.eventId });
    return reply.code(204).send();
  });
}
