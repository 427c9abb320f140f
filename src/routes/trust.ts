// Trust routes (api.md "Trust"): the hub CA's certificate and receipt verification (public), and the client
// certificates an administrator issues, lists and revokes (audited as every admin act).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import { requireAdmin, type HubContext } from '../context.js';
import type { CertificateRecord } from '../store/types.js';
import { formatVn } from '../util/time.js';
import { problemResponse } from './schemas.js';

const certificateShape = {
  type: 'object', required: ['serial', 'notBefore', 'notAfter', 'fingerprintSha256'],
  properties: {
    serial: { type: 'string' }, notBefore: { type: 'string' }, notAfter: { type: 'string' }, fingerprintSha256: { type: 'string' },
    revokedAt: { type: ['string', 'null'] },
  },
} as const;
const shown = (c: CertificateRecord) => ({ serial: c.serial, notBefore: c.notBefore, notAfter: c.notAfter, fingerprintSha256: c.fingerprintSha256, revokedAt: c.revokedAt });
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

export async function trustRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  app.get('/v1/trust/ca.pem', {
    schema: {
      operationId: 'getCaCertificate', summary: "The hub CA's certificate (PEM), the anchor of issued client certificates and signed receipts", tags: ['trust'], security: [],
      response: { 200: { description: 'PEM certificate', content: { 'application/x-pem-file': { schema: { type: 'string' } } } } },
    },
  }, async (_req, reply) => reply.type('application/x-pem-file').send(await ctx.trust.caPem()));

  app.post<{ Body: unknown }>('/v1/receipts/verify', {
    schema: {
      operationId: 'verifyReceipt', summary: "Check a receipt's signature against the hub CA", tags: ['trust'], security: [],
      body: { type: 'object', description: 'A receipt as the hub answered it, with its signature' },
      response: {
        200: {
          description: 'Whether the signature holds',
          type: 'object', required: ['valid'],
          properties: {
            valid: { type: 'boolean' }, signedAt: { type: 'string' }, reason: { type: 'string' },
            signer: { type: 'object', properties: { subject: { type: 'string' }, serial: { type: 'string' } } },
          },
        },
        '4xx': problemResponse,
      },
    },
  }, async (req) => {
    const r = await ctx.trust.verifyReceipt(req.body);
    return r.valid ? { ...r, signedAt: formatVn(Date.parse(r.signedAt)) } : r;
  });
}

export async function certificateRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  // The audit actor is the token's (`admin` or `admin:<tokenId>`), as on every admin route.
  const actors = new WeakMap<FastifyRequest, string>();
  app.addHook('preHandler', async (req) => { actors.set(req, await requireAdmin(ctx, req)); });
  const audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) =>
    ctx.store.audit({ actor: actors.get(req)!, action, target, detail, correlationId: String(req.id), from: req.ip });
  const systemOf = (id: string) => {
    const s = ctx.registry.get(id);
    if (!s) throw new HubError('HUB_NOT_FOUND', `No system ${id}`);
    return s;
  };

  app.post<{ Params: { id: string }; Body: { csr: string; validDays?: number } }>('/v1/admin/systems/:id/certificates', {
    schema: {
      operationId: 'issueCertificate', summary: 'Issue a client certificate from a PEM CSR (RSA ≥ 2048, SHA-256+)', tags: ['admin'], params: idParams,
      body: {
        type: 'object', additionalProperties: false, required: ['csr'],
        properties: { csr: { type: 'string', maxLength: 20000 }, validDays: { type: 'integer', minimum: 1, maximum: 825, default: 365 } },
      },
      response: {
        201: { description: 'The certificate', type: 'object', required: ['serial', 'certificate', 'notBefore', 'notAfter', 'fingerprintSha256'], properties: { ...certificateShape.properties, certificate: { type: 'string' } } },
        '4xx': problemResponse,
      },
    },
  }, async (req, reply) => {
    const system = systemOf(req.params.id);
    if (system.status !== 'active') throw new HubError('HUB_VALIDATION', `System ${system.id} is retired: it gets no certificate`, [{ path: '/id', message: 'retired' }]);
    const issued = await ctx.trust.issue(system, req.body.csr, req.body.validDays ?? 365);
    await audit(req, 'certificate.issue', system.id, { serial: issued.serial, fingerprintSha256: issued.fingerprintSha256, notAfter: issued.notAfter });
    return reply.code(201).send(issued);
  });

  app.get<{ Params: { id: string } }>('/v1/admin/systems/:id/certificates', {
    schema: {
      operationId: 'listCertificates', summary: "A system's client certificates issued by the hub CA", tags: ['admin'], params: idParams,
      response: { 200: { description: 'The certificates', type: 'object', required: ['items'], properties: { items: { type: 'array', items: certificateShape } } }, '4xx': problemResponse },
    },
  }, async (req) => {
    const system = systemOf(req.params.id);
    await audit(req, 'certificate.list', system.id);
    return { items: (await ctx.store.certificates.list(system.id)).map(shown) };
  });

  app.delete<{ Params: { id: string; serial: string } }>('/v1/admin/systems/:id/certificates/:serial', {
    schema: {
      operationId: 'revokeCertificate', summary: 'Revoke a client certificate (refused at once)', tags: ['admin'],
      params: { type: 'object', required: ['id', 'serial'], properties: { id: { type: 'string' }, serial: { type: 'string' } } },
      response: { 200: { description: 'The revoked certificate', ...certificateShape }, '4xx': problemResponse },
    },
  }, async (req) => {
    const system = systemOf(req.params.id);
    const serial = req.params.serial.toLowerCase();
    const found = await ctx.store.certificates.get(serial);
    if (!found || found.systemId !== system.id) throw new HubError('HUB_NOT_FOUND', `System ${system.id} has no certificate ${serial}`);
    // Stored before the 200: every later check reads the table (service.ts), so the refusal is immediate.
    const revoked = (await ctx.store.certificates.revoke(serial, formatVn(Date.now())))!;
    await audit(req, 'certificate.revoke', system.id, { serial, fingerprintSha256: revoked.fingerprintSha256 });
    return shown(revoked);
  });
}
