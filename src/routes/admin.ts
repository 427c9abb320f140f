// Administration (api.md "Admin"): every route needs the admin token and every request is audited
// (routes/admin/common.ts). One plugin per resource.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context.js';
import { adminSystemRoutes } from './admin/systems.js';
import { adminAuditRoutes } from './admin/audit.js';
import { adminRolloutRoutes } from './admin/rollout.js';
import { adminTokenRoutes } from './admin/token.js';
import { adminConformanceRoutes } from './admin/conformance.js';
import { adminOverviewRoutes } from './admin/overview.js';
import { adminStatsRoutes } from './admin/stats.js';
import { adminMappingRoutes } from './admin/mappings.js';
import { adminDryRunRoutes } from './admin/dry-run.js';
import { adminSampleRoutes } from './admin/samples.js';
import { adminDossierRoutes } from './admin/dossiers.js';

export async function adminRoutes(app: FastifyInstance, { ctx, keySecret }: { ctx: HubContext; keySecret: string }): Promise<void> {
  await app.register(adminSystemRoutes, { ctx });
  await app.register(adminAuditRoutes, { ctx });
  await app.register(adminRolloutRoutes, { ctx });
  await app.register(adminTokenRoutes, { ctx, keySecret });
  await app.register(adminConformanceRoutes, { ctx });
  await app.register(adminOverviewRoutes, { ctx });
  await app.register(adminStatsRoutes, { ctx });
  await app.register(adminMappingRoutes, { ctx });
  await app.register(adminDryRunRoutes, { ctx });
  await app.register(adminSampleRoutes, { ctx });
  await app.register(adminDossierRoutes, { ctx });
}
