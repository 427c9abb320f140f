// Rotation of the administrator token (api.md "POST /v1/admin/token"): the store keeps only an HMAC; earlier
// tokens (the bootstrap one included) end after the overlap, and the bootstrap token is ignored from then on.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';
import { keyHmac, newKeyId } from '../../trust/keys.js';
import { randomSecret } from '../../trust/secrets.js';
import { formatVn } from '../../util/time.js';
import { problemResponse } from '../schemas.js';
import { audited, entryFor, installAdmin } from './common.js';

export async function adminTokenRoutes(app: FastifyInstance, { ctx, keySecret }: { ctx: HubContext; keySecret: string }): Promise<void> {
  installAdmin(app, ctx);

  app.post<{ Body: { overlapSeconds?: number } | undefined }>('/v1/admin/token', {
    config: { action: 'token.rotate' },
    schema: {
      operationId: 'rotateAdminToken', summary: 'Rotate the administrator token; the new one is shown this once', tags: ['admin'],
      body: { type: ['object', 'null'], additionalProperties: false, properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: 2_592_000 } } },
      response: {
        201: {
          description: 'The new token, shown this once, and when the earlier tokens end', type: 'object', required: ['token', 'tokenId', 'previousTokenValidUntil'],
          properties: { token: { type: 'string' }, tokenId: { type: 'string' }, previousTokenValidUntil: { type: ['string', 'null'] } },
        },
        '4xx': problemResponse, '5xx': problemResponse,
      },
    },
  }, async (req, reply) => {
    const now = Date.now();
    const overlap = req.body?.overlapSeconds ?? 86_400;
    const token = randomSecret(32);
    const tokenId = newKeyId();
    const previousTokenValidUntil = await ctx.store.admin.rotateAdminToken(
      { tokenId, tokenHmac: keyHmac(keySecret, token), createdAt: formatVn(now) }, formatVn(now + overlap * 1000),
      { ...entryFor(req, 'token.rotate', null), detail: { tokenId, overlapSeconds: overlap } },
    );
    audited(req);
    req.log.warn({ tokenId, overlapSeconds: overlap }, 'administrator token rotated; earlier tokens end after the overlap');
    return reply.code(201).send({ token, tokenId, previousTokenValidUntil });
  });
}
