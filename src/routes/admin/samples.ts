// Samples (api.md "Samples", mapping.md §17): real payloads saved with their approved result. Saving without
// `expected` approves what the decoder gives now; with `expected` it must match (422 HUB_SAMPLE_MISMATCH + diff).
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import type { SampleRecord, SystemRecord } from '../../store/types.js';
import { sha256Hex } from '../../util/canonical-json.js';
import { ulid } from '../../util/id.js';
import { formatVn } from '../../util/time.js';
import { problemResponse } from '../schemas.js';
import { actorOf, audited, entryFor, installAdmin } from './common.js';
import { runForSystem } from './dry-run.js';
import { EXPECTED_SCHEMA, expectedOf, sampleDiff, sampleOk, type Expected } from '../../mappings/expected.js';

export const MAX_SAMPLES = 50;
const errors = { '4xx': problemResponse, '5xx': problemResponse } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const sampleParams = { type: 'object', required: ['id', 'sampleId'], properties: { id: { type: 'string', maxLength: 64 }, sampleId: { type: 'string', maxLength: 64 } } } as const;
const sampleProps = {
  id: { type: 'string' }, name: { type: 'string' }, contentType: { type: 'string' }, payloadSha256: { type: 'string' },
  approvedVersion: { type: 'string' }, createdAt: { type: 'string' }, createdBy: { type: 'string' },
  expected: { type: 'object', additionalProperties: true }, ok: { type: 'boolean' }, reproduces: { type: 'boolean' },
  diff: { type: 'array', items: { type: 'object', additionalProperties: true } }, payload: { type: 'string' },
} as const;

