// What the conformance report's `codeRules` check counts of a refused item (api.md "Conformance report"): the rule
// its code breaks and the offending agency, dossier or procedure code. Only a value of one of those shapes is kept
// as the example (a refused item is never stored, and an example must never carry personal data).
import { AGENCY_CODE, DOSSIER_CODE } from '../canonical/types.js';
import type { FieldError } from '../errors.js';

export type CodeRule = 'agencyScope' | 'codeConflict' | 'codeForm' | 'codeForeign' | 'knownProcedure';
export const CODE_RULES: readonly CodeRule[] = ['agencyScope', 'codeConflict', 'codeForm', 'codeForeign', 'knownProcedure'];

const PROCEDURE_CODE = /^[0-9]\.[0-9]{6}$/;
// A malformed national code is kept only when it still looks like one (an identifier group and a dot or hyphen),
// so a phone or id number typed into the code field is never the example.
const CODE_LIKE = /^(?=.*[.-])[0-9A-Za-z.-]{1,40}$/;

type Loose = Record<string, unknown> | undefined;

function at(doc: unknown, pointer: string): unknown {
  let v: unknown = doc;
  for (const seg of pointer.split('/').slice(1)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  // An agency object stands for its code.
  return v !== null && typeof v === 'object' && typeof (v as { code?: unknown }).code === 'string' ? (v as { code: string }).code : v;
}

const shaped = (v: unknown, ...res: RegExp[]): string | null => (typeof v === 'string' && res.some((re) => re.test(v)) ? v : null);

/** The rule a refused item's code breaks, if any, with its example; `doc` is the change (and transfer) as decoded. */
export function codeRuleOf(code: string, errors: readonly FieldError[], doc: { change?: Loose; transfer?: Loose; ref?: Loose }): { rule: CodeRule | ''; example: string | null } {
  const first = errors[0]?.path ?? '';
  const fromPath = first.startsWith('/') ? at(first.startsWith('/toAgency') || first.startsWith('/fromAgency') ? doc.transfer : doc.change, first) : undefined;
  const dossierCode = shaped(doc.change?.code, DOSSIER_CODE) ?? shaped(doc.ref?.code, DOSSIER_CODE);
  switch (code) {
    case 'HUB_AUTHZ_AGENCY_SCOPE':
      return { rule: 'agencyScope', example: shaped(fromPath, AGENCY_CODE, DOSSIER_CODE) ?? shaped(at(doc.change, '/agency/code'), AGENCY_CODE) ?? dossierCode };
    case 'HUB_CODE_CONFLICT':
      return { rule: 'codeConflict', example: dossierCode };
    case 'HUB_CODE_FOREIGN':
      return { rule: 'codeForeign', example: dossierCode };
    default:
      break;
  }
  // A national code that is not well-formed: a 422 at /code (canonical.md "Codes").
  if (errors.some((e) => e.path === '/code') && code !== 'HUB_CODE_REQUIRED') {
    return { rule: 'codeForm', example: shaped(doc.change?.code, CODE_LIKE) ?? shaped(doc.ref?.code, CODE_LIKE) };
  }
  return { rule: '', example: null };
}

/** The procedure code of a change when it is well-formed (knownProcedure's example). */
export function procedureOf(change: Loose): string | null {
  return shaped(at(change, '/procedure/code'), PROCEDURE_CODE);
}

/** The statuses a change carries: its `status` and every `steps[].status`. */
export function statusesOf(change: Loose): number[] {
  const out: number[] = [];
  if (typeof change?.status === 'number') out.push(change.status);
  if (Array.isArray(change?.steps)) for (const s of change.steps) if (typeof (s as Loose)?.status === 'number') out.push((s as { status: number }).status);
  return out;
}
