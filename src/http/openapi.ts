// The OpenAPI 3.1 document (/openapi.json, /docs): the route schemas do most of it; this module adds what Fastify's
// schemas cannot carry without changing how requests are validated or answers serialised:
// - the canonical dossier and registration schemas as components (Fastify only sees open stubs of them, so its
//   serialiser never drops a field and the draft 2020-12 schema is not compiled by Fastify's draft-07 Ajv);
// - the raw request bodies of the inbound routes, per adapter content type, with an example of each format (the
//   routes parse bytes themselves: a `body` schema would make Fastify validate them).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { HubConfig } from '../config.js';
import { ERRORS } from '../errors.js';
import { SCHEMAS_DIR } from '../paths.js';
import { dossierSchema } from '../canonical/validate.js';
import { registrationSchema } from '../systems/schema.js';
import * as DVCQG from '../dossiers/dvcqg.js';
import { allAdapters } from '../../adapters/registry.js';

type Json = Record<string, any>;

/** Schemas Fastify knows only as open objects (app.addSchema); the document carries the real ones. */
export const DOC_ONLY_STUBS = ['Dossier', 'DvcqgItem', 'DvcqgSync', 'DvcqgProgress', 'SystemRegistration', 'System', 'RegisteredSystem'].map((id) => ({
  $id: id, type: 'object', additionalProperties: true, description: `${id} (the document at /openapi.json has its schema)`,
}));

/** The canonical schema as a component: its own `$defs` stay inside it, reached by a pointer from the root. */
function dossierComponent(): Json {
  const { $schema: _s, $id: _i, ...rest } = dossierSchema;
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/Dossier/$defs/'));
}

