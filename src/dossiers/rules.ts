// The acceptance rules of canonical.md ("Accepting a change", "Status") as one pure function:
// given the stored dossier (or none) and a normalised, shape-valid change, decide what to store.
// No I/O and no clock: the store calls it inside the transaction that persists the decision.
import { HubError } from '../errors.js';
import type { Dossier, DossierChange, EventType, Level, Step, Transfer } from '../canonical/types.js';
import { TERMINAL_STATUSES } from '../canonical/types.js';
import { formatVn, parseRfc3339 } from '../util/time.js';
import { clockOnChange, clockOnNew, type Clock } from './clock.js';
import {
  checkCodeOwner, checkParticipantChange, checkParticipantTransfer, checkTransferTarget, leadAgencies, participantAgencies, routeExisting, routeNew, settleLevels,
  type RegisteredAgency,
} from './routing.js';
import { servedSteps } from './steps.js';

export interface Actor {
  id: string;
  role: 'source' | 'platform';
  agencies: readonly string[];
}

export interface RuleContext {
  actor: Actor;
  /** When the hub accepts the change (epoch ms). */
  now: number;
  /** The active system serving an agency, and the agency's level and name from the registry. */
  servingSystem(agency: string): RegisteredAgency | undefined;
  /** Who issues codes (HUB_CODE_ISSUER, default hub) and the national issuers any system may use (HUB_NATIONAL_ISSUERS). */
  codeIssuer?: 'hub' | 'source';
  nationalIssuers?: readonly string[];
  /** Told when a change names a registered agency with another level or kind than the registry's (logged, not refused). */
  onLevelMismatch?(path: string, given: string, registered: string): void;
  /** The calendar and catalogue for hub-computed due dates (absent: the hub computes none). */
  clock?: Clock;
}

export interface ChangeRequest {
  change: DossierChange;
  localCode?: string;
  transfer?: { toAgency: string; reason?: string };
}

export interface Revision {
  /** The dossier as of this revision; `code` is '' when the store must issue one. */
  dossier: Dossier;
  type: EventType;
  previousStatus: number | null;
  transfer?: Transfer;
}

const at = (iso: string) => parseRfc3339(iso) ?? 0;
const stepKey = (s: Step) => `${at(s.at)}|${s.status}|${s.actor ?? ''}`;
const byTime = (a: Step, b: Step) => at(a.at) - at(b.at);

/** Agencies whose systems may read and write the dossier (api.md, "scope"). */
export function scopeAgencies(d: Pick<Dossier, 'agency' | 'routing' | 'receivingAgency' | 'participants'>): string[] {
  return [...new Set([...leadAgencies(d), ...participantAgencies(d)])];
}

export function inScope(actor: Actor, d: Pick<Dossier, 'agency' | 'routing' | 'receivingAgency' | 'participants'>): boolean {
  return actor.role === 'platform' || scopeAgencies(d).some((a) => actor.agencies.includes(a));
}

function newestStep(steps: readonly Step[] | undefined, status?: number): Step | undefined {
  let best: Step | undefined;
  for (const s of steps ?? []) if ((status === undefined || s.status === status) && (!best || at(s.at) >= at(best.at))) best = s;
  return best;
}

function unionSteps(a: readonly Step[] = [], b: readonly Step[] = []): Step[] {
  const seen = new Map<string, Step>();
  for (const s of [...a, ...b]) if (!seen.has(stepKey(s))) seen.set(stepKey(s), s);
  return [...seen.values()].sort(byTime);
}

function unionBy<T>(a: readonly T[] = [], b: readonly T[] = [], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of [...a, ...b]) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

/**
 * A round in a change is merged into the open round (whatever its requestedAt), or opens one when none is open;
 * a round already completed is refreshed by its requestedAt. resubmittedAt, previousDueAt and newDueAt are the
 * hub's (set when the round completes, ./clock.ts): a source's values are ignored.
 */
function mergeRounds(stored: NonNullable<Dossier['supplements']>, incoming: NonNullable<Dossier['supplements']>): NonNullable<Dossier['supplements']> {
  const rounds = stored.map((r) => ({ ...r }));
  for (const { resubmittedAt: _r, previousDueAt: _p, newDueAt: _n, ...r } of incoming) {
    const same = rounds.find((x) => at(x.requestedAt) === at(r.requestedAt));
    const open = rounds.find((x) => !x.resubmittedAt);
    if (same) Object.assign(same, r, { requestedAt: same.requestedAt });
    else if (open) Object.assign(open, r, { requestedAt: open.requestedAt });
    else rounds.push(r);
  }
  return rounds.sort((a, b) => at(a.requestedAt) - at(b.requestedAt));
}

/** Sets finishedAt / returnedAt at the status time when a move to 9 or 10 came without them. */
function completeTimes(d: Dossier, statusAt: string): void {
  if (d.status === 9 && !d.finishedAt) d.finishedAt = statusAt;
  if (d.status === 10) {
    if (!d.returnedAt) d.returnedAt = statusAt;
    if (!d.finishedAt) d.finishedAt = statusAt;
  }
}

