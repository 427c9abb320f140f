// The audit log (api.md "Audit log"): listing with filters, a walk of the hash chain, its checkpoints.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import { parseRfc3339 } from '../../util/time.js';
import { problemSchema } from '../schemas.js';
import { LIMIT, decodeCursor, encodeCursor, installAdmin, note } from './common.js';

const entry = {
  type: 'object',
  properties: {
    seq: { type: 'integer' }, at: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' }, target: { type: ['string', 'null'] },
    from: { type: ['string', 'null'] }, correlationId: { type: ['string', 'null'] }, detail: {}, prevHash: { type: 'string' }, hash: { type: 'string' },
  },
} as const;

function instant(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = parseRfc3339(v);
  if (t === null) throw new HubError('HUB_QUERY_INVALID', `${name} is not an RFC 3339 date-time`, [{ path: `query:/${name}`, message: 'must be RFC 3339 with an offset' }]);
  return t;
}

export async function adminAuditRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  app.get<{ Querystring: { since?: string; until?: string; actor?: string; action?: string; target?: string; cursor?: string; limit?: number } }>('/v1/admin/audit', {
    config: { action: 'audit.read' },
    schema: {
      summary: 'Audit entries, oldest first', tags: ['admin'],
      description: '`actor=admin` matches every administrator token (admin:<tokenId> too); `action` matches exactly, or as a prefix when it ends with `*`.',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          since: { type: 'string', maxLength: 40 }, until: { type: 'string', maxLength: 40 }, actor: { type: 'string', maxLength: 100 },
          action: { type: 'string', maxLength: 100 }, target: { type: 'string', maxLength: 100 }, cursor: { type: 'string', maxLength: 200 }, limit: LIMIT,
        },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: entry }, nextCursor: { type: 'string' } } }, '4xx': problemSchema },
    },
  }, async (req) => {
    const q = req.query;
    const after = q.cursor ? Number(decodeCursor(q.cursor, (a) => /^\d{1,15}$/.test(a))) : 0;
    const since = instant('since', q.since);
    const until = instant('until', q.until);
    const items = await ctx.store.queryAudit({
      after, limit: q.limit ?? 100,
      ...(since !== undefined ? { sinceMs: since } : {}), ...(until !== undefined ? { untilMs: until } : {}),
      ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}), ...(q.target ? { target: q.target } : {}),
    });
    const { cursor: _c, limit: _l, ...filters } = q;
    note(req, null, { ...filters, count: items.length });
    return { items, nextCursor: encodeCursor(String(items.at(-1)?.seq ?? after)) };
  });

  app.get('/v1/admin/audit/verify', {
    config: { action: 'audit.verify' },
    schema: { summary: 'Walk the hash chain; name the first entry altered, removed or reordered', tags: ['admin'], response: { 200: { type: 'object', additionalProperties: true }, '4xx': problemSchema } },
  }, async (req) => {
    const r = await ctx.store.verifyAudit();
    note(req, null, r.ok ? { ok: true, entries: r.entries, head: r.head.seq } : { ok: false, entries: r.entries, firstBad: r.firstBad });
    if (!r.ok) req.log.error({ firstBad: r.firstBad }, 'the audit chain is broken');
    return r;
  });

  app.get('/v1/admin/audit/checkpoints', {
    config: { action: 'audit.checkpoints' },
    schema: {
      summary: 'Audit checkpoints, newest first (at most 1000)', tags: ['admin'],
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { seq: { type: 'integer' }, hash: { type: 'string' }, at: { type: 'string' }, signed: { type: 'boolean' } } } } } }, '4xx': problemSchema },
    },
  }, async () => ({ items: (await ctx.store.auditCheckpoints(1000)).map((c) => ({ seq: c.seq, hash: c.hash, at: c.at, signed: !!c.signature })) }));
}
