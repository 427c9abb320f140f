// The dry-run (api.md "Dry-run", mapping.md §16): decode a payload with a candidate mapping, a stored version or a
// built-in adapter, and store nothing. Audited with the mapping's and the payload's sha256, never the payload.
import type { FastifyInstance } from 'fastify';
import { HubError, type ErrorCode } from '../../errors.js';
import type { HubContext } from '../../context.js';
import type { SystemRecord } from '../../store/types.js';
import type { DryAnswer } from '../../mappings/expected.js';
import { AdapterError, type Adapter } from '../../../adapters/kit/contract.js';
import { getAdapter } from '../../../adapters/registry.js';
import { compileMapping } from '../../../adapters/kit/mapping/compile.js';
import { dryRun } from '../../../adapters/kit/mapping/dry-run.js';
import { sha256Hex } from '../../util/canonical-json.js';
import { problemResponse } from '../schemas.js';
import { runSample } from '../../mappings/suite.js';
import { builtInRun } from '../../mappings/built-in.js';
import { installAdmin, note } from './common.js';

type Body = {
  adapter?: string; mapping?: unknown; system?: string; version?: number; contentType: string;
  payload?: unknown; payloadBase64?: string; options?: { trace?: boolean; encode?: boolean };
};

/** The exact bytes: `payloadBase64`, a string as its UTF-8, a JSON value as its compact JSON.stringify (api.md). */
function payloadBytes(b: Body): Buffer {
  if ((b.payload === undefined) === (b.payloadBase64 === undefined)) {
    throw new HubError('HUB_VALIDATION', 'Give exactly one of payload and payloadBase64', [{ path: '/payload', message: 'exactly one of payload, payloadBase64' }]);
  }
  if (b.payloadBase64 !== undefined) return Buffer.from(b.payloadBase64, 'base64');
  return Buffer.from(typeof b.payload === 'string' ? b.payload : JSON.stringify(b.payload), 'utf8');
}

/**
 * A payload over `HUB_BODY_LIMIT` is answered as the inbound route would answer it (api.md "Admin / Bodies": the
 * admin body may be twice the limit, since a payload travels escaped or in base64).
 */
function tooLarge(ctx: HubContext, body: Buffer, contentType: string) {
  if (body.length <= ctx.config.bodyLimit) return undefined;
  const detail = `The payload is ${body.length} bytes; the inbound limit (HUB_BODY_LIMIT) is ${ctx.config.bodyLimit}`;
  return { contentType: contentType.split(';')[0]!.trim().toLowerCase(), payloadSha256: sha256Hex(body), batch: false,
    refused: { code: 'HUB_REQUEST_TOO_LARGE', status: 413, detail, errors: [] }, items: [] };
}

/** A system's payload through its active version (or `version`), or its built-in adapter: the samples' run. */
export async function runForSystem(ctx: HubContext, system: SystemRecord, version: number | undefined, body: Buffer, contentType: string): Promise<{ answer: DryAnswer; approvedVersion: string }> {
  const large = tooLarge(ctx, body, contentType);
  if (system.adapter !== 'mapping') {
    const adapter = getAdapter(system.adapter);
    if (!adapter) throw new HubError('HUB_SYSTEM_ADAPTER_UNKNOWN', `No adapter named ${system.adapter}`);
    if (large) return { answer: large, approvedVersion: adapter.version };
    return { answer: builtInRun(adapter, body, contentType, system.id) as DryAnswer, approvedVersion: adapter.version };
  }
  const n = version ?? (await ctx.store.mappings.listVersions(system.id)).active;
  const v = n === null ? undefined : await ctx.store.mappings.getVersion(system.id, n);
  if (!v) throw new HubError('HUB_NOT_FOUND', `System ${system.id} has no mapping version ${n ?? '(none active)'}`);
  if (large) return { answer: large, approvedVersion: String(v.version) };
  const r = dryRun(compileMapping(v.document), body, contentType, { encode: false });
  if (!r.ok) throw new HubError(r.code as ErrorCode, 'The stored mapping is refused', [...r.errors]);
  if (r.answer.refused?.code === 'HUB_MEDIA_TYPE') throw new HubError('HUB_MEDIA_TYPE', r.answer.refused.detail, r.answer.refused.errors);
  return { answer: r.answer as unknown as DryAnswer, approvedVersion: String(v.version) };
}

