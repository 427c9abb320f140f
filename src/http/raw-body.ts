// The exact bytes of a parsed JSON body, kept beside the request: X-Signature covers the body as sent (api.md
// "Signed payloads"), and a route that reads the parsed object must still check the bytes it was parsed from.
import type { FastifyRequest } from 'fastify';

const raw = new WeakMap<FastifyRequest, Buffer>();

export function keepRawBody(req: FastifyRequest, body: Buffer): void {
  raw.set(req, body);
}

export function rawBodyOf(req: FastifyRequest): Buffer {
  return raw.get(req) ?? Buffer.alloc(0);
}
