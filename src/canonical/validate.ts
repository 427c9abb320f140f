// ajv validators of the canonical dossier, compiled once at boot (style.md). The change schema is derived from
// the dossier schema (same properties, nothing required, hub-owned fields absent) so it can never drift from it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SCHEMAS_DIR } from '../paths.js';
import { HUB_OWNED_FIELDS, type Dossier, type DossierChange } from './types.js';
import type { FieldError } from '../errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const DOSSIER_SCHEMA_ID = 'https://lgsp-hub.local/schemas/dossier.v1.json';
export const dossierSchema: Record<string, any> = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'dossier.v1.schema.json'), 'utf8'));

function changeSchemaFrom(schema: Record<string, any>): Record<string, any> {
  const properties: Record<string, unknown> = { ...schema.properties };
  for (const f of HUB_OWNED_FIELDS) delete properties[f];
  properties.code = { $ref: `${DOSSIER_SCHEMA_ID}#/$defs/dossierCode` };
  properties.reopenReason = { type: 'string', minLength: 1, maxLength: 2000 };
  properties.extensionReason = { type: 'string', minLength: 1, maxLength: 2000 };
  // Sub-schemas of properties reference #/$defs of the dossier schema: point them at it by $id.
  const rewritten = JSON.parse(JSON.stringify(properties).replaceAll('"#/$defs/', `"${DOSSIER_SCHEMA_ID}#/$defs/`));
  return {
    $id: 'https://lgsp-hub.local/schemas/dossier-change.v1.json',
    type: 'object',
    additionalProperties: false,
    properties: rewritten,
  };
}

// strictRequired is off: the fee rule "a code or a name" uses if/not/required on properties defined one level up.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: false, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema(dossierSchema);

const validateDossierFn = ajv.getSchema(DOSSIER_SCHEMA_ID) as ValidateFunction<Dossier>;
const validateChangeFn = ajv.compile<DossierChange>(changeSchemaFrom(dossierSchema));

/** The ajv errors as field errors with JSON Pointers (a missing property points at itself). */
export function toFieldErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).slice(0, 20).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    const path = `${e.instancePath}${missing}${extra}`;
    let message = e.message ?? 'invalid';
    if (e.keyword === 'additionalProperties') message = 'unknown field';
    if (e.keyword === 'required') message = 'is required';
    if (e.keyword === 'enum') message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    return { path, message };
  });
}

export function validateChange(value: unknown): FieldError[] {
  return validateChangeFn(value) ? [] : toFieldErrors(validateChangeFn.errors);
}

export function validateDossier(value: unknown): FieldError[] {
  return validateDossierFn(value) ? [] : toFieldErrors(validateDossierFn.errors);
}
