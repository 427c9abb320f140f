// Inbound endpoints (api.md, "Inbound"): the raw body (bytes, bounded by the body limit) goes to the calling
// system's adapter, which parses it; the shared pipeline does the rest; the adapter (or api.md's JSON) answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Adapter, DecodeResult, InboundRequest, ItemOutcome } from '../../adapters/kit/contract.js';
import { HubError, toProblem } from '../errors.js';
import { asHubError, errorHeaders, sendProblem } from '../http/problem.js';
import { requireSystem, traceparentOf, type HubContext } from '../context.js';
import { credentialsFrom } from '../trust/auth.js';
import { receiptOrBatchSchema, problemResponse } from './schemas.js';

const systemParams = { type: 'object', properties: { systemId: { type: 'string' } }, required: ['systemId'] } as const;
const ketQua = { schema: { type: 'string', description: 'TN&MT KetQua document (legacy/tnmt.md)' } } as const;
const soapEnvelope = (what: string) => ({ schema: { type: 'string', description: `A SOAP 1.1 envelope: ${what}` } });

type Params = { systemId: string };
/** Statuses of a request refused before any item outcome exists: unparseable, too large, wrong media type, a batch refused whole. */
const WHOLE_REFUSALS = new Set([400, 413, 415, 422]);

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function headerRecord(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function jsonAnswer(ctx: HubContext, reply: FastifyReply, decoded: DecodeResult, outcomes: ItemOutcome[]): Promise<FastifyReply> {
  const correlationId = String(reply.request.id);
  if (!decoded.batch) {
    const o = outcomes[0]!;
    if (o.ok) return reply.code(202).send(o.receipt ? await ctx.trust.signReceipt(o.receipt) : o.receipt);
    return sendProblem(reply, new HubError(o.code, o.detail, o.errors));
  }
  // Only JSON receipts are signed (api.md "Signed receipts"): native answers carry none.
  const accepted = await Promise.all(outcomes.flatMap((o) => (o.ok && o.receipt ? [ctx.trust.signReceipt(o.receipt)] : [])));
  const rejected = outcomes.flatMap((o) => (o.ok ? [] : [{ index: o.index, code: o.code, errors: o.errors }]));
  if (accepted.length) return reply.code(202).send({ accepted, rejected });
  const problem = toProblem(new HubError('HUB_BATCH_REJECTED', `None of the ${outcomes.length} items was accepted`), correlationId);
  return reply.code(422).type('application/problem+json').send({ ...problem, accepted, rejected });
}

export async function inboundRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  // Inside this plugin only: every body arrives as bytes for the adapter to parse.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  /** The system's adapter for a path, when the system is registered and its adapter installed. */
  const resolvedOf = (systemId: string) => {
    const target = ctx.registry.get(systemId);
    return target ? ctx.registry.adapterFor(target) : undefined;
  };
  const adapterOf = (systemId: string): Adapter | undefined => resolvedOf(systemId)?.adapter;

  /** An error in the adapter's own form (SOAP Fault, KetQua) when it has one, else problem+json. */
  function fail(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, err: unknown): FastifyReply {
    const e = asHubError(err);
    if (e.code === 'HUB_INTERNAL') req.log.error({ err }, 'unhandled error');
    const adapter = adapterOf(req.params.systemId);
    if (adapter && adapter.answers !== 'json' && adapter.answerError) {
      const m = adapter.answerError({ code: e.code, status: e.status, detail: e.message, errors: e.errors });
      return reply.code(m.status ?? e.status).type(m.contentType).headers({ ...errorHeaders(e), ...m.headers }).send(m.body);
    }
    return sendProblem(reply, e);
  }
  /** A request refused whole counts as one refused item of the system that sent it (api.md "Conformance report"). */
  const refusedWhole = (systemId: string, err: unknown) => {
    const e = asHubError(err);
    if (WHOLE_REFUSALS.has(e.status)) ctx.bookkeeping.traffic(systemId, { refused: 1, codes: [{ code: e.code, rule: '', example: null }] });
  };

  // Errors raised before the handler (a body over the limit, a broken transfer) also answer in the native form.
  // They count for the system only when its own valid key came with them (checked without recording anything).
  app.setErrorHandler(async (err, req, reply) => {
    const r = req as FastifyRequest<{ Params: Params }>;
    if (WHOLE_REFUSALS.has(asHubError(err).status) && (await ctx.auth.identify(credentialsFrom(req.headers.authorization))) === r.params.systemId) refusedWhole(r.params.systemId, err);
    return fail(r, reply, err);
  });

  async function handle(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, soap: boolean): Promise<FastifyReply> {
    // Resolved once: the adapter that decodes is the one recorded as `decodedBy`, even if a mapping version is
    // activated while this request awaits (mapping.md §13).
    const resolved = resolvedOf(req.params.systemId);
    const adapter = resolved?.adapter;
    // Set once the caller is the path's system, cleared once the pipeline has counted the items itself.
    let counting: string | undefined;
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const inbound: InboundRequest = { body, contentType: mediaType(req.headers['content-type']), headers: headerRecord(req), systemId: req.params.systemId };
      const caller = await requireSystem(ctx, req, () => {
        const fromPayload = adapter?.credentials?.(inbound);
        return fromPayload ? { scheme: 'ws-security', username: fromPayload.username, password: fromPayload.password } : undefined;
      });
      if (caller.id !== req.params.systemId) throw new HubError('HUB_AUTHZ_SYSTEM', `Credentials of ${caller.id} cannot post for ${req.params.systemId}`);
      counting = caller.id;
      // A registration stored by an earlier version (an adapter since removed, or "mapping"): the caller's to fix.
      if (!adapter) throw new HubError('HUB_SYSTEM_ADAPTER_UNKNOWN', `System ${caller.id} names adapter ${caller.adapter}, which this hub does not have`, [{ path: '/adapter', message: 'not installed' }]);
      if (soap !== (adapter.answers === 'soap')) throw new HubError('HUB_NOT_FOUND', soap ? `System ${caller.id} does not speak SOAP` : `System ${caller.id} posts to /v1/soap/${caller.id}`);
      if (!adapter.contentTypes.includes(inbound.contentType)) {
        throw new HubError('HUB_MEDIA_TYPE', `Adapter ${adapter.name} accepts ${adapter.contentTypes.join(', ')}, not "${inbound.contentType || 'none'}"`);
      }
      if (!body.length) throw new HubError('HUB_REQUEST_MALFORMED', 'The body is empty');
      // Over the exact bytes, before anything is parsed or stored (api.md "Signed payloads").
      const xSignature = req.headers['x-signature'];
      const signature = await ctx.trust.checkPayload(caller, body, Array.isArray(xSignature) ? xSignature.join(',') : xSignature);
      const decoded = adapter.decode(inbound);
      const traceparent = traceparentOf(req);
      counting = undefined;
      const decodedBy = resolved?.provenance ?? null;
      const outcomes = await ctx.pipeline.run(caller, decoded, { correlationId: String(req.id), decodedBy, ...(traceparent ? { traceparent } : {}), ...(signature ? { signature } : {}) });
      for (const o of outcomes) {
        if (o.ok && o.receipt) req.log.debug({ system: caller.id, dossierCode: o.receipt.dossierCode, revision: o.receipt.revision, duplicate: o.receipt.duplicate }, 'change accepted');
        else if (!o.ok) req.log.info({ system: caller.id, index: o.index, code: o.code, paths: o.errors.map((e) => e.path) }, 'item rejected');
      }
      if (adapter.answer) {
        const m = adapter.answer({ decode: decoded, outcomes, accept: req.headers.accept });
        return reply.code(m.status ?? 200).type(m.contentType).headers(m.headers ?? {}).send(m.body);
      }
      return await jsonAnswer(ctx, reply, decoded, outcomes);
    } catch (err) {
      if (counting) refusedWhole(counting, err);
      return fail(req, reply, err);
    }
  }

  app.post<{ Params: Params }>('/v1/inbound/:systemId', {
    schema: {
      operationId: 'postInbound',
      summary: 'Push dossiers in the system\'s native format',
      description: 'One dossier, or a batch where the format has batches. The system\'s adapter parses the raw body (the request body below lists each adapter\'s content types). Answers 202 with a receipt (or a batch result); errors are problem+json, or KetQua XML for the TN&MT format (JSON with Accept: application/json).',
      tags: ['inbound'],
      params: systemParams,
      // No `body` here: the bytes go to the adapter untouched (src/http/openapi.ts documents the request body).
      response: {
        202: { description: 'Accepted', content: { 'application/json': { schema: receiptOrBatchSchema }, 'application/xml': ketQua } },
        '4xx': { ...problemResponse, content: { ...problemResponse.content, 'application/xml': ketQua } },
        '5xx': { ...problemResponse, content: { ...problemResponse.content, 'application/xml': ketQua } },
      },
    },
  }, (req, reply) => handle(req, reply, false));

  app.post<{ Params: Params }>('/v1/soap/:systemId', {
    schema: {
      operationId: 'postSoap',
      summary: 'SOAP 1.1 endpoint for systems whose adapter speaks SOAP',
      description: 'Operations dispatched by the body element; SOAP Faults carry HUB_ codes in detail/MaLoi (legacy/xay-dung.md): HTTP 500 (Client or Server fault), 401 with WWW-Authenticate, 429 to back off. A path that names no SOAP system answers problem+json.',
      tags: ['inbound'],
      params: systemParams,
      security: [{ basic: [] }, { bearer: [] }, {}],
      response: {
        200: { description: 'The operation\'s SOAP response envelope', content: { 'text/xml': soapEnvelope('TiepNhanHoSoResponse, CapNhatTrangThaiResponse, …') } },
        '4xx': { description: 'A SOAP Fault (401, 429), or problem+json when the path names no SOAP system', content: { 'text/xml': soapEnvelope('soap:Fault'), ...problemResponse.content } },
        '5xx': { description: 'A SOAP Fault (faultcode soap:Client or soap:Server, detail/MaLoi = HUB_ code)', content: { 'text/xml': soapEnvelope('soap:Fault') } },
      },
    },
  }, (req, reply) => handle(req, reply, true));

  app.get<{ Params: Params; Querystring: Record<string, string> }>('/v1/soap/:systemId', {
    schema: {
      operationId: 'getWsdl',
      summary: 'The WSDL of a SOAP system\'s endpoint (public)', tags: ['inbound'], params: systemParams, security: [],
      querystring: {
        type: 'object',
        properties: { wsdl: { type: 'string', description: 'Present, without a value: ?wsdl (any case: ?WSDL as .NET and Java tools send it)' } },
      },
      response: {
        200: { description: 'WSDL 1.1 with soap:address at HUB_PUBLIC_URL', content: { 'text/xml': { schema: { type: 'string' } } } },
        '4xx': problemResponse,
      },
    },
  }, async (req, reply) => {
    const system = ctx.registry.get(req.params.systemId);
    const adapter = system ? ctx.registry.adapterFor(system)?.adapter : undefined;
    if (!system || system.status !== 'active' || !adapter?.describe || !Object.keys(req.query ?? {}).some((k) => k.toLowerCase() === 'wsdl')) {
      return sendProblem(reply, new HubError('HUB_NOT_FOUND', `No WSDL at ${req.url}`));
    }
    const d = adapter.describe(`${ctx.config.publicUrl}/v1/soap/${system.id}`);
    return reply.type(d.contentType).send(d.body);
  });
}
