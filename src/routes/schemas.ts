// Shared route schemas: they validate, serialise and document (OpenAPI at /openapi.json, /docs).
// Importing the swagger plugin's types adds summary, tags and description to FastifySchema.
import type {} from '@fastify/swagger';
export const problemSchema = {
  description: 'RFC 9457 problem details',
  type: 'object',
  additionalProperties: true,
  properties: {
    type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
    code: { type: 'string', description: 'Stable HUB_… code (docs/errors.md)' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    correlationId: { type: 'string' },
  },
  examples: [{
    type: 'https://lgsp-hub.local/errors/HUB_VALIDATION', title: 'The dossier is invalid', status: 422,
    detail: 'Invalid dossier: /receivedAt is required', code: 'HUB_VALIDATION',
    errors: [{ path: '/receivedAt', message: 'is required' }], correlationId: '01JD8X3YQ6ZB2M1N4P5R6S7T8V',
  }],
} as const;

export const receiptProperties = {
  receiptId: { type: 'string' },
  dossierCode: { type: 'string' },
  revision: { type: 'integer' },
  status: { type: 'integer' },
  duplicate: { type: 'boolean' },
  payloadSha256: { type: 'string' },
  canonicalSha256: { type: 'string' },
  acceptedAt: { type: 'string' },
  signature: { type: 'string' },
} as const;

export const receiptSchema = {
  type: 'object',
  properties: {
    ...receiptProperties,
    accepted: { type: 'array', items: { type: 'object', properties: receiptProperties } },
    rejected: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, code: { type: 'string' }, errors: problemSchema.properties.errors } },
    },
  },
  description: 'A receipt (one dossier), or {accepted, rejected} for a batch',
  examples: [{
    receiptId: '01JD8X3YQ6ZB2M1N4P5R6S7T8V', dossierCode: '000.00.15.H12-261127-0007', revision: 3, status: 4, duplicate: false,
    payloadSha256: '9f2c…', canonicalSha256: '4b1a…', acceptedAt: '2026-11-27T08:15:02.123+07:00',
  }],
} as const;

export const codeParams = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string', maxLength: 64, description: 'National dossier code, e.g. 000.00.15.H12-261127-0007' } },
} as const;
