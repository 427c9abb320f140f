// HTTP habits of a well-behaved Fastify service: compression, security headers, CORS for the citizen look-up,
// and the weak form of an ETag when the body went out compressed (RFC 9110 §8.8.1: a strong validator names
// exact bytes, and the gzip bytes are not those the ETag was computed for).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import compress from '@fastify/compress';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import type { HubConfig } from '../config.js';

/** Paths the browser may call from another origin (the provincial portal embeds the citizen look-up). */
export const CORS_PATH = /^\/v1\/public\/dossiers\/[^/?#]+(\?|$)/;

/** `"3-canonical"` and `W/"3-canonical"` are one validator under the weak comparison (RFC 9110 §8.8.3.2). */
export function weakMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

export async function registerHttpHabits(app: FastifyInstance, config: Readonly<HubConfig>): Promise<void> {
  // Answers only: request bodies are counted by the body limit as they arrive, never inflated here.
  await app.register(compress, { global: true, globalDecompression: false, threshold: 1024 });
  // Runs after compress's own onSend (route hooks run in the order they were added).
  app.addHook('onRoute', (route) => {
    const weaken = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const etag = reply.getHeader('etag');
      if (typeof etag === 'string' && !etag.startsWith('W/') && reply.getHeader('content-encoding')) reply.header('etag', `W/${etag}`);
      return payload;
    };
    route.onSend = [...([] as unknown[]).concat(route.onSend ?? []), weaken] as typeof route.onSend;
  });

  // A read with credentials answers with data of one system: no shared or private cache keeps it (api.md).
  app.addHook('onRequest', async (req, reply) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.headers.authorization) reply.header('cache-control', 'no-store');
  });

  // Swagger UI (/docs) loads its scripts and styles from the hub itself and sets inline styles; it calls the API
  // on the same origin. No upgrade-insecure-requests: a hub on plain HTTP inside the province network must keep
  // working from /docs.
  await app.register(helmet, {
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
    // HTTPS is the reverse proxy's business (it knows whether the hub is served over TLS).
    strictTransportSecurity: false,
  });

  const origins = new Set(config.corsOrigins);
  await app.register(cors, {
    // Per request: only the CORS routes answer with Access-Control-* headers, and only to configured origins.
    delegator: (req, cb) => {
      // By path, not route: a preflight (OPTIONS) is answered by the plugin's own catch-all route.
      const origin = req.headers.origin;
      const allowed = CORS_PATH.test(req.url ?? '') && typeof origin === 'string' && origins.has(origin);
      cb(null, allowed ? { origin, methods: ['GET'], maxAge: 600, optionsSuccessStatus: 204, exposedHeaders: ['Retry-After', 'X-Correlation-Id'] } : { origin: false });
    },
  });
}
