// The on-time report for the administrator (the console's statistics page): the platform's view of the
// province, with the same filters, JSON or CSV, audited like every admin read.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';
import { ontimeAnswer, ontimeQuery, ontimeResponses, type Query } from '../stats.js';
import { installAdmin, note } from './common.js';

export async function adminStatsRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);
  app.get<{ Querystring: Query }>('/v1/admin/stats/ontime', {
    config: { action: 'stats.read' },
    schema: {
      operationId: 'getAdminOntimeReport', summary: 'The on-time report over every dossier (as the platform sees it); Accept: text/csv answers CSV', tags: ['admin'],
      querystring: ontimeQuery, response: ontimeResponses,
    },
  }, async (req, reply) => {
    note(req, null, { query: req.query });
    return ontimeAnswer(ctx, req, reply);
  });
}
