// RFC 9457 problem+json for every error the HTTP layer answers: the hub's own, Fastify's (body parser, limits,
// schema validation), 404 and 405. One place decides how an error looks on the wire.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HubError, toProblem, type ErrorCode } from '../errors.js';
import { AdapterError } from '../../adapters/kit/contract.js';
import { WWW_AUTHENTICATE } from '../trust/auth.js';
import { isDiskFull, storeFullError } from '../store/sqlite/space.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'HUB_REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'HUB_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'HUB_REQUEST_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'HUB_REQUEST_MALFORMED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'HUB_REQUEST_MALFORMED',
  FST_ERR_CTP_EMPTY_TYPE: 'HUB_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'HUB_MEDIA_TYPE',
  FST_ERR_REQUEST_TIMEOUT: 'HUB_REQUEST_TIMEOUT',
};

/** Any thrown value as a HubError (unknown errors become HUB_INTERNAL and keep their message out of the answer). */
export function asHubError(err: unknown, where: 'body' | 'query' | 'params' | 'other' = 'other'): HubError {
  if (err instanceof HubError) return err;
  if (err instanceof AdapterError) return new HubError(err.code, err.message, err.errors);
  // A write outside the group commit (audit, ack, last-seen) that met a full disk: 503, not 500.
  if (isDiskFull(err)) return storeFullError();
  const fe = err as FastifyError & { validation?: { instancePath: string; message?: string; params?: Record<string, unknown>; keyword: string }[]; validationContext?: string };
  if (fe?.validation) {
    const ctx = fe.validationContext ?? where;
    const errors = fe.validation.slice(0, 20).map((v) => {
      const missing = v.keyword === 'required' ? `/${String(v.params?.missingProperty)}` : '';
      return { path: `${ctx === 'body' ? '' : `${ctx}:`}${v.instancePath}${missing}`, message: v.message ?? 'invalid' };
    });
    return new HubError(ctx === 'body' ? 'HUB_VALIDATION' : 'HUB_QUERY_INVALID', `Invalid ${ctx}: ${errors[0]?.path} ${errors[0]?.message}`, errors);
  }
  const mapped = fe?.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new HubError(mapped, fe.message);
  if (fe?.statusCode === 413) return new HubError('HUB_REQUEST_TOO_LARGE', fe.message);
  if (fe?.statusCode === 415) return new HubError('HUB_MEDIA_TYPE', fe.message);
  if (fe?.statusCode === 400) return new HubError('HUB_REQUEST_MALFORMED', fe.message);
  return new HubError('HUB_INTERNAL', 'The hub failed to answer this request; the correlation id identifies it in the logs');
}

/** Headers an error implies whatever its format (problem+json, SOAP Fault, KetQua): how to authenticate, when to retry. */
export function errorHeaders(err: HubError): Record<string, string> {
  const h: Record<string, string> = {};
  if (err.status === 401) h['www-authenticate'] = WWW_AUTHENTICATE;
  if (typeof err.extra.retryAfter === 'number') h['retry-after'] = String(err.extra.retryAfter);
  return h;
}

export function sendProblem(reply: FastifyReply, err: HubError): FastifyReply {
  const body = toProblem(err, String(reply.request.id));
  return reply.code(err.status).headers(errorHeaders(err)).type('application/problem+json').send(body);
}

/** Route patterns per path, to tell 405 (the path exists with other methods) from 404. */
export function installProblemHandlers(app: FastifyInstance): void {
  const routes: { re: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (r) => {
    const re = new RegExp(`^${r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`);
    const methods = ([] as string[]).concat(r.method);
    const hit = routes.find((x) => x.re.source === re.source);
    if (hit) methods.forEach((m) => hit.methods.add(m));
    else routes.push({ re, methods: new Set(methods) });
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const hub = asHubError(err);
    if (hub.code === 'HUB_INTERNAL') req.log.error({ err }, 'unhandled error');
    else if (hub.status >= 500) req.log.warn({ code: hub.code, detail: hub.message }, 'request failed');
    return sendProblem(reply, hub);
  });

  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    const allowed = routes.filter((r) => r.re.test(path)).flatMap((r) => [...r.methods]);
    if (allowed.length) {
      reply.header('allow', [...new Set(allowed)].join(', '));
      return sendProblem(reply, new HubError('HUB_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; allowed: ${[...new Set(allowed)].join(', ')}`));
    }
    return sendProblem(reply, new HubError('HUB_NOT_FOUND', `No resource at ${path}`));
  });
}