function applyTransfer(d: Dossier, req: NonNullable<ChangeRequest['transfer']>, ctx: RuleContext): Transfer {
  const serving = ctx.servingSystem(req.toAgency);
  if (!serving) {
    throw new HubError('HUB_TRANSFER_NO_SYSTEM', `No active system serves agency ${req.toAgency}`, [{ path: '/toAgency', message: 'no active system serves this agency' }]);
  }
  checkTransferTarget(d, serving);
  const transfer: Transfer = { at: formatVn(ctx.now), fromAgency: d.agency.code, toAgency: req.toAgency };
  if (req.reason) transfer.reason = req.reason;
  d.agency = { code: req.toAgency, level: serving.level, ...(serving.name ? { name: serving.name } : {}), ...(serving.kind && serving.level === 'commune' ? { kind: serving.kind } : {}) };
  const routing = d.routing ?? { origin: ctx.actor.id, holder: ctx.actor.id, transfers: [] };
  d.routing = { ...routing, holder: serving.systemId, transfers: [...routing.transfers, transfer] };
  return transfer;
}

function checkAltCodes(change: DossierChange, actor: Actor): void {
  (change.altCodes ?? []).forEach((a, i) => {
    if (a.system !== actor.id) {
      throw new HubError('HUB_VALIDATION', 'altCodes may only carry the sender\'s own numbers', [{ path: `/altCodes/${i}/system`, message: `must be the sender (${actor.id})` }]);
    }
  });
}

function withLocalCode(change: DossierChange, req: ChangeRequest, actor: Actor): Dossier['altCodes'] {
  const own = req.localCode ? [{ system: actor.id, code: req.localCode }] : [];
  return unionBy(change.altCodes ?? [], own, (a) => `${a.system}|${a.code}`);
}

/** First submission: revision 1 `dossier.received`, and revision 2 `dossier.transferred` when it also transfers. */
export function decideNew(req: ChangeRequest, ctx: RuleContext): Revision[] {
  const { change, actor } = { change: req.change, actor: ctx.actor };
  checkAltCodes(change, actor);
  if (!change.code && ctx.codeIssuer === 'source') {
    throw new HubError('HUB_CODE_REQUIRED', 'The province\'s TTHC system issues the codes: a new dossier needs its national code', [{ path: '/code', message: 'is required (HUB_CODE_ISSUER=source)' }]);
  }
  if (!change.code && !req.localCode) {
    throw new HubError('HUB_VALIDATION', 'A new dossier needs a national code or the sender\'s local number', [{ path: '/code', message: 'is required when altCodes has no local number' }]);
  }
  // The receiving desk may send a dossier whose competent agency is another's (reception regardless of boundary).
  if (actor.role !== 'platform' && change.agency && !actor.agencies.includes(change.agency.code) && !(change.receivingAgency && actor.agencies.includes(change.receivingAgency.code))) {
    throw new HubError('HUB_AUTHZ_AGENCY_SCOPE', `Agency ${change.agency.code} is outside the scope of ${actor.id}`, [{ path: '/agency/code', message: 'outside the system\'s agencies' }]);
  }
  settleLevels(change, change.receivedAt, ctx.servingSystem, ctx.onLevelMismatch);
  if (change.code) checkCodeOwner(change.code, actor, change, ctx.nationalIssuers ?? []);
  const { reopenReason: _ignored, extensionReason: _reason, ...fields } = change;
  const nowIso = formatVn(ctx.now);
  const d = { ...fields, code: change.code ?? '', revision: 1, updatedAt: nowIso } as Dossier;
  const altCodes = withLocalCode(change, req, actor);
  if (altCodes?.length) d.altCodes = altCodes;
  const statusAt = newestStep(change.steps, change.status)?.at ?? change.receivedAt ?? nowIso;
  d.steps = unionSteps(change.steps ?? [], change.steps?.some((s) => s.status === change.status) || change.status === undefined ? [] : [{ at: statusAt, status: change.status }]);
  if (change.status !== undefined) completeTimes(d, statusAt);
  d.routing = { origin: actor.id, holder: actor.id, transfers: [] };
  routeNew(d, ctx.servingSystem);
  d.steps = servedSteps(d.steps);
  clockOnNew(d, change, ctx.clock);
  const revisions: Revision[] = [{ dossier: d, type: 'dossier.received', previousStatus: null }];
  if (req.transfer) {
    const second = structuredClone(d);
    const transfer = applyTransfer(second, req.transfer, ctx);
    second.revision = 2;
    revisions.push({ dossier: second, type: 'dossier.transferred', previousStatus: d.status, transfer });
  }
  return revisions;
}

