// Shared route schemas: they validate, serialise and document (OpenAPI at /openapi.json, /docs).
// Importing the swagger plugin's types adds summary, tags and description to FastifySchema.
import type {} from '@fastify/swagger';
export const problemSchema = {
  $id: 'Problem',
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

const RECEIPT_REQUIRED = ['receiptId', 'dossierCode', 'revision', 'status', 'duplicate', 'payloadSha256', 'canonicalSha256', 'acceptedAt'];

/** One accepted change (api.md "Receipts"). */
export const receiptComponent = {
  $id: 'Receipt',
  type: 'object',
  required: RECEIPT_REQUIRED,
  properties: receiptProperties,
  description: 'The receipt of one accepted change; `duplicate` when the same change was accepted before',
  examples: [{
    receiptId: '01JD8X3YQ6ZB2M1N4P5R6S7T8V', dossierCode: '000.00.15.H12-261127-0007', revision: 3, status: 4, duplicate: false,
    payloadSha256: '9f2c…', canonicalSha256: '4b1a…', acceptedAt: '2026-11-27T08:15:02.123+07:00',
  }],
} as const;

/** The answer to a batch with at least one accepted item. */
export const batchResultComponent = {
  $id: 'BatchResult',
  type: 'object',
  required: ['accepted', 'rejected'],
  properties: {
    accepted: { type: 'array', items: { $ref: 'Receipt#' } },
    rejected: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, code: { type: 'string' }, errors: problemSchema.properties.errors } },
    },
  },
  description: 'A batch: the receipts of the accepted items, and the refused items by index with their code and fields',
} as const;

/** Shared schemas, added to the app once (they become components of /openapi.json). */
export const sharedSchemas = [problemSchema, receiptComponent, batchResultComponent] as const;

export const receiptSchema = { $ref: 'Receipt#' } as const;
export const receiptOrBatchSchema = { description: 'A receipt (one dossier), or {accepted, rejected} for a batch', anyOf: [{ $ref: 'Receipt#' }, { $ref: 'BatchResult#' }] } as const;

/** Every error answer: RFC 9457 problem details (api.md), documented with its real media type. */
export const problemResponse = {
  description: 'RFC 9457 problem details with a stable HUB_ code (docs/errors.md)',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
} as const;

/** A response whose body is one of the document-only components (see src/http/openapi.ts). */
export const jsonRef = (id: string, description: string) => ({ description, content: { 'application/json': { schema: { $ref: `${id}#` } } } });

export const codeParams = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string', maxLength: 64, description: 'National dossier code, e.g. 000.00.15.H12-261127-0007' } },
} as const;
