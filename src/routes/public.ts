// The citizen look-up (api.md "Public"): no credentials, only the public fields, and nothing that tells an
// unknown code from a wrong verifier. Both get the same 404 body (apart from the correlation id), and both paths
// do the same work: a stored document is parsed (a dummy one for an unknown code) and the verifier is compared,
// in constant time, against two 4-digit values (dummies for an unknown code). Rate-limited per client address
// with a fixed window whose memory is bounded. The verifier never reaches a log: the logger's URL serializer
// redacts `verifier=` and nothing here logs it.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.js';
import { DOSSIER_CODE, STATUS_NAME_VI, type Dossier } from '../canonical/types.js';
import type { HubContext } from '../context.js';
import { problemResponse } from './schemas.js';
import type { SharedLimits } from '../store/types.js';

export interface RateLimitOptions {
  /** Requests per window and client address. */
  max: number;
  windowMs: number;
  /** Addresses tracked per window; beyond, new addresses share one budget of `max` (memory stays bounded). */
  maxClients: number;
}
export const PUBLIC_RATE_LIMIT: RateLimitOptions = { max: 30, windowMs: 60_000, maxClients: 10_000 };

const OVERFLOW = '\u0000overflow';

/** Fixed-window counter per key; all counters are dropped when the window turns. */
export class FixedWindowLimiter {
  private window = Number.NaN;
  private readonly counts = new Map<string, number>();

  constructor(private readonly o: RateLimitOptions, private readonly clock: () => number = Date.now) {}

  /** Counts one request; `retryAfterS` is set when it is over the limit. */
  hit(key: string): { limited: boolean; retryAfterS: number } {
    const now = this.clock();
    const w = Math.floor(now / this.o.windowMs);
    if (w !== this.window) {
      this.window = w;
      this.counts.clear();
    }
    const k = this.counts.has(key) || this.counts.size < this.o.maxClients ? key : OVERFLOW;
    const n = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, n);
    return { limited: n > this.o.max, retryAfterS: Math.max(1, Math.ceil(((w + 1) * this.o.windowMs - now) / 1000)) };
  }

  get size(): number {
    return this.counts.size;
  }
}

const digits = (s: string | undefined) => (s ?? '').replace(/\D/g, '');
const NEVER = Buffer.from('----'); // no verifier's digits equal it

/** The last 4 digits of a phone or id number, or a value no verifier matches. */
function last4(value: string | undefined): Buffer {
  const d = digits(value);
  return d.length >= 4 ? Buffer.from(d.slice(-4)) : NEVER;
}

/** Whether the verifier (digits only, exactly 4) is the end of the phone or of the id number; constant time. */
export function verifierMatches(verifier: string | undefined, phone: Buffer, id: Buffer): boolean {
  const d = digits(verifier);
  const v = d.length === 4 ? Buffer.from(d) : Buffer.from('????');
  // Both comparisons always run (bitwise, not short-circuit).
  return (((timingSafeEqual(v, phone) ? 1 : 0) | (timingSafeEqual(v, id) ? 1 : 0)) & (d.length === 4 ? 1 : 0)) === 1;
}

// Parsed on the unknown-code path, so that both paths parse one stored document of a typical size.
const DUMMY_DOC = JSON.stringify({
  code: '000.00.00.H00-000101-0000', receiptNumber: 'X'.repeat(12),
  procedure: { code: '1.000000', name: 'x'.repeat(80), sectorCode: 'XX', sectorName: 'x'.repeat(20) },
  agency: { code: '000.00.00.H00', name: 'x'.repeat(60), level: 'province' },
  applicant: { type: 'citizen', name: 'x'.repeat(30), idNumber: '000000000000', phone: '0000000000', address: 'x'.repeat(60) },
  summary: 'x'.repeat(80), channel: 'in_person', receivedAt: '2000-01-01T00:00:00+07:00', dueAt: null, status: 1,
  steps: Array.from({ length: 4 }, () => ({ at: '2000-01-01T00:00:00+07:00', status: 1, actor: 'x'.repeat(20), note: 'x'.repeat(40) })),
  revision: 1, updatedAt: '2000-01-01T00:00:00+07:00',
});

export interface PublicDossier {
  code: string; procedureName: string | null; agencyName: string | null; status: number; statusName: string;
  receivedAt: string; dueAt: string | null; finishedAt: string | null;
}