/** A later change to a stored dossier: merge, status rules, supplementation rounds, optional transfer. */
export function decideExisting(current: Dossier, req: ChangeRequest, ctx: RuleContext): Revision[] {
  const { change, actor } = { change: req.change, actor: ctx.actor };
  checkAltCodes(change, actor);
  if (!inScope(actor, current)) {
    throw new HubError('HUB_AUTHZ_AGENCY_SCOPE', `Dossier ${current.code} is outside the scope of ${actor.id}`, [{ path: '/code', message: 'outside the system\'s agencies' }]);
  }
  checkParticipantChange(actor, current, change);
  settleLevels(change, change.receivedAt ?? current.receivedAt, ctx.servingSystem, ctx.onLevelMismatch);
  const nowIso = formatVn(ctx.now);
  const { reopenReason, extensionReason: _reason, steps: newSteps = [], supplements, altCodes: _a, status: wanted, agency, ...replace } = change;
  const d: Dossier = { ...structuredClone(current), ...structuredClone(replace) };
  // The responsible agency changes only by transfer (liên thông), so the scope's origin agency stays the agency of
  // revision 1. A source that still names its own agency after passing the dossier on does not take it back; the
  // same agency may refresh its name.
  if (agency && agency.code === current.agency.code) d.agency = { ...current.agency, ...structuredClone(agency) };
  routeExisting(current, change, d);
  d.code = current.code;
  d.revision = current.revision + 1;
  d.updatedAt = nowIso;
  const altCodes = withLocalCode(change, req, actor);
  d.altCodes = unionBy(current.altCodes ?? [], altCodes ?? [], (a) => `${a.system}|${a.code}`);
  if (supplements) d.supplements = mergeRounds(current.supplements ?? [], supplements);

  let type: EventType = 'dossier.updated';
  let stepsToAdd: Step[] = [...newSteps];
  const latestKnown = at(newestStep(current.steps)?.at ?? current.receivedAt);
  if (wanted !== undefined && wanted !== current.status) {
    const carried = newestStep(newSteps, wanted);
    const statusAt = carried?.at ?? nowIso;
    const late = at(statusAt) < latestKnown;
    if (late) {
      // Late news is history, never a roll-back: the step is recorded, the status stays.
      if (!carried) stepsToAdd.push({ at: statusAt, status: wanted });
      d.status = current.status;
    } else {
      if (TERMINAL_STATUSES.has(current.status)) {
        const mayReopen = actor.role === 'platform' || current.routing?.holder === actor.id;
        if (!mayReopen || !reopenReason) {
          throw new HubError('HUB_STATUS_TERMINAL', `Dossier ${current.code} is in terminal status ${current.status}${mayReopen ? '; a reopenReason is required' : ''}`, [{ path: '/status', message: 'cannot leave a terminal status' }]);
        }
      }
      const step: Step = carried ?? { at: statusAt, status: wanted };
      if (reopenReason && TERMINAL_STATUSES.has(current.status)) {
        stepsToAdd = stepsToAdd.filter((s) => s !== carried);
        step.note = step.note ? `${step.note} — reopened: ${reopenReason}` : `Reopened: ${reopenReason}`;
        stepsToAdd.push(step);
      } else if (!carried) stepsToAdd.push(step);
      d.status = wanted;
      type = 'dossier.status-changed';
      completeTimes(d, statusAt);
      openSupplementRound(d, current, statusAt, step.note);
    }
  } else {
    d.status = current.status;
  }
  d.steps = servedSteps(unionSteps(current.steps ?? [], stepsToAdd));
  clockOnChange(current, d, change, ctx.clock, nowIso);
  const revisions: Revision[] = [{ dossier: d, type, previousStatus: current.status }];
  if (req.transfer) {
    const next = structuredClone(d);
    const transfer = applyTransfer(next, req.transfer, ctx);
    next.revision = d.revision + 1;
    revisions.push({ dossier: next, type: 'dossier.transferred', previousStatus: d.status, transfer });
  }
  return revisions;
}

/** A move to 5 with no open round opens one (canonical.md); the clock (./clock.ts) completes it. */
function openSupplementRound(d: Dossier, before: Dossier, statusAt: string, note: string | undefined): void {
  if (d.status !== 5 || before.status === 5) return;
  const rounds = d.supplements ?? [];
  if (!rounds.some((r) => !r.resubmittedAt)) d.supplements = [...rounds, { requestedAt: statusAt, ...(note ? { reason: note } : {}) }];
}

/** A transfer on its own (POST /v1/dossiers/{code}/transfer). */
export function decideTransfer(current: Dossier, transfer: { toAgency: string; reason?: string }, ctx: RuleContext): Revision[] {
  if (!inScope(ctx.actor, current)) {
    throw new HubError('HUB_AUTHZ_AGENCY_SCOPE', `Dossier ${current.code} is outside the scope of ${ctx.actor.id}`);
  }
  checkParticipantTransfer(ctx.actor, current);
  const d = structuredClone(current);
  const t = applyTransfer(d, transfer, ctx);
  d.revision = current.revision + 1;
  d.updatedAt = formatVn(ctx.now);
  return [{ dossier: d, type: 'dossier.transferred', previousStatus: current.status, transfer: t }];
}
