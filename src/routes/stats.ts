// The on-time report (api.md "Platform", domain.md "On time"): counts by on-time bucket of the dossiers received
// in [from, to), aggregated in the store. The platform sees the province; any other system sees the dossiers in
// its scope (its agencies: current, origin or transfer target), as in the change feed. JSON, or CSV on
// `Accept: text/csv`.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.js';
import { scopeCodes } from '../dossiers/routing.js';
import { ONTIME_BUCKETS, ONTIME_EXTRA } from '../calendar/ontime.js';
import { formatVn } from '../util/time.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireSystem, type HubContext } from '../context.js';
import { GROUP_BY, type GroupBy } from '../stats/types.js';
import { CSV_TYPE, ontimeCsv, prefersCsv } from '../stats/csv.js';
import { checkReportRange, parseReportInstant } from '../stats/params.js';
import { problemResponse } from './schemas.js';

const COUNTS = ['total', ...ONTIME_BUCKETS, ...ONTIME_EXTRA] as const;
const countProps = Object.fromEntries(COUNTS.map((b) => [b, { type: 'integer', minimum: 0 }]));
const reportSchema = {
  description: 'Counts by on-time bucket; the buckets sum to total (extended and extendedTwice are not buckets). With Accept: text/csv, the same as CSV (UTF-8 with BOM).',
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', ...COUNTS],
  properties: {
    from: { type: ['string', 'null'], description: 'Received at or after (+07:00); null: no lower bound' },
    to: { type: 'string', description: 'Received before (+07:00); the request time when not given' },
    ...countProps,
    groups: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['key', ...COUNTS], properties: { key: { type: 'string' }, ...countProps } },
    },
  },
  examples: [{
    from: '2026-01-01T00:00:00+07:00', to: '2027-01-01T00:00:00+07:00', total: 10, early: 4, onTime: 2, late: 1,
    inProgress: 1, overdue: 1, paused: 1, supplementExpired: 0, withdrawn: 0, refused: 0, submitted: 0, extended: 1, extendedTwice: 0,
  }],
} as const;

export const ontimeQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    agency: { type: 'string', minLength: 1, maxLength: 32 }, procedure: { type: 'string', minLength: 1, maxLength: 16 },
    from: { type: 'string', maxLength: 40 }, to: { type: 'string', maxLength: 40 }, groupBy: { enum: [...GROUP_BY] },
  },
} as const;
export const ontimeResponses = {
  200: { description: reportSchema.description, content: { 'application/json': { schema: reportSchema }, 'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM' } } } },
  '4xx': problemResponse,
} as const;

export interface Query { agency?: string; procedure?: string; from?: string; to?: string; groupBy?: GroupBy }

export async function statsRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  app.get<{ Querystring: Query }>('/v1/stats/ontime', {
    schema: {
      operationId: 'getOntimeReport',
      summary: 'On-time report: dossiers received in [from, to) by on-time bucket (domain.md "On time")',
      description: 'from/to: RFC 3339 instants or dates YYYY-MM-DD (00:00 +07:00) within 1990-01-01 .. now + 10 years; to defaults to now, from to no lower bound. ' +
        'A report of more than 400 groups is refused (400, naming groupBy). ' +
        'The report ends at min(to, now). groupBy adds groups (keys: agency code, procedure code, month YYYY-MM in +07:00) holding at least one dossier. ' +
        'The platform sees every dossier; other systems the dossiers in their scope. Accept: text/csv answers CSV.',
      tags: ['stats'],
      querystring: ontimeQuery,
      response: ontimeResponses,
    },
  }, async (req, reply) => {
    const system = await requireSystem(ctx, req);
    return ontimeAnswer(ctx, req, reply, system.role === 'platform' ? undefined : scopeCodes(system));
  });
}

/** The report for the query, as JSON or (Accept: text/csv) CSV; `scope` limits it to those agencies. */
export async function ontimeAnswer(ctx: HubContext, req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply, scope?: ReturnType<typeof scopeCodes>): Promise<unknown> {
    const q = req.query;
    const now = Date.now();
    const from = q.from !== undefined ? parseReportInstant('from', q.from) : undefined;
    const to = q.to !== undefined ? parseReportInstant('to', q.to) : now;
    checkReportRange(from, to, now);
    if (from !== undefined && from >= to) {
      throw new HubError('HUB_QUERY_INVALID', 'from must be before to', [{ path: 'query:/from', message: 'not before to' }]);
    }
    const result = await ctx.store.ontimeReport({
      ...(from !== undefined ? { from } : {}), to, end: Math.min(to, now),
      ...(q.agency !== undefined ? { agency: q.agency } : {}),
      ...(q.procedure !== undefined ? { procedure: q.procedure } : {}),
      ...(q.groupBy ? { groupBy: q.groupBy } : {}),
      ...(scope ? { scope } : {}),
    });
    const body = { from: from === undefined ? null : formatVn(from), to: formatVn(to), ...result };
    reply.header('vary', 'accept');
    if (prefersCsv(req.headers.accept)) return reply.type(CSV_TYPE).header('content-disposition', 'attachment; filename="ontime.csv"').send(ontimeCsv(body, q.groupBy));
    return body;
}