function systemComponents(): { System: Json; RegisteredSystem: Json; SystemRegistration: Json } {
  const { $id: _i, ...registration } = registrationSchema as Json;
  const agency = (registration.properties.agencies.items.anyOf as Json[])[1]!;
  const properties = {
    ...registration.properties,
    agencies: { type: 'array', items: { ...agency, required: ['code', 'level'] } },
    status: { enum: ['active', 'retired'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    retiredAt: { type: ['string', 'null'] },
    lastSeenAt: { type: ['string', 'null'], description: 'The last request the system made with one of its keys' },
    mapping: { type: ['object', 'null'], description: 'A summary of the mapping; null for the built-in adapters' },
    keys: {
      type: 'array', description: 'Its API keys: never a key or its HMAC',
      items: {
        type: 'object', additionalProperties: false, required: ['keyId', 'createdAt', 'validUntil', 'lastUsedAt'],
        properties: { keyId: { type: 'string' }, createdAt: { type: 'string' }, validUntil: { type: ['string', 'null'] }, lastUsedAt: { type: ['string', 'null'] } },
      },
    },
  };
  const required = [...registration.required, 'status', 'createdAt', 'updatedAt', 'retiredAt', 'lastSeenAt', 'keys'];
  const { examples: _e, ...base } = registration;
  return {
    SystemRegistration: registration,
    System: { ...base, description: 'A registered system (never its key)', properties, required },
    RegisteredSystem: {
      ...base, description: 'A registered system with its API key, shown this once',
      properties: { ...properties, apiKey: { type: 'string', description: '<systemId>.<secret>' } }, required: [...required, 'apiKey'],
    },
  };
}

const example = (file: string, json = false): unknown => {
  const text = readFileSync(path.join(SCHEMAS_DIR, 'examples', file), 'utf8');
  return json ? JSON.parse(text) : text;
};

/** Request bodies of the inbound routes: every content type an adapter takes, with one example per format. */
function inboundBodies(): { inbound: Json; soap: Json } {
  const samples: Record<string, { summary: string; value: unknown }> = {
    canonical: { summary: 'canonical: one dossier (schemas/dossier.v1.json)', value: example('canonical-dossier.json', true) },
    'tnmt-xml': { summary: 'tnmt-xml: a GoiTin of two dossiers (legacy/tnmt.md)', value: example('tnmt-goi-tin.xml') },
    'undp-motcua': { summary: 'undp-motcua: one HoSo (legacy/undp.md)', value: example('undp-ho-so.json', true) },
    'xay-dung-soap': { summary: 'xay-dung-soap: TiepNhanHoSo (legacy/xay-dung.md)', value: example('xay-dung-tiep-nhan.xml') },
  };
  const soapUpdate = { summary: 'xay-dung-soap: CapNhatTrangThai', value: example('xay-dung-cap-nhat.xml') };
  const build = (soap: boolean): Json => {
    const content: Json = {};
    for (const a of allAdapters().filter((x) => (x.answers === 'soap') === soap)) {
      for (const type of a.contentTypes) {
        const media = (content[type] ??= { schema: type === 'application/json' ? { type: 'object' } : { type: 'string' }, examples: {} });
        const sample = samples[a.name];
        // A JSON example goes only under JSON; a text/plain or form body carries the JSON text (undp-motcua).
        if (sample && (type === 'application/json') === (typeof sample.value !== 'string')) media.examples[a.name] = sample;
        else if (sample && typeof sample.value !== 'string' && type === 'text/plain') media.examples[a.name] = { ...sample, value: JSON.stringify(sample.value) };
        if (soap && a.name === 'xay-dung-soap') media.examples.capNhat = soapUpdate;
      }
    }
    for (const m of Object.values<Json>(content)) if (!Object.keys(m.examples).length) delete m.examples;
    return {
      required: true,
      description: soap
        ? 'A SOAP 1.1 envelope; the operation is the body element (SOAPAction optional).'
        : "The system's native format, parsed by its adapter (the system's registration names it). Content types per adapter: "
          + allAdapters().filter((a) => a.answers !== 'soap').map((a) => `${a.name}: ${a.contentTypes.join(', ')}`).join('; ') + '.',
      content,
    };
  };
  return { inbound: build(false), soap: build(true) };
}

const str = { type: 'string' } as const;
/** An object of these string fields, every one present ("" when absent in the dossier), nothing else. */
const strings = (keys: readonly string[], more: Json = {}) => ({
  type: 'object', additionalProperties: false, required: [...keys, ...Object.keys(more)],
  properties: { ...Object.fromEntries(keys.map((k) => [k, str])), ...more },
});
const list = (items: Json) => ({ type: 'array', items });
const empty = { type: 'array', maxItems: 0, description: 'Always empty: the hub has no source for it yet' } as const;

/** The DVCQG forms of src/dossiers/dvcqg.ts, from its field lists: every value a string, dates yyyyMMddHHmmss (+07:00). */
function dvcqgComponents(): Json {
  const doc = strings(DVCQG.DOCUMENT_FIELDS);
  const item = strings(DVCQG.ITEM_STRING_FIELDS, {
    ...Object.fromEntries(DVCQG.ITEM_EMPTY_LISTS.map((k) => [k, empty])),
    DinhDanhCHS: list(strings(DVCQG.IDENTIFIER_FIELDS)),
    TaiLieuNop: list(doc),
    DanhSachLePhi: list(strings(DVCQG.FEE_FIELDS)),
    DanhSachHoSoBoSung: list(strings(DVCQG.SUPPLEMENT_STRING_FIELDS, { DanhSachGiayToBoSung: list(doc), DanhSachLePhiBoSung: empty })),
    DanhSachGiayToKetQua: list(strings(DVCQG.RESULT_FIELDS)),
  });
  const envelope = (service: string, data: Json, more: Json = {}) => ({
    type: 'object', additionalProperties: false, required: ['service', 'madonvi', 'data', ...Object.keys(more)],
    properties: { service: { const: service }, ...more, madonvi: { ...str, description: 'The agency code of the dossier' }, data: list(data) },
  });
  return {
    DvcqgItem: { ...item, description: 'One DongBoHoSoMC item of the national portal (DVCQG), built from the canonical dossier (domain.md)' },
    DvcqgSync: {
      ...envelope('DongBoHoSoMC', { $ref: '#/components/schemas/DvcqgItem' }, { isUpdating: { enum: ['False', 'True'], description: '"False" at revision 1' } }),
      description: '?format=dvcqg-sync: the DongBoHoSoMC call with the one item',
    },
    DvcqgProgress: {
      ...envelope('CapNhatTienDoHoSoMC', strings(DVCQG.PROGRESS_FIELDS)),
      description: '?format=dvcqg-progress: one CapNhatTienDoHoSoMC item per step, oldest first',
    },
  };
}

/** The final touches on the generated document (swagger's transformObject). */
export function finishDocument(doc: Json): Json {
  Object.assign(doc.components.schemas, { Dossier: dossierComponent(), ...systemComponents() });
  Object.assign(doc.components.schemas, dvcqgComponents());
  const bodies = inboundBodies();
  const post = (p: string) => doc.paths?.[p]?.post;
  if (post('/v1/inbound/{systemId}')) post('/v1/inbound/{systemId}').requestBody = bodies.inbound;
  if (post('/v1/soap/{systemId}')) post('/v1/soap/{systemId}').requestBody = bodies.soap;
  return doc;
}

export function swaggerOptions(config: Readonly<HubConfig>): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'lgsp-hub',
        version: '1.0.0',
        description: `Provincial integration hub. Errors are RFC 9457 application/problem+json with a stable code: ${Object.keys(ERRORS).join(', ')} (docs/errors.md).`,
      },
      servers: [{ url: config.publicUrl }],
      tags: [
        { name: 'inbound', description: 'Legacy systems push dossiers in their native formats' },
        { name: 'dossiers', description: 'Reading and changing dossiers; the change feed' },
        { name: 'mailbox', description: 'Pull-mode systems read their deliveries' },
        { name: 'stats', description: 'Reports' },
        { name: 'public', description: 'No credentials: the citizen look-up' },
        { name: 'admin', description: 'The administrator token only; every act is audited' },
        { name: 'trust', description: "No credentials: the hub CA's certificate and the check of a signed receipt" },
        { name: 'ops', description: 'Health, metrics and the published contracts; no credentials' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'System API key <systemId>.<secret>, or the admin token on /v1/admin' },
          basic: { type: 'http', scheme: 'basic', description: 'User = system id, password = API key' },
          consoleSession: { type: 'apiKey', in: 'cookie', name: 'hub_console', description: 'The console session cookie (POST /v1/console/session); changes also need X-CSRF-Token' },
        },
      },
      security: [{ bearer: [] }, { basic: [] }],
    },
    // Components are named by their $id (Problem, Receipt, …), not def-0, def-1.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transformObject: (d) => finishDocument((d as { openapiObject: Json }).openapiObject),
  };
}