export async function adminSampleRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  function system(id: string): SystemRecord {
    const s = ctx.registry.get(id);
    if (!s) throw new HubError('HUB_NOT_FOUND', `No system ${id}`);
    return s;
  }
  async function sample(s: SystemRecord, id: string): Promise<SampleRecord> {
    const r = await ctx.store.mappings.getSample(s.id, id);
    if (!r) throw new HubError('HUB_NOT_FOUND', `System ${s.id} has no sample ${id}`);
    return r;
  }
  const shown = ({ payload: _p, systemId: _s, ...r }: SampleRecord) => r;
  async function reproduction(s: SystemRecord, r: SampleRecord) {
    const { answer } = await runForSystem(ctx, s, undefined, r.payload, r.contentType);
    const diff = sampleDiff(r.expected as Expected, expectedOf(answer));
    return { ok: sampleOk(r.expected as Expected), reproduces: diff.length === 0, diff };
  }

  type PostBody = { name: string; contentType: string; payload?: unknown; payloadBase64?: string; expected?: Expected; version?: number };
  app.post<{ Params: { id: string }; Body: PostBody }>('/v1/admin/systems/:id/samples', {
    config: { action: 'sample.add' },
    bodyLimit: 2 * ctx.config.bodyLimit, // a payload travels escaped or in base64 (api.md "Admin / Bodies")
    schema: {
      operationId: 'addSystemSample', summary: 'Save a sample payload with its approved result', tags: ['admin'], params: idParams,
      body: {
        type: 'object', required: ['name', 'contentType'], additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, contentType: { type: 'string', maxLength: 200 }, payload: {}, payloadBase64: { type: 'string' },
          expected: EXPECTED_SCHEMA, version: { type: 'integer', minimum: 1 } },
      },
      response: { '2xx': { type: 'object', properties: sampleProps }, ...errors },
    },
  }, async (req, reply) => {
    const s = system(req.params.id);
    const b = req.body;
    if ((b.payload === undefined) === (b.payloadBase64 === undefined)) throw new HubError('HUB_VALIDATION', 'Give exactly one of payload and payloadBase64', [{ path: '/payload', message: 'exactly one of payload, payloadBase64' }]);
    const body = b.payloadBase64 !== undefined ? Buffer.from(b.payloadBase64, 'base64') : Buffer.from(typeof b.payload === 'string' ? b.payload : JSON.stringify(b.payload), 'utf8');
    const payloadSha256 = sha256Hex(body);
    const existing = await ctx.store.mappings.findSample(s.id, payloadSha256);
    if (existing) return reply.code(200).send(shown(existing));
    if ((await ctx.store.mappings.countSamples(s.id)) >= MAX_SAMPLES) throw new HubError('HUB_VALIDATION', `System ${s.id} has ${MAX_SAMPLES} samples, the most it may keep`, [{ path: '/', message: `at most ${MAX_SAMPLES} samples per system` }]);
    const { answer, approvedVersion } = await runForSystem(ctx, s, b.version, body, b.contentType);
    const actual = expectedOf(answer);
    if (b.expected) {
      const diff = sampleDiff(b.expected, actual);
      if (diff.length) throw new HubError('HUB_SAMPLE_MISMATCH', `The result differs from expected in ${diff.length} place(s)`, [], { diff });
    }
    const now = Date.now();
    const r: SampleRecord = { id: ulid(now), systemId: s.id, name: b.name, contentType: b.contentType, payload: body, payloadSha256, expected: actual, approvedVersion, createdAt: formatVn(now), createdBy: actorOf(req) };
    try {
      await ctx.store.mappings.addSample(r, { ...entryFor(req, 'sample.add', s.id), detail: { sampleId: r.id, payloadSha256 } });
    } catch (err) {
      // The same payload saved by a concurrent request first (UNIQUE (system_id, payload_sha256)): it is that sample.
      const saved = await ctx.store.mappings.findSample(s.id, payloadSha256);
      if (saved) return reply.code(200).send(shown(saved));
      throw err;
    }
    audited(req);
    return reply.code(201).send(shown(r));
  });

  app.get<{ Params: { id: string } }>('/v1/admin/systems/:id/samples', {
    config: { action: 'sample.list' },
    schema: { operationId: 'listSystemSamples', summary: 'The samples of a system, without payloads', tags: ['admin'], params: idParams,
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: sampleProps } } } }, ...errors } },
  }, async (req) => {
    const s = system(req.params.id);
    const items = [];
    for (const r of await ctx.store.mappings.listSamples(s.id)) {
      const { expected: _e, ...rest } = shown(r);
      items.push({ ...rest, ...(await reproduction(s, r)) });
    }
    return { items };
  });

  app.get<{ Params: { id: string; sampleId: string } }>('/v1/admin/systems/:id/samples/:sampleId', {
    config: { action: 'sample.read' },
    schema: { operationId: 'getSystemSample', summary: 'One sample with its payload and approved result', tags: ['admin'], params: sampleParams,
      response: { 200: { type: 'object', properties: sampleProps }, ...errors } },
  }, async (req) => {
    const s = system(req.params.id);
    const r = await sample(s, req.params.sampleId);
    return { ...shown(r), payload: r.payload.toString('utf8'), ...(await reproduction(s, r)) };
  });

  app.delete<{ Params: { id: string; sampleId: string } }>('/v1/admin/systems/:id/samples/:sampleId', {
    config: { action: 'sample.delete' },
    schema: { operationId: 'deleteSystemSample', summary: 'Delete a sample', tags: ['admin'], params: sampleParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errors } },
  }, async (req, reply) => {
    const s = system(req.params.id);
    await sample(s, req.params.sampleId);
    await ctx.store.mappings.deleteSample(s.id, req.params.sampleId, { ...entryFor(req, 'sample.delete', s.id), detail: { sampleId: req.params.sampleId } });
    audited(req);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string; sampleId: string }; Body: { version?: number } | undefined }>('/v1/admin/systems/:id/samples/:sampleId/approve', {
    config: { action: 'sample.approve' },
    schema: { operationId: 'approveSystemSample', summary: 'Re-approve: the result of a version (default the active one) becomes the approved one', tags: ['admin'], params: sampleParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } },
      response: { 200: { type: 'object', properties: sampleProps }, ...errors } },
  }, async (req) => {
    const s = system(req.params.id);
    const r = await sample(s, req.params.sampleId);
    const { answer, approvedVersion } = await runForSystem(ctx, s, req.body?.version, r.payload, r.contentType);
    const expected = expectedOf(answer);
    await ctx.store.mappings.approveSample(s.id, r.id, expected, approvedVersion, { ...entryFor(req, 'sample.approve', s.id), detail: { sampleId: r.id, version: approvedVersion } });
    audited(req);
    return shown({ ...r, expected, approvedVersion });
  });
}
