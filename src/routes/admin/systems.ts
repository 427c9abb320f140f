// Systems (api.md "Admin", "Systems"): register, list, read, patch, retire, rotate the key. A read never shows a
// key or its HMAC; every change commits with its audit entry.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import type { SystemRecord, SystemRegistration } from '../../store/types.js';
import { systemIdSchema } from '../../systems/schema.js';
import { jsonRef, problemResponse } from '../schemas.js';
import { activateVersion, storeVersion } from './activation.js';
import { LIMIT, actorOf, audited, auditNow, decodeCursor, encodeCursor, entryFor, installAdmin, note } from './common.js';

const MAX_OVERLAP_S = 2_592_000;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const record = jsonRef('System', 'The registration, with status, createdAt, updatedAt, retiredAt, keys and lastSeenAt; never a key');
const errors = { '4xx': problemResponse, '5xx': problemResponse } as const;

export async function adminSystemRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  /** `{activeVersion, sha256, versions}` of a mapping system (api.md "Systems"); null for the built-in adapters. */
  async function mappingSummary(s: SystemRecord) {
    if (s.adapter !== 'mapping') return null;
    const { active, items } = await ctx.store.mappings.listVersions(s.id);
    return { activeVersion: active, sha256: items.find((v) => v.version === active)?.sha256 ?? null, versions: items.length };
  }

  /** The record as the admin API shows it: `mapping` is a summary (null for the built-in adapters). */
  async function view(s: SystemRecord) {
    const meta = await ctx.store.admin.systemMeta(s.id);
    const pending = ctx.bookkeeping.pendingSeen(s.id);
    return {
      ...s, mapping: await mappingSummary(s), retiredAt: meta.retiredAt, keys: meta.keys,
      lastSeenAt: pending && (!meta.lastSeenAt || pending > meta.lastSeenAt) ? pending : meta.lastSeenAt,
    };
  }

  function get(id: string): SystemRecord {
    const s = ctx.registry.get(id);
    if (!s) throw new HubError('HUB_NOT_FOUND', `No system ${id}`);
    return s;
  }

  app.post<{ Body: SystemRegistration }>('/v1/admin/systems', {
    config: { action: 'system.register' },
    schema: {
      operationId: 'registerSystem', summary: 'Register a system; the API key is shown this once', tags: ['admin'],
      body: { $ref: 'SystemRegistration#' },
      response: { 201: jsonRef('RegisteredSystem', 'The system and its apiKey'), ...errors },
    },
  }, async (req, reply) => {
    const { system, apiKey } = await ctx.registry.register(req.body, Date.now(), actorOf(req));
    await auditNow(ctx, req, 'system.register', system.id, { after: { ...system, mapping: undefined, status: undefined, createdAt: undefined, updatedAt: undefined } });
    req.log.info({ system: system.id }, 'system registered');
    return reply.code(201).send({ ...(await view(system)), apiKey });
  });

  app.get<{ Querystring: { status?: 'active' | 'retired' | 'all'; adapter?: string; cursor?: string; limit?: number } }>('/v1/admin/systems', {
    config: { action: 'system.list' },
    schema: {
      operationId: 'listSystems', summary: 'List systems (default: the active ones), by id', tags: ['admin'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { status: { enum: ['active', 'retired', 'all'], default: 'active' }, adapter: { type: 'string', maxLength: 64 }, cursor: { type: 'string', maxLength: 200 }, limit: LIMIT },
      },
      response: {
        200: {
          description: 'A page of systems, and the cursor of the next page',
          type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: { $ref: 'System#' } }, nextCursor: { type: 'string' } },
        },
        ...errors,
      },
    },
  }, async (req) => {
    const q = req.query;
    const after = q.cursor ? decodeCursor(q.cursor, (a) => a === '' || systemIdShape.test(a)) : '';
    const status = q.status ?? 'active';
    const limit = q.limit ?? 100;
    const page = ctx.registry.list()
      .filter((s) => (status === 'all' || s.status === status) && (!q.adapter || s.adapter === q.adapter) && s.id > after)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
    note(req, null, { status, ...(q.adapter ? { adapter: q.adapter } : {}), count: page.length });
    return { items: await Promise.all(page.map(view)), nextCursor: encodeCursor(page.at(-1)?.id ?? after) };
  });

  app.get<{ Params: { id: string } }>('/v1/admin/systems/:id', {
    config: { action: 'system.read' },
    schema: { operationId: 'getSystem', summary: 'Read a system (never its key)', tags: ['admin'], params: idParams, response: { 200: record, ...errors } },
  }, async (req) => view(get(req.params.id)));

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>('/v1/admin/systems/:id', {
    config: { action: 'system.update' },
    schema: {
      operationId: 'updateSystem', summary: 'Change a system: a JSON merge patch of its registration except id, validated as a whole', tags: ['admin'], params: idParams,
      body: { type: 'object', description: 'application/merge-patch+json or application/json' },
      response: { 200: record, ...errors },
    },
  }, async (req) => {
    get(req.params.id);
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new HubError('HUB_VALIDATION', 'The body is a JSON merge patch (an object)', [{ path: '/', message: 'must be an object' }]);
    if ('id' in req.body) throw new HubError('HUB_VALIDATION', 'The id of a system cannot change', [{ path: '/id', message: 'cannot be changed' }]);
    const { mapping, ...rest } = req.body;
    // The rest of the patch, validated as a whole before any mapping version is stored.
    const after = ctx.registry.patched(req.params.id, rest);
    const applyRest = async () => {
      if (!Object.keys(rest).length) return ctx.registry.get(req.params.id)!;
      const r = await ctx.registry.patch(req.params.id, rest, entryFor(req, 'system.update', req.params.id));
      audited(req);
      return r;
    };
    let s: SystemRecord;
    if (mapping !== undefined && mapping !== null) {
      // The same as PUT …/mapping with activate: true; a failed suite stores the version inactive and applies nothing else.
      if (after.adapter !== 'mapping') throw new HubError('HUB_VALIDATION', `Adapter ${after.adapter} is built in: it takes mapping: null`, [{ path: '/mapping', message: 'only with adapter mapping' }]);
      const { out, insert } = await storeVersion(ctx, req, req.params.id, mapping, null);
      let patched: SystemRecord | undefined;
      await activateVersion(ctx, req, req.params.id, { version: out.version, sha256: insert.sha256, document: insert.document }, false, async () => { patched = await applyRest(); });
      s = patched ?? ctx.registry.get(req.params.id)!;
      req.log.info({ system: s.id, version: out.version }, 'mapping version stored and activated by a patch');
    } else {
      const current = get(req.params.id);
      if (after.adapter === 'mapping' && current.adapter !== 'mapping') {
        throw new HubError('HUB_MAPPING_INVALID', 'Changing the adapter to mapping needs a mapping document', [{ path: '/mapping', message: 'is required with adapter mapping' }]);
      }
      s = await applyRest();
    }
    req.log.info({ system: s.id }, 'system changed');
    return view(s);
  });

  app.delete<{ Params: { id: string } }>('/v1/admin/systems/:id', {
    config: { action: 'system.retire' },
    schema: { operationId: 'retireSystem', summary: 'Retire a system: its keys stop, its agencies are freed, its history stays', tags: ['admin'], params: idParams, response: { 200: record, ...errors } },
  }, async (req) => {
    get(req.params.id);
    const { system, deadLetters, already } = await ctx.registry.retire(req.params.id, entryFor(req, 'system.retire', req.params.id));
    if (!already) {
      audited(req);
      req.log.info({ system: system.id, deadLetters }, 'system retired; its pending deliveries are dead letters');
    } else note(req, system.id, { already: true });
    return view(system);
  });

  app.post<{ Params: { id: string }; Body: { overlapSeconds?: number } | undefined }>('/v1/admin/systems/:id/keys', {
    config: { action: 'key.rotate' },
    schema: {
      operationId: 'rotateSystemKey', summary: 'Issue a new API key; earlier keys end after the overlap (default 24 h)', tags: ['admin'], params: idParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: MAX_OVERLAP_S } } },
      response: {
        201: {
          description: 'The new key, shown this once, and when the earlier keys end',
          type: 'object', required: ['apiKey', 'keyId', 'previousKeyValidUntil'],
          properties: { apiKey: { type: 'string', description: '<systemId>.<secret>' }, keyId: { type: 'string' }, previousKeyValidUntil: { type: ['string', 'null'] } },
        },
        ...errors,
      },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Body: { overlapSeconds?: number } | undefined }>, reply) => {
    get(req.params.id);
    const overlap = req.body?.overlapSeconds ?? 86_400;
    const out = await ctx.registry.rotateKey(req.params.id, overlap, entryFor(req, 'key.rotate', req.params.id));
    audited(req);
    req.log.info({ system: req.params.id, keyId: out.keyId, overlapSeconds: overlap }, 'API key issued');
    return reply.code(201).send(out);
  });
}

const systemIdShape = new RegExp(systemIdSchema.pattern);