const publicSchema = {
  description: 'The public fields of a dossier; nothing personal',
  type: 'object',
  additionalProperties: false,
  required: ['code', 'procedureName', 'agencyName', 'status', 'statusName', 'receivedAt', 'dueAt', 'finishedAt'],
  properties: {
    code: { type: 'string' }, procedureName: { type: ['string', 'null'] }, agencyName: { type: ['string', 'null'] },
    status: { type: 'integer' }, statusName: { type: 'string', description: 'Vietnamese (TrangThaiHoSo)' },
    receivedAt: { type: 'string' }, dueAt: { type: ['string', 'null'] }, finishedAt: { type: ['string', 'null'] },
  },
  examples: [{
    code: '000.00.15.H12-261127-0007', procedureName: 'Đăng ký biến động quyền sử dụng đất', agencyName: 'Văn phòng Đăng ký đất đai tỉnh',
    status: 4, statusName: 'Đang xử lý', receivedAt: '2026-11-27T08:15:00+07:00', dueAt: '2026-12-18T17:00:00+07:00', finishedAt: null,
  }],
} as const;

/**
 * The same fixed windows counted in the database, once for the installation (several instances on PostgreSQL,
 * api.md "Several instances"): one atomic upsert per look-up.
 */
export class SharedWindowLimiter {
  constructor(private readonly shared: SharedLimits, private readonly o: RateLimitOptions, private readonly clock: () => number = Date.now) {}

  async hit(key: string): Promise<{ limited: boolean; retryAfterS: number }> {
    const now = this.clock();
    const start = Math.floor(now / this.o.windowMs) * this.o.windowMs;
    const w = await this.shared.add(`lookup ${key}`, now, start, this.o.windowMs);
    return { limited: w.count > this.o.max, retryAfterS: Math.max(1, Math.ceil((w.endsAt - now) / 1000)) };
  }
}

type LookupLimiter = Pick<FixedWindowLimiter | SharedWindowLimiter, 'hit'>;

// One limiter per hub, not per listener: the HTTP and HTTPS listeners serve one hub and count one client once.
const limiters = new WeakMap<HubContext, LookupLimiter>();

export async function publicRoutes(app: FastifyInstance, opts: { ctx: HubContext; rateLimit?: Partial<RateLimitOptions> }): Promise<void> {
  const { ctx } = opts;
  let limiter = limiters.get(ctx);
  if (!limiter) {
    const o = { ...PUBLIC_RATE_LIMIT, ...opts.rateLimit };
    limiter = ctx.store.limits ? new SharedWindowLimiter(ctx.store.limits, o) : new FixedWindowLimiter(o);
    limiters.set(ctx, limiter);
  }
  const notFound = () => new HubError('HUB_NOT_FOUND', 'No dossier with this code and verifier');

  app.get<{ Params: { code: string }; Querystring: { verifier?: string } }>('/v1/public/dossiers/:code', {
    schema: {
      operationId: 'lookUpDossier',
      summary: "Citizen look-up: a dossier's public fields, given the last 4 digits of the applicant's phone or id number",
      description: 'No credentials. A wrong or missing verifier gets the same 404 as an unknown code. Rate-limited per client address (429 HUB_RATE_LIMITED, Retry-After).',
      tags: ['public'],
      security: [],
      params: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 64 } } },
      querystring: { type: 'object', properties: { verifier: { type: 'string', maxLength: 64 } } },
      response: { 200: publicSchema, '4xx': problemResponse },
    },
    // Counted before anything else, so malformed requests use up the budget too.
    onRequest: async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const rate = await limiter.hit(req.ip);
      if (rate.limited) {
        reply.header('retry-after', String(rate.retryAfterS));
        throw new HubError('HUB_RATE_LIMITED', `Too many look-ups from this address; try again in ${rate.retryAfterS} s`);
      }
    },
  }, async (req) => {
    const { code } = req.params;
    const d = DOSSIER_CODE.test(code) ? await ctx.store.getDossier(code) : undefined;
    // The same work whether the code is known: parse a document, take two last-4s, compare twice.
    const found = d ?? (JSON.parse(DUMMY_DOC) as Dossier);
    const phone = last4(found.applicant?.phone);
    const id = last4(found.applicant?.idNumber);
    const ok = verifierMatches(req.query.verifier, d ? phone : NEVER, d ? id : NEVER);
    if (!d || !ok) throw notFound();
    const view: PublicDossier = {
      code: d.code,
      procedureName: d.procedure.name ?? null,
      agencyName: d.agency.name ?? ctx.registry.servingSystem(d.agency.code)?.name ?? null,
      status: d.status,
      statusName: STATUS_NAME_VI[d.status] ?? String(d.status),
      receivedAt: d.receivedAt,
      dueAt: d.dueAt ?? null,
      finishedAt: d.finishedAt ?? null,
    };
    return view;
  });
}
