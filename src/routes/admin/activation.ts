// Storing and activating a mapping version, shared by `PUT …/mapping`, `POST …/mappings/{v}/activate` and a PATCH
// of a system with a `mapping` member (api.md "Systems", "Mapping versions"). The activation suite runs in the
// worker thread; a failure is 409 HUB_MAPPING_CONFORMANCE (the version stays stored and inactive) unless forced.
import type { FastifyRequest } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import { versionInsert } from '../../mappings/versions.js';
import { checksOf, type Check } from '../../mappings/suite.js';
import { formatVn } from '../../util/time.js';
import { actorOf, audited, entryFor } from './common.js';

export const notActivated = (): Check[] => ['schema', 'samples', 'roundTrip', 'hostile', 'fuzz'].map((check) => ({ check, state: check === 'schema' ? 'pass' : 'skipped', detail: check === 'schema' ? 'compiles' : 'not activated' }));

/** Compiles (422 HUB_MAPPING_INVALID, nothing stored) and stores the document as the next version, or finds its equal. */
export async function storeVersion(ctx: HubContext, req: FastifyRequest, systemId: string, mapping: unknown, note: string | null) {
  const { insert, compiled } = versionInsert(systemId, mapping, actorOf(req), formatVn(Date.now()), note);
  const out = await ctx.store.mappings.addVersion(insert, { ...entryFor(req, 'mapping.version', systemId), detail: { sha256: insert.sha256, size: insert.size } }, null);
  audited(req);
  return { out, insert, compiled };
}

/**
 * Runs the suite over a version; on a failure not forced, 409 with {version, failures}. Otherwise `beforeMove` runs
 * (a PATCH applies its other members there) and the active pointer moves with its audit entry (forced recorded).
 */
export async function activateVersion(ctx: HubContext, req: FastifyRequest, systemId: string, v: { version: number; sha256: string; document: string }, forced: boolean, beforeMove?: () => Promise<void>) {
  const report = await ctx.suite.run({ samples: await ctx.store.mappings.listSamples(systemId), document: v.document, sha256: v.sha256 });
  const { checks, failures } = checksOf(report, forced);
  if (failures.length && !forced) {
    throw new HubError('HUB_MAPPING_CONFORMANCE', `Version ${v.version} failed ${failures.length} check(s) of the activation suite; it stays stored and inactive`, [], { version: v.version, failures });
  }
  await beforeMove?.();
  // The audit entry holds the before and after of the setting (api.md "Audit log": the mapping.activate example).
  const list = await ctx.store.mappings.listVersions(systemId);
  const was = list.items.find((i) => i.version === list.active);
  const detail = { before: was ? { version: was.version, sha256: was.sha256 } : null, after: { version: v.version, sha256: v.sha256 }, forced: forced && failures.length > 0 };
  const previous = await ctx.store.mappings.activate(systemId, v.version, { ...entryFor(req, 'mapping.activate', systemId), detail });
  await ctx.registry.load();
  return { previous, checks };
}
