// The pipeline every adapter shares (style.md: "data flows one way"): decoded item → normalise → validate →
// store (dossier + change + outbox in one transaction) → receipt. Adapters only parse and map.
import type { Logger } from 'pino';
import type { DecodeResult, DecodedItem, DecodedOp, ItemOutcome } from '../../adapters/kit/contract.js';
import { AdapterError } from '../../adapters/kit/contract.js';
import { HubError, type FieldError } from '../errors.js';
import { HUB_OWNED_FIELDS, type Dossier } from '../canonical/types.js';
import { validateChange, validateDossier } from '../canonical/validate.js';
import { normaliseChange } from '../dossiers/normalise.js';
import { checkTimeRange } from '../dossiers/time-range.js';
import { readStepDeadlines } from '../dossiers/steps.js';
import { decideExisting, decideNew, decideTransfer, inScope, type ChangeRequest, type RuleContext } from '../dossiers/rules.js';
import type { Clock } from '../dossiers/clock.js';
import { canonicalJson, sha256Hex } from '../util/canonical-json.js';
import type { AcceptedSignature, Provenance, Store, SystemRecord, CommitResult } from '../store/types.js';
import type { Registry } from '../systems/registry.js';
import type { Metrics } from '../ops/metrics.js';
import type { TrafficDelta } from '../systems/traffic.js';
import { codeRuleOf, procedureOf, statusesOf } from './codes-seen.js';

/** Due dates from the calendar and catalogue (absent: the hub computes none). */
export type DueDates = Clock;

export interface PipelineDeps {
  store: Store;
  registry: Registry;
  log: Logger;
  metrics?: Metrics;
  dueDates?: DueDates;
  /** HUB_CODE_ISSUER and HUB_NATIONAL_ISSUERS (canonical.md "Codes"); absent: the hub issues, no national issuer. */
  codes?: { issuer: 'hub' | 'source'; nationalIssuers: readonly string[] };
  /**
   * Per-request counts of accepted, refused and duplicate items, refusals by code and codeRules rule, and the
   * statuses accepted (the rollout's traffic and the conformance report's counters, flushed once a second).
   */
  onTraffic?: (systemId: string, delta: Required<Pick<TrafficDelta, 'accepted' | 'refused' | 'duplicates' | 'codes' | 'statuses'>>) => void;
  /** Whether a procedure code is in config/procedures (the report's knownProcedure); absent: not counted. */
  knownProcedure?: (code: string) => boolean;
}

export interface RequestMeta {
  correlationId: string;
  traceparent?: string;
  /** The request's verified X-Signature, kept with every change it carries. */
  signature?: AcceptedSignature;
  /** The adapter (and mapping version) that decoded the request (mapping.md §13); absent for the platform routes. */
  decodedBy?: Provenance | null;
}

export type ChangeOp = Extract<DecodedOp, { kind: 'change' }>;

const failed = (index: number, e: { code: HubError['code']; status: number; message: string; errors: FieldError[] }): ItemOutcome => ({
  index, ok: false, code: e.code, status: e.status, detail: e.message, errors: e.errors,
});

