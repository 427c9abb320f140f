// Ajv's errors as the sentences of mapping.md §14, with the pointer of the unknown key rather than its container.
import type { ErrorObject } from 'ajv';
import { NOT_TARGETS } from './targets.js';

export interface MappingError { path: string; message: string }

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function containerName(ptr: string): string {
  if (/^\/(fields|ref)\/[^/]+(\/fields\/[^/]+)?(\/fallback)?$/.test(ptr) || /^\/transfer\/fields\/[^/]+$/.test(ptr)) return 'a rule';
  if (/^\/fields\/[^/]+$/.test(ptr)) return 'a list rule';
  if (/^\/tables\/[^/]+$/.test(ptr)) return 'a table';
  if (ptr === '') return 'the document';
  const last = ptr.slice(ptr.lastIndexOf('/') + 1);
  return last || 'the document';
}

const NOUNS: Record<string, string> = {
  fields: 'fields', tables: 'tables', entries: 'entries', date: 'patterns', firstOf: 'paths', paths: 'paths', ignore: 'paths',
  write: 'constants', notCarried: 'pointers', namespaces: 'namespaces', encodeAs: 'entries',
};
const noun = (ptr: string, keyword: string) => {
  if (keyword === 'maxLength' || keyword === 'minLength') return 'characters';
  return NOUNS[ptr.slice(ptr.lastIndexOf('/') + 1)] ?? (keyword.endsWith('Properties') ? 'keys' : 'items');
};

function one(e: ErrorObject): MappingError | null {
  const at = e.instancePath;
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const path = `${at}/${esc(key)}`;
      if (at === '/fields') {
        return { path, message: (NOT_TARGETS as readonly string[]).includes(key) || (NOT_TARGETS as readonly string[]).includes(key.split('.')[0]!)
          ? `"${key}" belongs to the hub` : `"${key}" is not a canonical target` };
      }
      if (key === 'each' && /^\/fields\/[^/]+\/fields\/[^/]+$/.test(at)) return { path, message: 'each is allowed only at the top level of fields' };
      if (/^\/fields\/[^/]+\/fields$/.test(at)) return { path, message: `"${key}" is not a field of ${at.split('/')[2]}` };
      return { path, message: `"${key}" is not a key of ${containerName(at)}` };
    }
    case 'not': return { path: at, message: 'a path may not name __proto__, constructor or prototype' };
    case 'pattern':
      return e.schemaPath.includes('/path/') || e.schemaPath.startsWith('#/$defs/path')
        ? { path: at, message: 'a path is up to 16 names of 1–64 characters separated by /, with @name last for an XML attribute' }
        : { path: at, message: 'is not of the allowed form' };
    case 'maxItems': case 'maxProperties': case 'maxLength': return { path: at, message: `at most ${p.limit} ${noun(at, e.keyword)}` };
    case 'minItems': case 'minProperties': case 'minLength': return { path: at, message: `at least ${p.limit} ${noun(at, e.keyword)}` };
    case 'maximum': case 'minimum': return { path: at, message: `must be ${e.keyword === 'maximum' ? 'at most' : 'at least'} ${p.limit}` };
    case 'enum': return { path: at, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const': return { path: at, message: `must be one of ${JSON.stringify(p.allowedValue)}` };
    case 'required': return { path: at, message: `needs ${p.missingProperty}` };
    case 'type': return { path: at, message: `must be ${p.type}` };
    case 'oneOf': return { path: at, message: 'has none of the allowed forms' };
    case 'uniqueItems': return { path: at, message: 'must not repeat a value' };
    case 'propertyNames': return null; // its inner error names the key
    case 'if': return null; // the then/else branch reports
    default: return { path: at, message: e.message ?? 'invalid' };
  }
}

/** Translate Ajv errors (allErrors) into unique {path, message} rows; the inner errors of a failed oneOf are dropped. */
export function translateAjv(errors: readonly ErrorObject[]): MappingError[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  const out: MappingError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfs.some((s) => e.schemaPath.startsWith(`${s}/`))) continue;
    if (e.keyword === 'oneOf' && oneOfs.some((s) => s !== e.schemaPath && e.schemaPath.startsWith(`${s}/`))) continue;
    let row = one(e);
    if (row && e.keyword === 'propertyNames') row = null;
    if (!row) continue;
    // propertyNames errors carry the key as propertyName; point at the key itself.
    if ((e.params as Record<string, unknown>).propertyName !== undefined) row = { ...row, path: `${e.instancePath}/${esc(String((e.params as Record<string, unknown>).propertyName))}` };
    const key = `${row.path}\u0000${row.message}`;
    if (!seen.has(key)) { seen.add(key); out.push(row); }
  }
  return out;
}
