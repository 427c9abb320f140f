// The per-system conformance report (api.md "Conformance report"): read-only, audited `conformance.read`.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HubContext } from '../../context.js';
import { conformanceReport } from '../../conformance/service.js';
import { problemResponse } from '../schemas.js';
import { installAdmin } from './common.js';

const str = { type: 'string' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const state = { enum: ['pass', 'fail', 'pending'] } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** src/conformance/report.ts Report. */
const report = {
  description: 'Which of the province\'s criteria the system meets now; `pass` only when every check passes',
  type: 'object',
  required: ['system', 'adapter', 'mapping', 'generatedAt', 'window', 'criteria', 'pass', 'checks'],
  properties: {
    system: str, adapter: str,
    mapping: { description: 'The active mapping version; null for built-in adapters', oneOf: [{ type: 'null' }, { type: 'object', required: ['version', 'sha256'], properties: { version: int, sha256: str } }] },
    generatedAt: str,
    window: { description: 'Whole local days: from 00:00 of the day windowDays before today to generatedAt', type: 'object', required: ['from', 'to'], properties: { from: str, to: str } },
    criteria: {
      description: 'config/conformance.json', type: 'object', required: ['windowDays', 'minSamples', 'statuses', 'errorRate', 'requireKnownProcedure'],
      properties: {
        windowDays: int, minSamples: int, statuses: { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
        errorRate: { type: 'object', required: ['max', 'minRequests'], properties: { max: { type: 'number' }, minRequests: int } },
        requireKnownProcedure: { type: 'boolean' },
      },
    },
    pass: { type: 'boolean' },
    checks: {
      type: 'array',
      items: {
        type: 'object', required: ['id', 'state'], additionalProperties: true,
        description: '`auth`, `mapping`, `samples`, one `sample:<id>` per approved sample, `roundTrip`, `statusesSeen`, `codeRules`, `errorRate`',
        properties: {
          id: { type: 'string', pattern: '^(auth|mapping|samples|sample:.+|roundTrip|statusesSeen|codeRules|errorRate)$' }, state, detail: str, name: str,
          warnings: { type: 'array' },
          seen: { type: 'array', items: { type: 'integer' } }, missing: { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
          violations: {
            type: 'array',
            items: { type: 'object', required: ['rule', 'count', 'example'], properties: { rule: { enum: ['agencyScope', 'codeConflict', 'codeForm', 'codeForeign', 'knownProcedure'] }, count: int, example: { type: ['string', 'null'] } } },
          },
          accepted: int, refused: int, rate: { type: 'number' },
        },
      },
    },
  },
  example: {
    system: 'so-tu-phap', adapter: 'mapping', mapping: { version: 1, sha256: '…' }, generatedAt: '2026-03-06T16:00:00+07:00',
    window: { from: '2026-02-27T00:00:00+07:00', to: '2026-03-06T16:00:00+07:00' },
    criteria: { windowDays: 7, minSamples: 3, statuses: [[1, 2], [4], [9, 10]], errorRate: { max: 0.05, minRequests: 20 }, requireKnownProcedure: false },
    pass: false,
    checks: [{ id: 'auth', state: 'pass', detail: 'last authenticated 2026-03-06T15:31:02+07:00 (key 0f3a…)' }, { id: 'errorRate', state: 'pending', accepted: 5, refused: 1, rate: 0.167 }],
  },
} as const;

export async function adminConformanceRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);
  app.get<{ Params: { id: string } }>('/v1/admin/systems/:id/conformance', {
    config: { action: 'conformance.read' },
    schema: {
      operationId: 'getConformance', summary: 'The system\'s conformance report: one check per criterion, pass/fail/pending', tags: ['admin'],
      params: idParams, response: { 200: report, '4xx': problemResponse, '5xx': problemResponse },
    },
  }, async (req) => {
    const system = ctx.registry.get(req.params.id);
    if (!system) throw new HubError('HUB_NOT_FOUND', `No system ${req.params.id}`);
    return conformanceReport({ ...ctx.conformance, store: ctx.store, bookkeeping: ctx.bookkeeping, nationalIssuers: ctx.config.nationalIssuers }, system);
  });
}
