// What the route plugins share: built once in app.ts, passed down explicitly (no globals).
import type { Logger } from 'pino';
import type { FastifyRequest } from 'fastify';
import type { HubConfig } from './config.js';
import type { Store, SystemRecord } from './store/types.js';
import type { Registry } from './systems/registry.js';
import type { Authenticator } from './trust/auth.js';
import type { IngestPipeline } from './ingest/pipeline.js';
import type { Trust } from './trust/service.js';
import type { Metrics } from './ops/metrics.js';
import type { CalendarWarnings } from './calendar/due-dates.js';
import type { BookkeepingBuffer } from './systems/bookkeeping.js';
import type { Criteria } from './conformance/criteria.js';
import type { ConformanceEvidence } from './conformance/evidence.js';
import type { SuiteRunner } from './mappings/suite-runner.js';
import { credentialsFrom, type Credentials } from './trust/auth.js';
import { peerCertificate } from './trust/client-cert.js';
import { HubError } from './errors.js';
import { sessionOf, type ConsoleSessions } from './console/sessions.js';

/** What /readyz reports of the relay; the relay fills it in when it runs. */
export interface BrokerState {
  state(): 'up' | 'down';
}

export interface HubContext {
  config: Readonly<HubConfig>;
  log: Logger;
  store: Store;
  registry: Registry;
  auth: Authenticator;
  pipeline: IngestPipeline;
  /** The hub CA, issued certificates, signed receipts and payload signatures (api.md "Trust"). */
  trust: Trust;
  metrics: Metrics;
  broker: BrokerState;
  /** The calendar's warnings for /readyz and /metrics (domain.md "Deadlines" rule 9). */
  calendarWarnings(): Promise<CalendarWarnings>;
  bookkeeping: BookkeepingBuffer;
  /** The conformance report's criteria (config/conformance.json), its sample and mapping evidence, the catalogue. */
  conformance: { criteria: Readonly<Criteria>; evidence: ConformanceEvidence; knownProcedure: (code: string) => boolean };
  /** The mapping activation suite, run in a worker thread (mapping.md §17). */
  suite: SuiteRunner;
  /** Sessions of the administrator console (src/console/): in memory, per instance. */
  consoleSessions: ConsoleSessions;
}

/**
 * The calling system, by the one ordered path (trust/auth.ts): the TLS client certificate, then the Authorization
 * header (Bearer, Basic), then what `inPayload` finds in the body (WS-Security of a SOAP envelope).
 */
export async function requireSystem(ctx: HubContext, req: FastifyRequest, inPayload?: () => Credentials | undefined): Promise<SystemRecord> {
  const creds = credentialsFrom(req.headers.authorization) ?? inPayload?.();
  return ctx.auth.system(creds, req.ip, req.routeOptions.url ?? req.url, peerCertificate(req.raw));
}

/** The audit actor of the administrator's token (`admin` or `admin:<tokenId>`), or a 401. */
export async function requireAdmin(ctx: HubContext, req: FastifyRequest): Promise<string> {
  // The console's session cookie (+ X-CSRF-Token on changes) stands for the token it was opened with.
  // It lasts only as long as that token: a rotation that ends the token ends its sessions at once (api.md
  // "POST /v1/admin/token": "With 0 they stop at once").
  const viaConsole = sessionOf(ctx.consoleSessions, req);
  if (viaConsole) {
    if (!(await ctx.auth.adminRefValid(viaConsole.tokenRef))) throw new HubError('HUB_CONSOLE_SESSION_ENDED', 'The administrator token of this console session was rotated and has ended: sign in again');
    return viaConsole.actor;
  }
  return ctx.auth.admin(credentialsFrom(req.headers.authorization), req.ip, req.routeOptions.url ?? req.url);
}

// W3C trace-context version 00 (lowercase hex, ids not all zero). Anything else is dropped, never stored or relayed:
// the header travels into every event and push, so a malformed one would break other systems' tracers.
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export function traceparentOf(req: FastifyRequest): string | undefined {
  const v = req.headers.traceparent;
  return typeof v === 'string' && TRACEPARENT.test(v) ? v : undefined;
}

/** The platform role, or a 403. */
export function requirePlatform(system: SystemRecord): void {
  if (system.role !== 'platform') throw new HubError('HUB_AUTHZ_ROLE', `System ${system.id} is not the platform`);
}
