// The console's dossier page in one admin read (issue 15): a dossier looked up by its national code or by a
// department's local number (`altCodes`), answered with the canonical document, its timeline (the revisions
// with the adapter and mapping version that decoded each, the deliveries with every attempt) and its DVCQG
// view. The platform's read routes need a system credential; this one needs the administrator's, and is
// audited (`dossier.read`, the code as target; the document holds personal data, the entry never does).
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import { dvcqgForm } from '../../dossiers/dvcqg.js';
import { problemResponse } from '../schemas.js';
import { installAdmin, note } from './common.js';

const open = { type: 'object', additionalProperties: true } as const;
const answer = {
  description: 'The dossier, how it was found, its timeline and its national portal (DVCQG) item',
  type: 'object', required: ['code', 'matchedBy', 'dossier', 'events', 'revisions', 'deliveries', 'dvcqg'],
  properties: {
    code: { type: 'string' },
    matchedBy: { enum: ['code', 'localCode'], description: 'localCode: the path parameter was a local number of `system`' },
    system: { type: ['string', 'null'], description: 'The system whose local number matched (null for a code)' },
    dossier: { $ref: 'Dossier#' },
    events: { type: 'array', description: 'As GET /v1/dossiers/{code}/events', items: open },
    revisions: { type: 'array', description: 'As the provenance route: each revision with decodedBy', items: open },
    deliveries: { type: 'array', description: 'As the provenance route: each delivery with its attempts and encodedBy', items: open },
    dvcqg: { $ref: 'DvcqgItem#' },
  },
} as const;

export async function adminDossierRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  /** The code a local number names: in `system` only when given, else in every system (more than one → 400). */
  async function byLocal(local: string, system: string | undefined): Promise<{ code: string; system: string } | undefined> {
    const ids = system ? [system] : ctx.registry.list().map((s) => s.id);
    const found: { code: string; system: string }[] = [];
    for (const id of ids) {
      const code = await ctx.store.findCodeByLocal(id, local);
      if (code && !found.some((f) => f.code === code)) found.push({ code, system: id });
    }
    if (found.length > 1) {
      throw new HubError('HUB_QUERY_INVALID', `Local number ${local} names ${found.length} dossiers (systems ${found.map((f) => f.system).join(', ')}): give system=`,
        [{ path: 'query:/system', message: `one of ${found.map((f) => f.system).join(', ')}` }]);
    }
    return found[0];
  }

  app.get<{ Params: { code: string }; Querystring: { system?: string } }>('/v1/admin/dossiers/:code', {
    config: { action: 'dossier.read' },
    schema: {
      operationId: 'getAdminDossier', summary: 'One dossier by national code or local number: canonical, timeline, DVCQG view', tags: ['admin'],
      description: 'The path parameter is a national code, or a local number (altCodes) of `system` (default: of any system; a number used by several is 400 HUB_QUERY_INVALID naming them).',
      params: { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 64, description: 'National code or local number' } } },
      querystring: { type: 'object', additionalProperties: false, properties: { system: { type: 'string', maxLength: 64 } } },
      response: { 200: answer, '4xx': problemResponse, '5xx': problemResponse },
    },
  }, async (req) => {
    const q = req.params.code;
    const system = req.query.system;
    if (system !== undefined && !ctx.registry.get(system)) throw new HubError('HUB_NOT_FOUND', `No system ${system}`, [{ path: 'query:/system', message: 'not registered' }]);
    let hit: { code: string; matchedBy: 'code' | 'localCode'; system: string | null } | undefined;
    if (system === undefined && (await ctx.store.getDossier(q))) hit = { code: q, matchedBy: 'code', system: null };
    if (!hit) {
      const local = await byLocal(q, system);
      if (local) hit = { code: local.code, matchedBy: 'localCode', system: local.system };
    }
    if (!hit && system !== undefined && (await ctx.store.getDossier(q))) hit = { code: q, matchedBy: 'code', system: null };
    const d = hit && (await ctx.store.getDossier(hit.code));
    note(req, hit?.code ?? null, { matchedBy: hit?.matchedBy ?? null, ...(system ? { system } : {}) });
    if (!hit || !d) throw new HubError('HUB_NOT_FOUND', `No dossier with the code or local number ${q}`);
    const provenance = await ctx.store.mappings.provenance(hit.code);
    return {
      code: hit.code, matchedBy: hit.matchedBy, system: hit.system, dossier: d,
      events: await ctx.store.listEvents(hit.code), revisions: provenance.revisions, deliveries: provenance.deliveries,
      dvcqg: dvcqgForm('dvcqg', d),
    };
  });
}
