// Counts from the answer alone, in onResponse: refusals that happen before any item outcome exists (so the
// pipeline's hub_ingest_results_total never sees them) and failed logins. The system label is the id the request
// names only when that system is registered ('unknown' otherwise), so a caller cannot grow the label set.
import type { FastifyRequest } from 'fastify';
import type { Metrics } from './metrics.js';

const INGEST_ROUTES = new Set(['/v1/inbound/:systemId', '/v1/soap/:systemId']);
const REFUSED = new Set([400, 413, 415]);

/** The system the credentials claim: the Basic user, or the id part of a `<systemId>.<secret>` bearer key. */
export function claimedSystem(authorization: string | undefined): string | undefined {
  const m = /^(Basic|Bearer)\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return undefined;
  if (m[1]!.toLowerCase() === 'bearer') return m[2]!.includes('.') ? m[2]!.split('.')[0] : undefined;
  const user = Buffer.from(m[2]!, 'base64').toString('utf8');
  return user.includes(':') ? user.slice(0, user.indexOf(':')) : undefined;
}

export function countRefusals(req: FastifyRequest, status: number, route: string, metrics: Metrics, known: (id: string) => boolean): void {
  const fromPath = (req.params as { systemId?: string } | undefined)?.systemId;
  const label = (id: string | undefined) => (id !== undefined && known(id) ? id : 'unknown');
  if (req.method === 'POST' && INGEST_ROUTES.has(route) && REFUSED.has(status)) {
    metrics.ingestRefused.inc({ system: label(fromPath), status: String(status) });
  }
  if (status === 401) {
    const claimed = claimedSystem(req.headers.authorization) ?? fromPath;
    metrics.authFailures.inc({ system: route.startsWith('/v1/admin') && !claimed ? 'admin' : label(claimed) });
  }
}
