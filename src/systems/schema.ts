// The registration object of api.md, as JSON Schema: used by the admin route, the bootstrap loader and /docs.
export const systemIdSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } as const;
// QĐ 20/2020 identifiers (canonical.md "Codes"): the canonical schema's pattern, linear in a backtracking engine.
const agencyCode = { type: 'string', pattern: '^(?=[0-9A-Z.]{1,35}$)[0-9A-Z](?:[0-9A-Z]|\\.(?=[0-9A-Z]))*$' } as const;
// `district` stays in the shape so that the registry can answer HUB_LEVEL_RETIRED (not a bare shape error).
const level = { enum: ['province', 'district', 'commune'] } as const;
const kind = { enum: ['xa', 'phuong', 'dac_khu'] } as const;

export const registrationSchema = {
  $id: 'SystemRegistration',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'adapter', 'role', 'level', 'agencies', 'delivery', 'subscriptions'],
  properties: {
    id: systemIdSchema,
    name: { type: 'string', minLength: 1, maxLength: 300 },
    adapter: { type: 'string', minLength: 1, maxLength: 64 },
    role: { enum: ['source', 'platform'] },
    level,
    agencies: {
      type: 'array', maxItems: 500,
      items: {
        anyOf: [
          agencyCode,
          {
            type: 'object', additionalProperties: false, required: ['code'],
            properties: {
              code: agencyCode, name: { type: 'string', maxLength: 500 }, level, kind,
              // Identifiers of units this agency took over (three-tier past): its own for scope and codes, never served.
              predecessors: { type: 'array', maxItems: 100, items: agencyCode },
            },
          },
        ],
      },
    },
    delivery: {
      type: 'object', additionalProperties: false, required: ['mode'],
      properties: {
        mode: { enum: ['push', 'pull', 'none'] },
        url: { type: 'string', pattern: '^https?://', maxLength: 2000 },
        timeoutMs: { type: 'integer', minimum: 100, maximum: 120000 },
      },
    },
    subscriptions: {
      type: 'array', maxItems: 20,
      items: {
        type: 'object', additionalProperties: false, required: ['events', 'scope'],
        properties: {
          events: { type: 'array', minItems: 1, items: { enum: ['dossier.received', 'dossier.updated', 'dossier.status-changed', 'dossier.transferred'] } },
          scope: { enum: ['own', 'all'] },
        },
      },
    },
    mapping: { type: ['object', 'null'] },
    signature: {
      description: 'Signed payloads (api.md "Trust"): X-Signature, a detached CMS over the exact body, checked against these signers',
      type: 'object', additionalProperties: false, required: ['mode'],
      properties: {
        mode: { enum: ['off', 'optional', 'required'] },
        signers: { type: 'array', maxItems: 50, items: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----', maxLength: 20000 } },
      },
    },
    certificates: {
      description: 'SHA-256 fingerprints (64 hex) of client certificates of another CA (the Government CA) that authenticate this system over mTLS; each must chain to a config/trust anchor',
      type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    },
    comment: { type: 'string', description: 'Free text for operators (ignored by the hub).' },
  },
  examples: [{
    id: 'undp-xa-tan-an', name: 'UBND xã Tân An — phần mềm một cửa UNDP', adapter: 'undp-motcua', role: 'source', level: 'commune',
    agencies: ['000.12.34.H12'], delivery: { mode: 'push', url: 'http://10.0.0.5/api/nhan-ho-so', timeoutMs: 5000 },
    subscriptions: [{ events: ['dossier.transferred', 'dossier.status-changed'], scope: 'own' }], mapping: null,
  }],
} as const;

export const systemPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(Object.entries(registrationSchema.properties).filter(([k]) => k !== 'id')),
} as const;
