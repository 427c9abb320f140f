// HTTP habits of a well-behaved Fastify service: compression, security headers, CORS for the citizen look-up,
// and the weak form of an ETag when the body went out compressed (RFC 9110 §8.8.1: a strong validator names
// exact bytes, and the gzip bytes are not those the ETag was computed for).
//
// Security headers and CORS run in one synchronous onRequest hook (issue 13): @fastify/helmet rebuilt helmet's
// middleware (parsing the CSP directives) and @fastify/cors normalised its options on every request, in three
// hooks of their own. The header set is helmet's, computed once from the same options; the CORS answers are those
// @fastify/cors gave with the delegator this file had (test/http/habits.test.ts holds both to that).
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { ServerResponse } from 'node:http';
import compress from '@fastify/compress';
import type { HubConfig } from '../config.js';

/** Paths the browser may call from another origin (the provincial portal embeds the citizen look-up). */
export const CORS_PATH = /^\/v1\/public\/dossiers\/[^/?#]+(\?|$)/;

/** `"3-canonical"` and `W/"3-canonical"` are one validator under the weak comparison (RFC 9110 §8.8.3.2). */
export function weakMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

// Swagger UI (/docs) loads its scripts and styles from the hub itself and sets inline styles; it calls the API
// on the same origin. No upgrade-insecure-requests: a hub on plain HTTP inside the province network must keep
// working from /docs. HTTPS is the reverse proxy's business (it knows whether the hub is served over TLS): no HSTS.
export const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
    },
  },
  strictTransportSecurity: false,
} as const;

type HeaderOp = readonly [name: string, value: string] | readonly [name: string];
type HelmetMiddleware = (req: unknown, res: unknown, next: (err?: unknown) => void) => void;

/**
 * What helmet does to a response with these options, in its order: the headers it sets and the ones it removes.
 * Its middleware is a fixed function of the options (no per-request input: no CSP nonces), so it runs once here
 * against a recorder. Helmet is the one @fastify/helmet depends on (resolved from there, not hoisting).
 */
export function securityHeaderOps(options: object = HELMET_OPTIONS): HeaderOp[] {
  const local = createRequire(import.meta.url);
  const helmet = createRequire(local.resolve('@fastify/helmet'))('helmet') as (o: object) => HelmetMiddleware;
  const ops: HeaderOp[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a ${typeof value}`);
      ops.push([name, value]);
    },
    removeHeader: (name: string) => void ops.push([name]),
  };
  let done = false;
  helmet(options)({}, recorder, (err) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('helmet did not complete synchronously');
  return ops;
}

/** Adds a field name to Vary as @fastify/cors does (its vary.js): once, and never beside `*`. */
function addVary(reply: FastifyReply, field: string): void {
  let header = reply.getHeader('vary');
  if (!header) return void reply.header('vary', field);
  if (header === '*') return;
  if (Array.isArray(header)) header = header.join(', ');
  const names = String(header).toLowerCase().split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('*')) reply.header('vary', '*');
  else if (!names.includes(field.toLowerCase())) reply.header('vary', `${String(header)}, ${field}`);
}

const CORS_EXPOSED = 'Retry-After, X-Correlation-Id';

export async function registerHttpHabits(app: FastifyInstance, config: Readonly<HubConfig>): Promise<void> {
  // Answers only: request bodies are counted by the body limit as they arrive, never inflated here.
  await app.register(compress, { global: true, globalDecompression: false, threshold: 1024 });
  // Runs after compress's own onSend (route hooks run in the order they were added).
  const weaken = (_req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, p: unknown) => void) => {
    const etag = reply.getHeader('etag');
    if (typeof etag === 'string' && !etag.startsWith('W/') && reply.getHeader('content-encoding')) reply.header('etag', `W/${etag}`);
    done(null, payload);
  };
  app.addHook('onRoute', (route) => {
    route.onSend = [...([] as unknown[]).concat(route.onSend ?? []), weaken] as typeof route.onSend;
  });

  const security = securityHeaderOps();
  const origins = new Set(config.corsOrigins);

  app.addHook('onRequest', function httpHabits(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    // A read with credentials answers with data of one system: no shared or private cache keeps it (api.md).
    if ((req.method === 'GET' || req.method === 'HEAD') && req.headers.authorization) reply.header('cache-control', 'no-store');

    // Security headers, on the raw response as helmet sets them (so a route's own value of one still wins).
    const res: ServerResponse = reply.raw;
    for (let i = 0; i < security.length; i++) {
      const op = security[i]!;
      if (op.length === 2) res.setHeader(op[0], op[1]);
      else res.removeHeader(op[0]);
    }

    // CORS: per request, answers vary by Origin; only the CORS paths answer with Access-Control-* headers, and
    // only to configured origins. By path, not route: a preflight (OPTIONS) is answered here, before any route.
    addVary(reply, 'Origin');
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !origins.has(origin) || !CORS_PATH.test(req.url ?? '')) return done();
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', CORS_EXPOSED);
    if (req.raw.method !== 'OPTIONS') return done();
    if (!req.headers['access-control-request-method']) {
      reply.status(400).type('text/plain').send('Invalid Preflight Request');
      return;
    }
    reply.header('access-control-allow-methods', 'GET');
    addVary(reply, 'Access-Control-Request-Headers');
    const requested = req.headers['access-control-request-headers'];
    if (requested !== undefined) reply.header('access-control-allow-headers', requested);
    reply.header('access-control-max-age', '600');
    reply.code(204).header('content-length', '0').send();
  });

  // Lets Fastify route an OPTIONS request at all; an allowed preflight was answered by the hook above, so what
  // reaches this is not one: 404, as for any unknown route.
  app.options('*', { schema: { hide: true } }, (_req, reply) => {
    reply.callNotFound();
  });
}
