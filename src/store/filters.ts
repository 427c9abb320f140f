// The WHERE clauses of the feed, the on-time report and the audit query, shared by the SQL stores: written with
// `@name` parameters and functions both SQLite and PostgreSQL have (substr, length). Scope filters differ by
// dialect (json_each against ANY(array)) and are added by each store.
import { dayStartMs, localDayNumber } from '../calendar/calendar.js';
import { SUPPLEMENT_DAYS } from '../calendar/ontime.js';
import type { OntimeQuery } from '../stats/types.js';
import type { AuditQuery, FeedQuery } from './types.js';

export interface Filter { where: string[]; params: Record<string, unknown> }

export function feedFilter(q: FeedQuery): Filter {
  const where: string[] = ['d.seq > @after'];
  const params: Record<string, unknown> = { after: q.after ?? 0, limit: q.limit };
  if (q.updatedSince !== undefined) { where.push('d.updated_at >= @updatedSince'); params.updatedSince = q.updatedSince; }
  if (q.agency) { where.push('d.agency = @agency'); params.agency = q.agency; }
  if (q.status !== undefined) { where.push('d.status = @status'); params.status = q.status; }
  if (q.procedure) { where.push('d.procedure = @procedure'); params.procedure = q.procedure; }
  return { where, params };
}

/** The report's rows (BUCKET_SQL's @endDayStart and @expiredBefore included). */
export function ontimeFilter(q: OntimeQuery): Filter {
  const where = ['received_at < @to'];
  const params: Record<string, unknown> = {
    to: q.to, endDayStart: dayStartMs(localDayNumber(q.end)), expiredBefore: dayStartMs(localDayNumber(q.end) - SUPPLEMENT_DAYS),
  };
  if (q.from !== undefined) { where.push('received_at >= @from'); params.from = q.from; }
  if (q.agency !== undefined) { where.push('agency = @agency'); params.agency = q.agency; }
  if (q.procedure !== undefined) { where.push('procedure = @procedure'); params.procedure = q.procedure; }
  return { where, params };
}

export function auditFilter(q: AuditQuery): Filter {
  const where = ['id > @after'];
  const params: Record<string, unknown> = { after: q.after ?? 0, limit: q.limit };
  if (q.sinceMs !== undefined) { where.push('at_ms >= @since'); params.since = q.sinceMs; }
  if (q.untilMs !== undefined) { where.push('at_ms <= @until'); params.until = q.untilMs; }
  // `actor=admin` matches the bootstrap token and every rotated one (admin:<tokenId>).
  if (q.actor) { where.push("(actor = @actor OR substr(actor, 1, length(@actor) + 1) = @actor || ':')"); params.actor = q.actor; }
  if (q.action?.endsWith('*')) { where.push('substr(action, 1, length(@action)) = @action'); params.action = q.action.slice(0, -1); }
  else if (q.action) { where.push('action = @action'); params.action = q.action; }
  if (q.target) { where.push('target = @target'); params.target = q.target; }
  return { where, params };
}
