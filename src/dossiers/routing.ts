// Two-tier routing (domain.md "Levels and liên thông", canonical.md "Levels", "Codes", "Accepting a change"):
// levels and kinds, the receiving desk, same-level participants, scope and whose identifier a new code may carry.
// Pure: the rules call these hooks with what the registry and the configuration say.
import { HubError, type FieldError } from '../errors.js';
import type { Dossier, DossierChange, Level } from '../canonical/types.js';
import { DOSSIER_CODE } from '../canonical/types.js';
import { canonicalJson } from '../util/canonical-json.js';
import { parseRfc3339 } from '../util/time.js';

/** Two-tier local government (Resolution 202/2025/QH15): district agencies only on dossiers received before. */
export const TWO_TIER_SINCE = Date.parse('2025-07-01T00:00:00+07:00');

export type AgencyRef = Dossier['agency'];
type Participant = NonNullable<Dossier['participants']>[number];
export interface RegisteredAgency { systemId: string; level: Level; name?: string; kind?: AgencyRef['kind'] }
export type AgencyLookup = (code: string) => RegisteredAgency | undefined;
interface ActorLike { id: string; role: 'source' | 'platform'; agencies: readonly string[] }

/** The agency codes a system answers for: its agencies and their predecessors (predecessors are never served). */
export function scopeCodes(s: { agencies: readonly { code: string; predecessors?: readonly string[] }[] }): string[] {
  return [...new Set(s.agencies.flatMap((a) => [a.code, ...(a.predecessors ?? [])]))];
}

/** Agencies linked to the dossier other than through a participant: agency, origin, transfer targets, receiving desk. */
export function leadAgencies(d: Pick<Dossier, 'agency' | 'routing' | 'receivingAgency'>): string[] {
  const transfers = d.routing?.transfers ?? [];
  const origin = transfers[0]?.fromAgency ?? d.agency.code;
  return [d.agency.code, origin, ...transfers.map((t) => t.toAgency), ...(d.receivingAgency ? [d.receivingAgency.code] : [])];
}

export function participantAgencies(d: Pick<Dossier, 'participants'>): string[] {
  return (d.participants ?? []).map((p) => p.agency.code);
}

const isNewEra = (receivedAt: string | undefined) => {
  const t = receivedAt ? parseRfc3339(receivedAt) : null;
  return t === null || t >= TWO_TIER_SINCE;
};

/** Each agency the change names, with its JSON Pointer. */
function namedAgencies(change: DossierChange): { path: string; agency: AgencyRef }[] {
  const out: { path: string; agency: AgencyRef }[] = [];
  if (change.agency) out.push({ path: '/agency', agency: change.agency });
  if (change.receivingAgency) out.push({ path: '/receivingAgency', agency: change.receivingAgency });
  (change.participants ?? []).forEach((p, i) => out.push({ path: `/participants/${i}/agency`, agency: p.agency }));
  return out;
}

/**
 * A district agency on a dossier received from 1 July 2025 is refused (as sent, and as the registry has it); then the
 * level and kind of a registered agency are the registry's (a change's values are replaced; `mismatch` hears of each).
 */
export function settleLevels(change: DossierChange, receivedAt: string | undefined, lookup: AgencyLookup, mismatch?: (path: string, given: string, registered: string) => void): void {
  retiredLevels(change, receivedAt);
  for (const { path, agency } of namedAgencies(change)) {
    const reg = lookup(agency.code);
    if (!reg) continue;
    const given = `${agency.level}${agency.kind ? `/${agency.kind}` : ''}`;
    const registered = `${reg.level}${reg.kind ? `/${reg.kind}` : ''}`;
    // A change that names no kind takes the registry's; one that names another level or kind is corrected.
    if (agency.level !== reg.level || (agency.kind && reg.kind && agency.kind !== reg.kind)) mismatch?.(path, given, registered);
    agency.level = reg.level;
    if (reg.level !== 'commune') delete agency.kind;
    else if (reg.kind) agency.kind = reg.kind;
  }
  retiredLevels(change, receivedAt);
}

function retiredLevels(change: DossierChange, receivedAt: string | undefined): void {
  if (!isNewEra(receivedAt)) return;
  const errors: FieldError[] = namedAgencies(change).filter((a) => a.agency.level === 'district')
    .map((a) => ({ path: `${a.path}/level`, message: 'district is only for dossiers received before 2025-07-01 (+07:00)' }));
  if (errors.length) throw new HubError('HUB_LEVEL_RETIRED', `Level district is retired for dossiers received from 1 July 2025 (${errors[0]!.path})`, errors);
}

