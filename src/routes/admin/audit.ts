// The audit log (api.md "Audit log"): listing with filters, a walk of the hash chain, its checkpoints.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import { parseRfc3339 } from '../../util/time.js';
import { problemResponse } from '../schemas.js';
import { checkpointBytes } from '../../store/audit-checkpoint.js';
import { LIMIT, decodeCursor, encodeCursor, installAdmin, note } from './common.js';

const entry = {
  type: 'object', required: ['seq', 'at', 'actor', 'action', 'target', 'prevHash', 'hash'],
  properties: {
    seq: { type: 'integer' }, at: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' }, target: { type: ['string', 'null'] },
    from: { type: ['string', 'null'] }, correlationId: { type: ['string', 'null'] }, detail: {}, prevHash: { type: 'string' }, hash: { type: 'string' },
  },
} as const;

const seqHash = { type: 'object', required: ['seq', 'hash'], properties: { seq: { type: 'integer' }, hash: { type: 'string' } } } as const;
const verifySchema = {
  description: 'The chain holds (its head and latest checkpoint), or the first entry that breaks it',
  oneOf: [
    {
      type: 'object', required: ['ok', 'entries', 'head', 'checkpoint'],
      properties: {
        ok: { const: true }, entries: { type: 'integer' }, head: seqHash,
        checkpoint: { type: ['object', 'null'], required: ['seq', 'hash', 'at', 'signed'], properties: { seq: { type: 'integer' }, hash: { type: 'string' }, at: { type: 'string' }, signed: { type: 'boolean' } } },
      },
    },
    {
      type: 'object', required: ['ok', 'entries', 'firstBad'],
      properties: {
        ok: { const: false }, entries: { type: 'integer' },
        firstBad: { type: 'object', required: ['seq', 'problem', 'message'], properties: { seq: { type: 'integer' }, problem: { enum: ['altered', 'removed', 'reordered'] }, message: { type: 'string' } } },
      },
    },
  ],
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
      operationId: 'listAuditEntries', summary: 'Audit entries, oldest first', tags: ['admin'],
      description: '`actor=admin` matches every administrator token (admin:<tokenId> too); `action` matches exactly, or as a prefix when it ends with `*`.',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          since: { type: 'string', maxLength: 40 }, until: { type: 'string', maxLength: 40 }, actor: { type: 'string', maxLength: 100 },
          action: { type: 'string', maxLength: 100 }, target: { type: 'string', maxLength: 100 }, cursor: { type: 'string', maxLength: 200 }, limit: LIMIT,
        },
      },
      response: {
        200: { description: 'A page of entries, and the cursor of the next page', type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: entry }, nextCursor: { type: 'string' } } },
        '4xx': problemResponse, '5xx': problemResponse,
      },
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
    schema: {
      operationId: 'verifyAudit', summary: 'Walk the hash chain; name the first entry altered, removed or reordered', tags: ['admin'],
      response: { 200: verifySchema, '4xx': problemResponse, '5xx': problemResponse },
    },
  }, async (req) => {
    // A signed checkpoint counts only when its signature holds: signing stops forged checkpoints.
    const r = await ctx.store.verifyAudit(async (c) => (await ctx.trust.verifyDetached(c.signature, checkpointBytes(c))).valid);
    note(req, null, r.ok ? { ok: true, entries: r.entries, head: r.head.seq } : { ok: false, entries: r.entries, firstBad: r.firstBad });
    if (!r.ok) req.log.error({ firstBad: r.firstBad }, 'the audit chain is broken');
    return r;
  });

  app.get('/v1/admin/audit/checkpoints', {
    config: { action: 'audit.checkpoints' },
    schema: {
      operationId: 'listAuditCheckpoints', summary: 'Audit checkpoints, newest first (at most 1000)', tags: ['admin'],
      response: {
        200: {
          description: 'The checkpoints; `signed` when the hub signed it', type: 'object', required: ['items'],
          properties: { items: { type: 'array', items: { type: 'object', required: ['seq', 'hash', 'at', 'signed'], properties: { seq: { type: 'integer' }, hash: { type: 'string' }, at: { type: 'string' }, signed: { type: 'boolean' } } } } },
        },
        '4xx': problemResponse, '5xx': problemResponse,
      },
    },
  }, async () => ({ items: (await ctx.store.auditCheckpoints(1000)).map((c) => ({ seq: c.seq, hash: c.hash, at: c.at, signed: !!c.signature })) }));
}
