// Reading and changing dossiers (api.md, "Platform"): the platform reads everything; other systems read the
// dossiers in their scope, and a dossier outside it is a 404 (its existence is not disclosed).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import { inScope } from '../dossiers/rules.js';
import { scopeCodes } from '../dossiers/routing.js';
import { DVCQG_FORMATS, dvcqgForm, type DvcqgFormat } from '../dossiers/dvcqg.js';
import { parseRfc3339 } from '../util/time.js';
import { canonicalJson } from '../util/canonical-json.js';
import { requireSystem, type HubContext } from '../context.js';
import type { SystemRecord } from '../store/types.js';
import { AGENCY_CODE, type Dossier } from '../canonical/types.js';
import { weakMatch } from '../http/habits.js';
import { rawBodyOf } from '../http/raw-body.js';
import { codeParams, receiptSchema, problemResponse } from './schemas.js';

const FEED_MAX = 1000;

/** RFC 8288 Link to the next page: the same filters, the new cursor (updatedSince is inside the cursor). */
function nextLink(base: string, q: Record<string, unknown>, cursor: string): string {
  const params = new URLSearchParams();
  for (const k of ['agency', 'status', 'procedure', 'limit']) if (q[k] !== undefined) params.set(k, String(q[k]));
  params.set('cursor', cursor);
  return `<${base}/v1/dossiers?${params}>; rel="next"`;
}

interface Cursor { a: number; u?: number }
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (Number.isSafeInteger(c.a) && c.a >= 0 && (c.u === undefined || Number.isSafeInteger(c.u))) return c;
  } catch { /* fall through */ }
  throw new HubError('HUB_QUERY_INVALID', 'The cursor is not one this hub issued', [{ path: 'query:/cursor', message: 'invalid cursor' }]);
}

/** The dossier for a change: 404 only when it does not exist; scope is the rules' business (403, api.md). */
async function existing(ctx: HubContext, code: string): Promise<void> {
  if (!(await ctx.store.getDossier(code))) throw new HubError('HUB_NOT_FOUND', `No dossier ${code}`);
}

async function readable(ctx: HubContext, system: SystemRecord, code: string): Promise<Dossier> {
  const d = await ctx.store.getDossier(code);
  if (!d || !inScope(ctx.registry.actor(system), d)) throw new HubError('HUB_NOT_FOUND', `No dossier ${code}`);
  return d;
}

/** Errors of the change the status route builds name the route's own fields (`at`, not `/steps/0/at`). */
function statusRouteError(e: HubError): HubError {
  const path = (p: string) => p.replace(/^\/steps\/0\/(at|status|actor|note)$/, '/$1');
  return new HubError(e.code, e.message.replace('/steps/0/', '/'), e.errors.map((x) => ({ ...x, path: path(x.path) })), e.extra);
}

