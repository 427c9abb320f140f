// Mapping versions (api.md "Mapping versions") and provenance: store a version (and activate it), list, read,
// activate (roll back or forward). The active pointer moves in the store with its audit entry, and the registry
// reloads before the 2xx, so the next request decodes with the version just activated.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import type { SystemRecord } from '../../store/types.js';
import { problemResponse } from '../schemas.js';
import { activateVersion, notActivated, storeVersion } from './activation.js';
import { audited, installAdmin, note } from './common.js';

const errors = { '4xx': problemResponse, '5xx': problemResponse } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const versionParams = {
  type: 'object', required: ['id', 'version'],
  properties: { id: { type: 'string', maxLength: 64 }, version: { type: 'integer', minimum: 1 } },
} as const;
const versionProps = {
  version: { type: 'integer' }, sha256: { type: 'string' }, size: { type: 'integer' }, createdAt: { type: 'string' },
  createdBy: { type: 'string' }, note: { type: ['string', 'null'] }, active: { type: 'boolean' },
} as const;
const checks = {
  type: 'array', description: 'The activation suite (mapping.md §17): schema, samples, roundTrip, hostile, fuzz',
  items: { type: 'object', properties: { check: { type: 'string' }, state: { type: 'string', enum: ['pass', 'fail', 'skipped', 'forced'] }, detail: { type: 'string' } } },
} as const;
const provenance = { type: ['object', 'null'], properties: { adapter: { type: 'string' }, version: { type: ['integer', 'string'] }, sha256: { type: 'string' } } } as const;

export async function adminMappingRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  function mappingSystem(id: string): SystemRecord {
    const s = ctx.registry.get(id);
    if (!s) throw new HubError('HUB_NOT_FOUND', `No system ${id}`);
    if (s.status === 'retired') throw new HubError('HUB_SYSTEM_RETIRED', `System ${id} is retired`);
    if (s.adapter !== 'mapping') throw new HubError('HUB_VALIDATION', `System ${id} uses the built-in adapter ${s.adapter}, not a mapping`, [{ path: '/adapter', message: 'is not mapping' }]);
    return s;
  }

  type PutBody = { mapping: unknown; note?: string; activate?: boolean; force?: boolean };
  app.put<{ Params: { id: string }; Body: PutBody }>('/v1/admin/systems/:id/mapping', {
    config: { action: 'mapping.version' },
    schema: {
      operationId: 'putSystemMapping', summary: 'Store a new mapping version (and activate it, the default)', tags: ['admin'], params: idParams,
      body: {
        type: 'object', required: ['mapping'], additionalProperties: false,
        properties: { mapping: { type: 'object' }, note: { type: 'string', maxLength: 500 }, activate: { type: 'boolean' }, force: { type: 'boolean' } },
      },
      response: {
        '2xx': {
          description: 'The version: 201 when stored now, 200 when equal to an existing one',
          type: 'object', properties: { ...versionProps, warnings: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } }, checks },
        },
        ...errors,
      },
    },
  }, async (req, reply) => {
    const s = mappingSystem(req.params.id);
    const activate = req.body.activate !== false;
    const forced = activate && req.body.force === true;
    const { out, insert, compiled } = await storeVersion(ctx, req, s.id, req.body.mapping, req.body.note ?? null);
    req.log.info({ system: s.id, version: out.version, created: out.created, activate }, 'mapping version stored');
    const checks = activate ? (await activateVersion(ctx, req, s.id, { version: out.version, sha256: insert.sha256, document: insert.document }, forced)).checks : notActivated();
    return reply.code(out.created ? 201 : 200).send({
      version: out.version, sha256: insert.sha256, size: insert.size, active: activate || out.previous === out.version,
      warnings: compiled.warnings, checks,
    });
  });

  app.get<{ Params: { id: string } }>('/v1/admin/systems/:id/mappings', {
    config: { action: 'mapping.list' },
    schema: {
      operationId: 'listSystemMappings', summary: 'The mapping versions of a system, by version', tags: ['admin'], params: idParams,
      response: {
        200: { type: 'object', properties: { active: { type: ['integer', 'null'] }, items: { type: 'array', items: { type: 'object', properties: versionProps } } } },
        ...errors,
      },
    },
  }, async (req) => {
    mappingSystem(req.params.id);
    return ctx.store.mappings.listVersions(req.params.id);
  });

  app.get<{ Params: { id: string; version: number } }>('/v1/admin/systems/:id/mappings/:version', {
    config: { action: 'mapping.read' },
    schema: {
      operationId: 'getSystemMapping', summary: 'One mapping version with its document', tags: ['admin'], params: versionParams,
      response: { 200: { type: 'object', properties: { ...versionProps, document: { type: 'object', additionalProperties: true } } }, ...errors },
    },
  }, async (req) => {
    mappingSystem(req.params.id);
    const v = await ctx.store.mappings.getVersion(req.params.id, req.params.version);
    if (!v) throw new HubError('HUB_NOT_FOUND', `System ${req.params.id} has no mapping version ${req.params.version}`);
    return { ...v, document: JSON.parse(v.document) as unknown };
  });

  app.post<{ Params: { id: string; version: number }; Body: { force?: boolean } | undefined }>('/v1/admin/systems/:id/mappings/:version/activate', {
    config: { action: 'mapping.activate' },
    schema: {
      operationId: 'activateSystemMapping', summary: 'Activate a stored mapping version (roll back or forward)', tags: ['admin'], params: versionParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { force: { type: 'boolean' } } },
      response: { 200: { type: 'object', properties: { active: { type: 'integer' }, previous: { type: ['integer', 'null'] }, checks } }, ...errors },
    },
  }, async (req) => {
    const s = mappingSystem(req.params.id);
    const v = await ctx.store.mappings.getVersion(s.id, req.params.version);
    if (!v) throw new HubError('HUB_NOT_FOUND', `System ${s.id} has no mapping version ${req.params.version}`);
    const forced = req.body?.force === true;
    const { previous, checks } = await activateVersion(ctx, req, s.id, v, forced);
    audited(req);
    req.log.info({ system: s.id, version: v.version, previous }, 'mapping version activated');
    return { active: v.version, previous, checks };
  });

  app.get<{ Params: { code: string } }>('/v1/admin/dossiers/:code/provenance', {
    config: { action: 'provenance.read' },
    schema: {
      operationId: 'getDossierProvenance', summary: 'Which adapter and mapping version decoded each revision and encoded each delivery', tags: ['admin'],
      params: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 64 } } },
      response: {
        200: {
          type: 'object', properties: {
            code: { type: 'string' },
            revisions: { type: 'array', items: { type: 'object', properties: {
              revision: { type: 'integer' }, type: { type: 'string' }, source: { type: 'string' }, at: { type: 'string' }, receiptId: { type: 'string' },
              payloadSha256: { type: 'string' }, decodedBy: provenance } } },
            deliveries: { type: 'array', items: { type: 'object', properties: {
              system: { type: 'string' }, eventId: { type: 'string' }, revision: { type: 'integer' }, state: { type: 'string' },
              attempts: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, status: { type: ['integer', 'null'] }, verdict: { type: 'string' }, encodedBy: provenance } } } } } },
          },
        },
        ...errors,
      },
    },
  }, async (req) => {
    note(req, req.params.code);
    if (!(await ctx.store.getDossier(req.params.code))) throw new HubError('HUB_NOT_FOUND', `No dossier ${req.params.code}`);
    return { code: req.params.code, ...(await ctx.store.mappings.provenance(req.params.code)) };
  });
}