export class IngestPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** Runs every item of a decoded request; items of a batch commit together (one group commit). */
  async run(system: SystemRecord, decoded: DecodeResult, meta: RequestMeta): Promise<ItemOutcome[]> {
    const codes: NonNullable<TrafficDelta['codes']> = [];
    const outcomes = await Promise.all(decoded.items.map((item) => this.one(system, item, meta, codes)));
    for (const o of outcomes) this.deps.metrics?.ingest.inc({ system: system.id, code: o.ok ? (o.receipt?.duplicate ? 'DUPLICATE' : 'OK') : o.code });
    const c = { accepted: 0, refused: 0, duplicates: 0, codes, statuses: [] as number[] };
    outcomes.forEach((o, i) => {
      if (!o.ok) return void c.refused++;
      if (!o.receipt) return;
      if (o.receipt.duplicate) c.duplicates++;
      else c.accepted++;
      const op = decoded.items[i]?.op;
      if (op?.kind !== 'change') return;
      c.statuses.push(...statusesOf(op.change as Record<string, unknown>));
      const procedure = procedureOf(op.change as Record<string, unknown>);
      if (procedure && this.deps.knownProcedure && !this.deps.knownProcedure(procedure)) codes.push({ code: '', rule: 'knownProcedure', example: procedure });
    });
    this.deps.onTraffic?.(system.id, c);
    return outcomes;
  }

  /** A change made through the hub's own API (status, transfer), with the same rules and receipt. */
  async commitOp(system: SystemRecord, op: ChangeOp, raw: Buffer, meta: RequestMeta): Promise<CommitResult> {
    return this.commit(system, op, { index: 0, raw }, meta);
  }

  private async one(system: SystemRecord, item: DecodedItem, meta: RequestMeta, codes: NonNullable<TrafficDelta['codes']>): Promise<ItemOutcome> {
    const doc = item.op?.kind === 'change' ? { change: item.op.change as Record<string, unknown>, transfer: item.op.transfer as Record<string, unknown> | undefined, ref: item.op.ref as Record<string, unknown> } : {};
    if (item.error) {
      codes.push({ code: item.error.code, ...codeRuleOf(item.error.code, item.error.errors, doc) });
      return failed(item.index, { ...item.error, status: new HubError(item.error.code).status });
    }
    const op = item.op!;
    try {
      if (op.kind === 'lookup') return { index: item.index, ok: true, dossier: await this.lookup(system, normaliseChange(op.ref)) };
      const result = await this.commit(system, op, item, meta);
      return { index: item.index, ok: true, receipt: result.receipt, dossier: result.dossier };
    } catch (err) {
      // No room in the store refuses the request, not an item: 503 with Retry-After, whatever the batch holds.
      if (err instanceof HubError && err.code === 'HUB_STORE_FULL') throw err;
      if (err instanceof HubError || err instanceof AdapterError) {
        // Before the paths become native: the rules read canonical pointers.
        codes.push({ code: err.code, ...codeRuleOf(err.code, err.errors, doc) });
        const status = err instanceof HubError ? err.status : new HubError(err.code).status;
        const errors = err.errors.map((e) => ({ ...e, path: item.nativePath ? item.nativePath(e.path) : e.path }));
        return failed(item.index, { code: err.code, status, message: err.message, errors });
      }
      throw err;
    }
  }

  async lookup(system: SystemRecord, ref: { code?: string; localCode?: string }): Promise<Dossier> {
    const code = ref.code ?? (ref.localCode ? await this.deps.store.findCodeByLocal(system.id, ref.localCode) : undefined);
    const d = code ? await this.deps.store.getDossier(code) : undefined;
    if (!d || !inScope(this.deps.registry.actor(system), d)) throw new HubError('HUB_NOT_FOUND', `No dossier ${ref.code ?? ref.localCode ?? ''} is known to the hub`, [{ path: '/code', message: 'unknown dossier' }]);
    return d;
  }

  private async commit(system: SystemRecord, op: ChangeOp, item: Pick<DecodedItem, 'index' | 'raw'>, meta: RequestMeta): Promise<CommitResult> {
    const owned = HUB_OWNED_FIELDS.find((f) => f in op.change);
    if (owned) throw new HubError('HUB_VALIDATION_HUB_OWNED', `The field ${owned} belongs to the hub`, [{ path: `/${owned}`, message: 'owned by the hub; leave it out' }]);
    const change = normaliseChange(op.change);
    const shapeErrors = validateChange(change);
    if (shapeErrors.length) throw new HubError('HUB_VALIDATION', `Invalid dossier: ${shapeErrors[0]!.path} ${shapeErrors[0]!.message}`, shapeErrors);
    const now = Date.now();
    checkTimeRange(change, now);
    const steps = readStepDeadlines(change.steps, (i) => {
      throw new HubError('HUB_VALIDATION', `steps/${i}: deadlineAt and dueAt differ`, [{ path: `/steps/${i}/deadlineAt`, message: 'differs from dueAt (deadlineAt is the former name of dueAt)' }]);
    });
    if (steps) change.steps = steps;
    const transfer = op.transfer ? normaliseChange(op.transfer) : undefined;
    // The dossier is found by the same normalised strings that are stored (a stray space or zero-width character
    // in a code must not make a known dossier look new).
    const ref = normaliseChange(op.ref);
    const code = change.code ?? ref.code;
    const req: ChangeRequest = { change, ...(ref.localCode ? { localCode: ref.localCode } : {}), ...(transfer ? { transfer } : {}) };
    const ctx: RuleContext = {
      actor: this.deps.registry.actor(system),
      now,
      servingSystem: (agency) => this.deps.registry.servingSystem(agency),
      codeIssuer: this.deps.codes?.issuer ?? 'hub',
      nationalIssuers: this.deps.codes?.nationalIssuers ?? [],
      onLevelMismatch: (path, given, registered) => this.deps.log.warn({ system: system.id, path, given, registered }, 'agency level or kind differs from the registry; the registry\'s kept'),
      ...(this.deps.dueDates ? { clock: this.deps.dueDates } : {}),
    };
    const started = performance.now();
    try {
      return await this.deps.store.commit({
        source: system.id,
        ref: { ...(code ? { code } : {}), ...(ref.localCode ? { localCode: ref.localCode } : {}) },
        payloadSha256: sha256Hex(item.raw),
        canonicalSha256: sha256Hex(canonicalJson(transfer ? { change, transfer } : change)),
        correlationId: meta.correlationId,
        ...(meta.traceparent ? { traceparent: meta.traceparent } : {}),
        ...(meta.signature ? { signature: meta.signature } : {}),
        decodedBy: meta.decodedBy ?? null,
        now,
        decide: (current) => {
          if (!current) return decideNew(req, ctx);
          // A transfer with nothing else (POST …/transfer) is one revision, not an empty update plus a transfer.
          if (transfer && Object.keys(change).length === 0) return decideTransfer(current, transfer, ctx);
          return decideExisting(current, req, ctx);
        },
        validate: (d) => {
          const errors = validateDossier(d);
          if (errors.length) throw new HubError('HUB_VALIDATION', `Invalid dossier: ${errors[0]!.path} ${errors[0]!.message}`, errors);
        },
      });
    } finally {
      this.deps.metrics?.storeLatency.observe({ op: 'commit' }, (performance.now() - started) / 1000);
    }
  }
}