export async function adminDryRunRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  app.post<{ Body: Body }>('/v1/admin/adapters/dry-run', {
    config: { action: 'mapping.dry-run' },
    bodyLimit: 2 * ctx.config.bodyLimit,
    schema: {
      operationId: 'dryRunAdapter', summary: 'Decode a payload with a mapping or an adapter; store nothing', tags: ['admin'],
      body: {
        type: 'object', required: ['contentType'], additionalProperties: false,
        properties: {
          adapter: { type: 'string', maxLength: 64 }, mapping: { type: 'object' }, system: { type: 'string', maxLength: 64 }, version: { type: 'integer', minimum: 1 },
          contentType: { type: 'string', maxLength: 200 }, payload: {}, payloadBase64: { type: 'string' },
          options: { type: 'object', additionalProperties: false, properties: { trace: { type: 'boolean' }, encode: { type: 'boolean' } } },
        },
      },
      response: {
        200: {
          description: 'mapping.md §16: mapping, contentType, payloadSha256, batch, refused?, items[]',
          type: 'object', additionalProperties: true,
          properties: { mapping: { type: 'object', additionalProperties: true }, contentType: { type: 'string' }, payloadSha256: { type: 'string' }, batch: { type: 'boolean' }, items: { type: 'array' },
            samples: { type: 'array', description: 'With system and a mapping: the system\'s samples through the candidate', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, reproduces: { type: 'boolean' }, diff: { type: 'array', items: { type: 'object', additionalProperties: true } } } } } },
        },
        '4xx': problemResponse, '5xx': problemResponse,
      },
    },
  }, async (req) => {
    const b = req.body;
    const body = payloadBytes(b);
    const large = tooLarge(ctx, body, b.contentType);
    if (large) {
      note(req, b.system ?? null, { payloadSha256: large.payloadSha256 });
      return { mapping: { source: b.mapping !== undefined ? 'request' : b.system !== undefined ? 'system' : 'adapter', system: b.system ?? null }, ...large };
    }
    const system = b.system !== undefined ? ctx.registry.get(b.system) : undefined;
    if (b.system !== undefined && !system) throw new HubError('HUB_NOT_FOUND', `No system ${b.system}`);
    let mapping: { doc: unknown; source: 'request' | 'system'; version: number | null } | undefined;
    if (b.mapping !== undefined) mapping = { doc: b.mapping, source: 'request', version: null };
    else if (system?.adapter === 'mapping') {
      const list = await ctx.store.mappings.listVersions(system.id);
      const n = b.version ?? list.active;
      const v = n === null ? undefined : await ctx.store.mappings.getVersion(system.id, n);
      if (!v) throw new HubError('HUB_NOT_FOUND', `System ${system.id} has no mapping version ${n ?? '(none active)'}`);
      mapping = { doc: v.document, source: 'system', version: v.version };
    }
    if (!mapping) {
      const adapter = system ? getAdapter(system.adapter) : b.adapter !== undefined && b.adapter !== 'mapping' ? getAdapter(b.adapter) : undefined;
      if (!adapter) throw new HubError('HUB_VALIDATION', 'Nothing to decode with: give a mapping, a system or a built-in adapter', [{ path: '/adapter', message: 'no mapping, system or built-in adapter' }]);
      const out = builtInRun(adapter, body, b.contentType, system?.id ?? 'dry-run');
      note(req, system?.id ?? null, { adapter: adapter.name, payloadSha256: out.payloadSha256 });
      return out;
    }
    const compiled = compileMapping(mapping.doc);
    if (!compiled.ok) throw new HubError(compiled.code as ErrorCode, `The mapping is refused: ${compiled.errors[0]?.path || '/'} ${compiled.errors[0]?.message ?? ''}`, [...compiled.errors]);
    const r = dryRun(compiled, body, b.contentType, { ...(b.options?.trace !== undefined ? { trace: b.options.trace } : {}), ...(b.options?.encode !== undefined ? { encode: b.options.encode } : {}) });
    if (!r.ok) throw new HubError(r.code as ErrorCode, 'The mapping is refused', [...r.errors]);
    if (r.answer.refused?.code === 'HUB_MEDIA_TYPE') throw new HubError('HUB_MEDIA_TYPE', r.answer.refused.detail, r.answer.refused.errors);
    note(req, system?.id ?? null, { sha256: compiled.compiled.sha256, payloadSha256: r.answer.payloadSha256 });
    const answer = { ...r.answer, mapping: { ...r.answer.mapping, source: mapping.source, system: system?.id ?? null, version: mapping.version } };
    if (!system || mapping.source !== 'request') return answer;
    // With system and a candidate mapping: which of the system's saved samples it reproduces (mapping.md §16).
    const document = JSON.stringify(mapping.doc);
    const samples = (await ctx.store.mappings.listSamples(system.id)).map((s) => {
      const run = runSample(s, document, compiled.compiled.sha256);
      return { id: s.id, name: s.name, reproduces: run.reproduces, diff: run.diff };
    });
    return { ...answer, samples };
  });
}