/** A transfer's target: never a district agency on a dossier of the two-tier era. */
export function checkTransferTarget(d: Pick<Dossier, 'receivedAt'>, target: RegisteredAgency): void {
  if (target.level === 'district' && isNewEra(d.receivedAt)) {
    throw new HubError('HUB_LEVEL_RETIRED', 'A dossier received from 1 July 2025 cannot be transferred to a district agency', [{ path: '/toAgency', message: 'a district agency' }]);
  }
}

/** Revision 1: the receiving desk (a copy of `agency` when absent) and `routing.returnTo`, the system serving it. */
export function routeNew(d: Dossier, lookup: AgencyLookup): void {
  if (!d.agency) return; // the shape check names the missing agency
  if (!d.receivingAgency) d.receivingAgency = structuredClone(d.agency);
  const serving = lookup(d.receivingAgency.code);
  if (d.routing && serving) d.routing.returnTo = serving.systemId;
}

/** A later change: the receiving desk is fixed (its name may be refreshed); participants merge by agency code. */
export function routeExisting(current: Dossier, change: DossierChange, d: Dossier): void {
  if (change.receivingAgency) {
    const fixed = current.receivingAgency;
    if (fixed && change.receivingAgency.code !== fixed.code) {
      throw new HubError('HUB_VALIDATION', 'The receiving agency is fixed at revision 1', [{ path: '/receivingAgency/code', message: `must stay ${fixed.code}` }]);
    }
    d.receivingAgency = fixed ? { ...fixed, ...structuredClone(change.receivingAgency) } : structuredClone(change.receivingAgency);
  }
  if (change.participants) d.participants = mergeParticipants(current.participants ?? [], change.participants);
}

/** An entry sent replaces the stored entry of its agency; the others stay (entries are never removed). */
export function mergeParticipants(stored: readonly Participant[], incoming: readonly Participant[]): Participant[] {
  const byCode = new Map(stored.map((p) => [p.agency.code, structuredClone(p)]));
  for (const p of incoming) byCode.set(p.agency.code, structuredClone(p));
  return [...byCode.values()];
}

/** Whether the system's only link to the dossier is a participant's agency. */
export function participantOnly(actor: ActorLike, d: Dossier): boolean {
  if (actor.role === 'platform' || leadAgencies(d).some((a) => actor.agencies.includes(a))) return false;
  return participantAgencies(d).some((a) => actor.agencies.includes(a));
}

/** A participant's system does not pass the dossier on: the lead's system does (art. 20(2)). */
export function checkParticipantTransfer(actor: ActorLike, d: Dossier): void {
  if (participantOnly(actor, d)) {
    throw new HubError('HUB_AUTHZ_AGENCY_SCOPE', `${actor.id} takes part in dossier ${d.code}: the lead's system transfers it`, [{ path: '/toAgency', message: 'a participant may not transfer the dossier' }]);
  }
}

/**
 * A system linked to the dossier only through a participant's agency may add steps and change its own participant
 * entry; any other field it sends with a value other than the stored one is 403.
 */
export function checkParticipantChange(actor: ActorLike, current: Dossier, change: DossierChange): void {
  if (!participantOnly(actor, current)) return;
  const refuse = (path: string) => {
    throw new HubError('HUB_AUTHZ_AGENCY_SCOPE', `${actor.id} takes part in dossier ${current.code}: it may add steps and change its own participant entry only`, [{ path, message: 'a participant may not change this field' }]);
  };
  for (const [key, value] of Object.entries(change)) {
    if (key === 'steps' || key === 'altCodes' || key === 'code' || value === undefined) continue;
    if (key === 'participants') {
      (value as Participant[]).forEach((p, i) => {
        if (actor.agencies.includes(p.agency.code)) return;
        const stored = current.participants?.find((s) => s.agency.code === p.agency.code);
        if (!stored || canonicalJson(stored) !== canonicalJson(p)) refuse(`/participants/${i}`);
      });
      continue;
    }
    if (canonicalJson((current as unknown as Record<string, unknown>)[key] ?? null) !== canonicalJson(value)) refuse(`/${key}`);
  }
}

/**
 * Whose identifier a new dossier's code may carry (canonical.md "Codes"): the sender's agencies and their predecessors,
 * the dossier's agency or receiving agency, or a national issuer. Nothing else: 403 HUB_CODE_FOREIGN at /code.
 */
export function checkCodeOwner(code: string, actor: ActorLike, change: DossierChange, nationalIssuers: readonly string[]): void {
  const m = DOSSIER_CODE.exec(code);
  if (!m) return; // the shape check names a malformed code
  const id = m[1]!;
  const own = [...actor.agencies, change.agency?.code, change.receivingAgency?.code, ...nationalIssuers];
  if (!own.includes(id)) {
    throw new HubError('HUB_CODE_FOREIGN', `The code ${code} carries the identifier ${id}, which is not the sender's, the dossier's agency's nor a national issuer's`, [{ path: '/code', message: `identifier ${id} belongs to another agency` }]);
  }
}