export async function dossierRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  app.get<{ Params: { code: string }; Querystring: { format?: 'canonical' | DvcqgFormat } }>('/v1/dossiers/:code', {
    schema: {
      operationId: 'getDossier',
      summary: 'One dossier: canonical, the DVCQG DongBoHoSoMC item (?format=dvcqg), its envelope (dvcqg-sync) or the progress items of its steps (dvcqg-progress)',
      description: 'ETag "<revision>-<format>" (weak when the answer is compressed); If-None-Match answers 304. Cache-Control: no-store.',
      tags: ['dossiers'], params: codeParams,
      querystring: { type: 'object', additionalProperties: false, properties: { format: { enum: ['canonical', ...DVCQG_FORMATS] } } },
      response: {
        200: {
          description: 'The canonical dossier, the DVCQG item (dvcqg), or a DVCQG envelope (dvcqg-sync, dvcqg-progress)',
          headers: { etag: { type: 'string', description: '"<revision>-<format>", W/ when compressed' } },
          content: { 'application/json': { schema: { oneOf: [
            { $ref: 'Dossier#' }, { $ref: 'DvcqgItem#' }, { $ref: 'DvcqgSync#' }, { $ref: 'DvcqgProgress#' },
          ] } } },
        },
        304: { description: 'Not modified (If-None-Match matched the ETag)', type: 'null' },
        '4xx': problemResponse,
      },
    },
  }, async (req, reply) => {
    const system = await requireSystem(ctx, req);
    const d = await readable(ctx, system, req.params.code);
    const format = req.query.format ?? 'canonical';
    // The revision names the content; the format names the representation (api.md "Platform").
    const etag = `"${d.revision}-${format}"`;
    reply.header('vary', 'accept-encoding');
    if (weakMatch(req.headers['if-none-match'], etag)) return reply.code(304).header('etag', etag).send();
    reply.header('etag', etag);
    return format !== 'canonical' ? dvcqgForm(format, d) : d;
  });

  app.get<{ Params: { code: string } }>('/v1/dossiers/:code/events', {
    schema: {
      operationId: 'listDossierEvents',
      summary: 'The timeline of a dossier, oldest first', tags: ['dossiers'], params: codeParams,
      response: {
        200: {
          type: 'object',
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  revision: { type: 'integer' }, type: { type: 'string' }, source: { type: 'string' }, at: { type: 'string' },
                  receiptId: { type: 'string' }, payloadSha256: { type: 'string' }, canonicalSha256: { type: 'string' },
                  signature: {
                    type: 'object', description: 'The verified X-Signature the change came with (api.md "Signed payloads")',
                    properties: {
                      signedAt: { type: 'string' },
                      signer: { type: 'object', properties: { subject: { type: 'string' }, serial: { type: 'string' }, fingerprintSha256: { type: 'string' } } },
                    },
                  },
                },
              },
            },
          },
        },
        '4xx': problemResponse,
      },
    },
  }, async (req) => {
    const system = await requireSystem(ctx, req);
    await readable(ctx, system, req.params.code);
    return { items: await ctx.store.listEvents(req.params.code) };
  });

  app.get<{ Querystring: { updatedSince?: string; agency?: string; status?: number; procedure?: string; format?: 'canonical' | DvcqgFormat; cursor?: string; limit?: number } }>('/v1/dossiers', {
    schema: {
      operationId: 'getChangeFeed',
      summary: 'The change feed: dossiers as of their latest change, in change order',
      description: 'Poll with the returned nextCursor (also in the Link header, rel="next"): it never skips or repeats a change, also while writes go on. updatedSince (inclusive, RFC 3339) starts a feed without a cursor.',
      tags: ['dossiers'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          updatedSince: { type: 'string', format: 'date-time' }, agency: { type: 'string', maxLength: 32 },
          status: { type: 'integer', minimum: 1, maximum: 10 }, procedure: { type: 'string', maxLength: 16 },
          format: { enum: ['canonical', ...DVCQG_FORMATS], description: 'each item in a DVCQG form: the export of a period' },
          cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: FEED_MAX, default: 100 },
        },
      },
      response: {
        200: {
          description: 'Dossiers in change order, and the cursor of the next page',
          headers: { link: { type: 'string', description: '<…/v1/dossiers?cursor=…>; rel="next"' } },
          type: 'object', required: ['items', 'nextCursor'],
          properties: { items: { type: 'array', items: { $ref: 'Dossier#' } }, nextCursor: { type: 'string' } },
        },
        '4xx': problemResponse,
      },
    },
  }, async (req, reply) => {
    const system = await requireSystem(ctx, req);
    const q = req.query;
    const cursor: Cursor = q.cursor ? decodeCursor(q.cursor) : { a: 0 };
    if (!q.cursor && q.updatedSince) {
      const since = parseRfc3339(q.updatedSince);
      if (since === null) throw new HubError('HUB_QUERY_INVALID', 'updatedSince must be an RFC 3339 date-time', [{ path: 'query:/updatedSince', message: 'invalid date-time' }]);
      cursor.u = since;
    }
    const { items, last } = await ctx.store.feed({
      after: cursor.a,
      ...(cursor.u !== undefined ? { updatedSince: cursor.u } : {}),
      ...(q.agency ? { agency: q.agency } : {}),
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.procedure ? { procedure: q.procedure } : {}),
      ...(system.role === 'platform' ? {} : { scope: scopeCodes(system) }),
      limit: q.limit ?? 100,
    });
    // Serialised by hand: the items are stored canonical JSON already, and the feed is the hot read path.
    const next = encodeCursor({ ...cursor, a: last ?? cursor.a });
    reply.header('link', nextLink(ctx.config.publicUrl, q, next));
    const format = q.format && q.format !== 'canonical' ? q.format : undefined;
    const item = (d: Dossier) => JSON.stringify(format ? dvcqgForm(format, d) : d);
    return reply.type('application/json').send(`{"items":[${items.map(item).join(',')}],"nextCursor":${JSON.stringify(next)}}`);
  });

  const changeResponse = { 202: receiptSchema, '4xx': problemResponse };

  app.post<{ Params: { code: string }; Body: { status: number; at: string; actor?: string; note?: string; dueAt?: string; reopenReason?: string; extensionReason?: string } }>('/v1/dossiers/:code/status', {
    schema: {
      operationId: 'postDossierStatus',
      summary: 'A status change made elsewhere (e.g. by the platform)', tags: ['dossiers'], params: codeParams,
      body: {
        type: 'object', additionalProperties: false, required: ['status', 'at'],
        properties: {
          status: { type: 'integer', minimum: 1, maximum: 10 }, at: { type: 'string', maxLength: 40 }, actor: { type: 'string', maxLength: 500 },
          note: { type: 'string', maxLength: 2000 }, dueAt: { type: 'string', maxLength: 40 }, reopenReason: { type: 'string', maxLength: 2000 },
          extensionReason: { type: 'string', minLength: 1, maxLength: 2000, description: 'The apology reason recorded with the extension this change makes (domain.md rule 8)' },
        },
        examples: [{ status: 4, at: '2026-11-27T10:00:00+07:00', actor: 'Cổng DVC tỉnh', note: 'Chuyển xử lý' }],
      },
      response: changeResponse,
    },
  }, async (req, reply) => {
    const system = await requireSystem(ctx, req);
    const signature = await signatureOf(ctx, system, req);
    await existing(ctx, req.params.code);
    const b = req.body;
    const step = { at: b.at, status: b.status, ...(b.actor ? { actor: b.actor } : {}), ...(b.note ? { note: b.note } : {}) };
    const change = { status: b.status, steps: [step], ...(b.dueAt ? { dueAt: b.dueAt } : {}), ...(b.reopenReason ? { reopenReason: b.reopenReason } : {}),
      ...(b.extensionReason ? { extensionReason: b.extensionReason } : {}) };
    const result = await ctx.pipeline.commitOp(system, { kind: 'change', ref: { code: req.params.code }, change }, Buffer.from(canonicalJson(b)), { correlationId: String(req.id), ...(signature ? { signature } : {}) })
      .catch((err: unknown) => { throw err instanceof HubError ? statusRouteError(err) : err; });
    return reply.code(202).send(await ctx.trust.signReceipt(result.receipt));
  });

  app.post<{ Params: { code: string }; Body: { toAgency: string; reason?: string } }>('/v1/dossiers/:code/transfer', {
    schema: {
      operationId: 'postDossierTransfer',
      summary: 'Liên thông: pass the dossier to another agency; the system serving it becomes the holder', tags: ['dossiers'], params: codeParams,
      body: {
        type: 'object', additionalProperties: false, required: ['toAgency'],
        properties: { toAgency: { type: 'string', pattern: AGENCY_CODE.source }, reason: { type: 'string', maxLength: 2000 } },
        examples: [{ toAgency: '000.00.15.H12', reason: 'Chuyển Văn phòng Đăng ký đất đai tỉnh giải quyết' }],
      },
      response: changeResponse,
    },
  }, async (req, reply) => {
    const system = await requireSystem(ctx, req);
    const signature = await signatureOf(ctx, system, req);
    await existing(ctx, req.params.code);
    const transfer = { toAgency: req.body.toAgency, ...(req.body.reason ? { reason: req.body.reason } : {}) };
    const result = await ctx.pipeline.commitOp(system, { kind: 'change', ref: { code: req.params.code }, change: {}, transfer }, Buffer.from(canonicalJson(req.body)), { correlationId: String(req.id), ...(signature ? { signature } : {}) });
    return reply.code(202).send(await ctx.trust.signReceipt(result.receipt));
  });
}

/** The X-Signature check of a system that signs (api.md "Signed payloads"), over the body's exact bytes, before anything is stored. */
function signatureOf(ctx: HubContext, system: SystemRecord, req: FastifyRequest) {
  const header = req.headers['x-signature'];
  return ctx.trust.checkPayload(system, rawBodyOf(req), Array.isArray(header) ? header.join(',') : header);
}
