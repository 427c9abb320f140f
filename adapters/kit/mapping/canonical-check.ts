// The second group of item errors (mapping.md §15): the change normalised as the shared pipeline does, then checked
// against the canonical schema with allErrors, each error mapped to a native path through the run's provenance.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { dossierSchema, DOSSIER_SCHEMA_ID, toFieldErrors } from '../../../src/canonical/validate.js';
import { HUB_OWNED_FIELDS, type DossierChange } from '../../../src/canonical/types.js';
import { normaliseChange } from '../../../src/dossiers/normalise.js';
import { HubError, type FieldError } from '../../../src/errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const FIRST_REQUIRED = ['procedure', 'agency', 'applicant', 'channel', 'receivedAt', 'status'];

function changeSchema(required: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...dossierSchema.properties };
  for (const f of HUB_OWNED_FIELDS) delete properties[f];
  properties.reopenReason = { type: 'string', minLength: 1, maxLength: 2000 };
  properties.extensionReason = { type: 'string', minLength: 1, maxLength: 2000 };
  const rewritten = JSON.parse(JSON.stringify(properties).replaceAll('"#/$defs/', `"${DOSSIER_SCHEMA_ID}#/$defs/`));
  return {
    $id: `https://lgsp-hub.local/schemas/mapping-change${required ? '-first' : ''}.v1.json`, type: 'object', additionalProperties: false,
    properties: rewritten, ...(required ? { required: FIRST_REQUIRED } : {}),
  };
}

const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema(dossierSchema);
const validators: Record<'change' | 'first', ValidateFunction> = { change: ajv.compile(changeSchema(false)), first: ajv.compile(changeSchema(true)) };

/** Normalise (NFC, +07:00, digits) and validate; errors carry canonical pointers. */
export function checkChange(change: DossierChange, first: boolean): { change: DossierChange; errors: (FieldError & { date?: boolean })[] } {
  let normalised = change;
  try {
    normalised = normaliseChange(change);
  } catch (err) {
    if (err instanceof HubError) return { change, errors: err.errors.map((e) => ({ ...e, date: err.code === 'HUB_DATE_INVALID' })) };
    throw err;
  }
  const validate = validators[first ? 'first' : 'change'];
  return { change: normalised, errors: validate(normalised) ? [] : toFieldErrors(validate.errors) };
}

/** Is `a` equal to, under or above `b` (JSON Pointers)? */
export const related = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** Native path of a canonical pointer: exact, else the common parent of the natives under it, else its parent's. */
export function nativeFor(provenance: ReadonlyMap<string, string>, pointer: string, fallback: string): string {
  const exact = provenance.get(pointer);
  if (exact !== undefined) return exact;
  const under = [...provenance].filter(([k]) => k.startsWith(`${pointer}/`)).map(([, v]) => v);
  if (under.length) {
    let common = under[0]!.split('/');
    for (const u of under.slice(1)) {
      const s = u.split('/');
      let i = 0;
      while (i < common.length && i < s.length && common[i] === s[i]) i++;
      common = common.slice(0, i);
    }
    return common.join('/');
  }
  for (let p = pointer; p.includes('/'); p = p.slice(0, p.lastIndexOf('/'))) {
    const hit = provenance.get(p);
    if (hit !== undefined) return hit;
  }
  return fallback;
}
