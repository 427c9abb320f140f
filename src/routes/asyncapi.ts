// GET /asyncapi.json: the AMQP contract (amqp.md) as AsyncAPI 3.0; public like /openapi.json.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context.js';
import { asyncApiDocument } from '../relay/asyncapi.js';

export async function asyncApiRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const doc = JSON.stringify(asyncApiDocument({ amqpUrl: ctx.config.amqpUrl, prefix: ctx.config.amqpPrefix, retryDelaysMs: ctx.config.retryDelaysMs }));
  app.get('/asyncapi.json', {
    schema: {
      operationId: 'getAsyncApi', summary: 'The AMQP contract as an AsyncAPI 3.0 document', tags: ['ops'], security: [],
      response: { 200: { description: 'AsyncAPI 3.0.0, the canonical dossier schema bundled', type: 'object', additionalProperties: true } },
    },
  }, async (_req, reply) =>
    reply.type('application/json').send(doc));
}
