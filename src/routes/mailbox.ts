// The mailbox of a pull-mode system (api.md, "Mailbox"): long-poll for messages, acknowledge them. Only the
// system itself reads its mailbox. A long-poll wakes when the relay adds a message (store.relay.onMailbox) or
// when a handed-out message's visibility timeout runs out — not on a polling tick.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.js';
import { requireSystem, type HubContext } from '../context.js';
import type { SystemRecord } from '../store/types.js';
import { problemResponse } from './schemas.js';

const MAX_MESSAGES = 100;
const MAX_WAIT_S = 20;

const systemParams = {
  type: 'object', required: ['systemId'],
  properties: { systemId: { type: 'string', maxLength: 64 } },
} as const;

const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Stable across hand-outs; acknowledge with it' },
    eventId: { type: 'string', description: 'The CloudEvent id (amqp.md): drop a repeat by it' },
    type: { type: 'string', description: 'Routing-key form, e.g. dossier.transferred' },
    dossierCode: { type: 'string' },
    revision: { type: 'integer' },
    contentType: { type: 'string' },
    body: { description: "The system's native payload: a JSON value for JSON formats, a string for XML and SOAP" },
  },
} as const;

export async function mailboxRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  // Waiting long-polls answer at once when the server closes, instead of holding the shutdown for 20 s.
  const closing = new Set<() => void>();
  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
    for (const wake of closing) wake();
  });

  async function ownMailbox(req: Parameters<typeof requireSystem>[1], systemId: string): Promise<SystemRecord> {
    const system = await requireSystem(ctx, req);
    if (system.id !== systemId) throw new HubError('HUB_AUTHZ_SYSTEM', `Only ${systemId} reads its mailbox`);
    if (system.delivery.mode !== 'pull') throw new HubError('HUB_MAILBOX_NOT_PULL', `System ${systemId} has delivery mode ${system.delivery.mode}, not pull`);
    return system;
  }

  app.get<{ Params: { systemId: string }; Querystring: { max?: number; waitSeconds?: number } }>('/v1/systems/:systemId/messages', {
    schema: {
      operationId: 'readMailbox',
      summary: 'Read the mailbox (pull-mode systems); long-poll with waitSeconds',
      description: 'A message handed out is invisible for HUB_MAILBOX_VISIBILITY_S seconds and handed out again unless acknowledged.',
      tags: ['mailbox'], params: systemParams,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          max: { type: 'integer', minimum: 1, maximum: MAX_MESSAGES, default: 10 },
          waitSeconds: { type: 'integer', minimum: 0, maximum: MAX_WAIT_S, default: 0 },
        },
      },
      response: {
        200: {
          type: 'object', properties: { messages: { type: 'array', items: messageSchema } },
          examples: [{ messages: [{ id: '01JD8X3YQ6ZB2M1N4P5R6S7T8V', eventId: '01JD8X3YQ6ZB2M1N4P5R6S7T8W', type: 'dossier.transferred', dossierCode: '000.00.15.H12-261127-0007', revision: 3, contentType: 'application/json', body: {} }] }],
        },
        '4xx': problemResponse,
      },
    },
  }, async (req, reply) => {
    const system = await ownMailbox(req, req.params.systemId);
    const max = req.query.max ?? 10;
    const deadline = Date.now() + (req.query.waitSeconds ?? 0) * 1000;
    const visibilityMs = ctx.config.mailboxVisibilityS * 1000;
    let woken = false;
    let wake: (() => void) | undefined;
    const signal = () => { woken = true; wake?.(); };
    const unsubscribe = ctx.store.relay.onMailbox((id) => { if (id === system.id) signal(); });
    closing.add(signal);
    // The client went away (the response closes before we answer): stop waiting.
    let gone = false;
    const onGone = () => { gone = true; signal(); };
    reply.raw.once('close', onGone);
    try {
      for (;;) {
        woken = false;
        const messages = await ctx.store.relay.mailboxTake(system.id, max, visibilityMs);
        const now = Date.now();
        if (messages.length || now >= deadline || shuttingDown || gone) return { messages };
        const next = await ctx.store.relay.mailboxNextVisible(system.id);
        const until = next === null ? deadline : Math.min(deadline, Math.max(next, now + 5));
        if (woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, until - now);
          wake = () => { clearTimeout(timer); resolve(); };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      closing.delete(signal);
      reply.raw.off('close', onGone);
    }
  });

  app.post<{ Params: { systemId: string; messageId: string } }>('/v1/systems/:systemId/messages/:messageId/ack', {
    schema: {
      operationId: 'ackMailboxMessage',
      summary: 'Acknowledge (remove) a mailbox message; 204 again for an acknowledged one, 404 for an id the system never had',
      tags: ['mailbox'],
      params: { type: 'object', required: ['systemId', 'messageId'], properties: { systemId: { type: 'string', maxLength: 64 }, messageId: { type: 'string', maxLength: 64 } } },
      response: { 204: { type: 'null', description: 'Acknowledged' }, '4xx': problemResponse },
    },
  }, async (req, reply) => {
    const system = await ownMailbox(req, req.params.systemId);
    const result = await ctx.store.relay.mailboxAck(system.id, req.params.messageId);
    if (result === 'unknown') throw new HubError('HUB_NOT_FOUND', `No message ${req.params.messageId} in the mailbox of ${system.id}`);
    return reply.code(204).send();
  });
}
