// What every admin route plugin shares (api.md "Admin"): the administrator token checked before the body is read,
// and an audit entry for every request, reads and refusals included. A route that changes something writes its
// entry inside the store's transaction and says so (`audited`); every other request is audited here, before the
// answer leaves, under the action named in its route config.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireAdmin, type HubContext } from '../../context.js';
import { parseJsonBody } from '../../../adapters/kit/json.js';
import { asHubError } from '../../http/problem.js';
import { HubError } from '../../errors.js';
import type { AuditEntry } from '../../store/types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The audit action of the route (api.md "Audit log"). */
    action?: string;
  }
}

interface AdminState { actor: string; audited: boolean; target?: string | null; detail?: Record<string, unknown> }
const states = new WeakMap<FastifyRequest, AdminState>();

export function installAdmin(app: FastifyInstance, ctx: HubContext): void {
  app.addHook('onRequest', async (req) => {
    states.set(req, { actor: await requireAdmin(ctx, req), audited: false });
  });
  // PATCH takes application/merge-patch+json as well, parsed as strictly as any JSON body.
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, (body as Buffer).length ? parseJsonBody(body as Buffer) : undefined);
    } catch (err) {
      done(asHubError(err), undefined);
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const s = states.get(req);
    if (!s || s.audited) return payload;
    s.audited = true;
    const failed = reply.statusCode >= 400;
    const code = failed && typeof payload === 'string' ? /"code":"(HUB_[A-Z_]+)"/.exec(payload)?.[1] : undefined;
    await ctx.store.audit({
      actor: s.actor, action: req.routeOptions.config.action ?? 'admin.request', target: s.target !== undefined ? s.target : paramTarget(req),
      from: req.ip, correlationId: String(req.id),
      ...(s.detail || failed ? { detail: { ...s.detail, ...(failed ? { status: reply.statusCode, ...(code ? { code } : {}) } : {}) } } : {}),
    });
    return payload;
  });
}

function paramTarget(req: FastifyRequest): string | null {
  const p = req.params as Record<string, string> | undefined;
  return p?.id ?? null;
}

export function actorOf(req: FastifyRequest): string {
  const s = states.get(req);
  if (!s) throw new HubError('HUB_AUTH_MISSING');
  return s.actor;
}

/** The entry a change commits with, in the store's transaction; call `audited` once it is stored. */
export function entryFor(req: FastifyRequest, action: string, target: string | null): Omit<AuditEntry, 'detail'> {
  return { actor: actorOf(req), action, target, from: req.ip, correlationId: String(req.id) };
}

export function audited(req: FastifyRequest): void {
  const s = states.get(req);
  if (s) s.audited = true;
}

/** Target and detail of the entry written for this request at the end (reads: filters, counts; never a secret). */
export function note(req: FastifyRequest, target: string | null, detail?: Record<string, unknown>): void {
  const s = states.get(req);
  if (!s) return;
  s.target = target;
  if (detail) s.detail = { ...s.detail, ...detail };
}

/** Writes the request's entry now (a route whose entry must be in the log before it answers, e.g. a registration). */
export async function auditNow(ctx: HubContext, req: FastifyRequest, action: string, target: string | null, detail?: unknown): Promise<void> {
  await ctx.store.audit({ ...entryFor(req, action, target), ...(detail === undefined ? {} : { detail }) });
  audited(req);
}

// ---- listings: `{items, nextCursor}` with limit (default 100, at most 1000) and an opaque cursor ------------

export const LIMIT = { type: 'integer', minimum: 1, maximum: 1000, default: 100 } as const;

export function encodeCursor(after: string): string {
  return Buffer.from(`c1:${after}`).toString('base64url');
}

export function decodeCursor(s: string, valid: (after: string) => boolean): string {
  const text = Buffer.from(s, 'base64url').toString('utf8');
  const after = text.startsWith('c1:') ? text.slice(3) : undefined;
  if (after === undefined || !valid(after)) throw new HubError('HUB_QUERY_INVALID', 'The cursor is not one this hub issued', [{ path: 'query:/cursor', message: 'invalid cursor' }]);
  return after;
}

export type Reply = FastifyReply;
