// What every store writes for one accepted commit, computed once as plain data (style.md "A commit is data"):
// the receipt, and per revision its event id, document JSON and CloudEvent JSON. SQLite and PostgreSQL apply
// the same rows; only how they lock, number and insert differs.
import { HubError } from '../errors.js';
import type { Dossier } from '../canonical/types.js';
import { toCloudEvent } from '../canonical/cloudevent.js';
import type { Revision } from '../dossiers/rules.js';
import { ulid } from '../util/id.js';
import { formatVn, localDateCode, parseRfc3339 } from '../util/time.js';
import type { Receipt } from '../../adapters/kit/contract.js';
import type { AcceptedSignature, ChangeEventRow, CommitItem } from './types.js';

/** A well-formed code that stands in for the one about to be issued while a new dossier is validated. */
export const PLACEHOLDER_CODE = '000.00.00.A00-000101-0001';
const MAX_SEQUENCE_DIGITS = 7;
export const MAX_SEQUENCE = 9_999_999;

/** Stands in for the dossier in the event object; its JSON string is replaced by the dossier's JSON, built once. */
const DOSSIER_SLOT = { code: '\u0000dossier-slot', status: 0 };
const DOSSIER_SLOT_JSON = JSON.stringify(DOSSIER_SLOT);
function withDossier(eventJson: string, doc: string): string {
  const at = eventJson.indexOf(DOSSIER_SLOT_JSON);
  return eventJson.slice(0, at) + doc + eventJson.slice(at + DOSSIER_SLOT_JSON.length);
}

export interface RevisionRow {
  revision: Revision;
  eventId: string;
  /** The receipt JSON on the commit's last revision, else null. */
  receipt: string | null;
  /** The dossier's JSON, built once for the document and inside the event (issue 13). */
  doc: string;
  event: string;
}

export interface CommitPlan { receiptId: string; acceptedAt: string; receipt: Receipt; rows: RevisionRow[] }

/** The rows of a commit whose revisions are decided and whose code is known. */
export function planCommit(item: CommitItem, revisions: readonly Revision[]): CommitPlan {
  const acceptedAt = formatVn(item.now);
  const receiptId = ulid(item.now);
  const last = revisions[revisions.length - 1]!.dossier;
  const receipt: Receipt = {
    receiptId, dossierCode: last.code, revision: last.revision, status: last.status, duplicate: false,
    payloadSha256: item.payloadSha256, canonicalSha256: item.canonicalSha256, acceptedAt,
  };
  const rows = revisions.map((r, i): RevisionRow => {
    const d = r.dossier;
    const eventId = ulid(item.now);
    const doc = JSON.stringify(d);
    const event = toCloudEvent({
      eventId, type: r.type, source: item.source, time: d.updatedAt, correlationId: item.correlationId,
      revision: d.revision, previousStatus: r.previousStatus, dossier: DOSSIER_SLOT as unknown as Dossier, ...(r.transfer ? { transfer: r.transfer } : {}),
    });
    event.subject = d.code;
    event.data.status = d.status;
    return { revision: r, eventId, receipt: i === revisions.length - 1 ? JSON.stringify(receipt) : null, doc, event: withDossier(JSON.stringify(event), doc) };
  });
  return { receiptId, acceptedAt, receipt, rows };
}

/** The issuing prefix and day of a new dossier (canonical.md "Codes"): `<agency>-<yyMMdd>-`. */
export function codePrefix(agency: string, receivedAt: string): { prefix: string; day: string } {
  const day = localDateCode(parseRfc3339(receivedAt)!);
  return { prefix: `${agency}-${day}-`, day };
}

/** Every spelling of number n a dossier may already hold (4 to 7 digits). */
export function spellings(prefix: string, n: number): string[] {
  const out: string[] = [];
  for (let width = Math.max(4, String(n).length); width <= MAX_SEQUENCE_DIGITS; width++) out.push(prefix + String(n).padStart(width, '0'));
  return out;
}

/** The code issued for number n: at least 4 digits. */
export const issuedCode = (prefix: string, n: number) => prefix + String(n).padStart(4, '0');

export function codesExhausted(agency: string, day: string): HubError {
  return new HubError('HUB_CODE_EXHAUSTED', `No dossier number left for ${agency} on ${day}`, [{ path: '/receivedAt', message: 'day past 9999999 dossiers' }]);
}

export function localCodeConflict(localCode: string, system: string, owner: string, path: '/code' | '/altCodes'): HubError {
  const message = path === '/code' ? `local number already mapped to ${owner}` : `already mapped to ${owner}`;
  return new HubError('HUB_CODE_CONFLICT', `Local number ${localCode} of ${system} is already mapped to ${owner}`, [{ path, message }]);
}

/** The duplicate answer: the earlier receipt, flagged (api.md "Inbound"). */
export const duplicateReceipt = (receiptJson: string): Receipt => ({ ...(JSON.parse(receiptJson) as Receipt), duplicate: true });

/**
 * Validates a new dossier's first revision before its code is issued (the code is made from the agency and the
 * date of receipt, which must be valid), with a placeholder code. Answers whether a code must be issued.
 */
export function validateBeforeIssue(item: CommitItem, revisions: readonly Revision[]): boolean {
  const first = revisions[0]!.dossier;
  if (first.code) return false;
  item.validate({ ...first, code: PLACEHOLDER_CODE });
  return true;
}

/** Sets the issued code (if any) and validates the rest; an issued revision is not validated again (only its code changed). */
export function validateAfterIssue(item: CommitItem, revisions: readonly Revision[], issued: string | undefined): void {
  if (issued !== undefined) for (const r of revisions) r.dossier.code = issued;
  for (const r of revisions.slice(issued !== undefined ? 1 : 0)) item.validate(r.dossier);
}

/** A stored change as the timeline shows it: its signature without the CMS itself. */
export function shownChange({ signature, ...row }: ChangeEventRow & { signature: string | null }): ChangeEventRow {
  if (!signature) return row;
  const { cms: _cms, ...shown } = JSON.parse(signature) as AcceptedSignature;
  return { ...row, signature: shown };
}
