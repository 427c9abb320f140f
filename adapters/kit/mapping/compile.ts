// The mapping compiler (mapping.md §14): size → safe parse → JSON Schema → compile checks → plan, each stage stopping
// the next when it has errors. Compiled plans are cached by the document's sha256 (§13) in a small bounded map.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parseJsonText } from '../json.js';
import { AdapterError } from '../contract.js';
import { dossierSchema } from '../../../src/canonical/validate.js';
import { sha256Hex } from '../../../src/util/canonical-json.js';
import { buildTargets, type TargetCatalogue } from './targets.js';
import { buildMappingSchema } from './schema.js';
import { translateAjv, type MappingError } from './ajv-messages.js';
import { PlanBuilder } from './build.js';
import type { CompiledMapping } from './plan.js';

export const MAX_MAPPING_BYTES = 65_536;
export const MAX_MAPPING_ERRORS = 50;
/** Raw input beyond this is refused without parsing (the compact form is what counts, §14, but is never larger). */
const MAX_RAW_BYTES = 1_048_576;
const CACHE_SIZE = 64;

export type CompileResult =
  | { ok: true; compiled: CompiledMapping }
  | { ok: false; code: 'HUB_MAPPING_INVALID' | 'HUB_REQUEST_FORBIDDEN_KEY' | 'HUB_REQUEST_MALFORMED' | 'HUB_REQUEST_ENCODING'; status: 400 | 422; errors: MappingError[] };

/** The canonical targets of this build (from schemas/dossier.v1.schema.json). */
export const TARGETS: TargetCatalogue = buildTargets(dossierSchema);
const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false });
const validateSchema: ValidateFunction = ajv.compile(buildMappingSchema(TARGETS));

const cache = new Map<string, CompiledMapping>();

const invalid = (errors: MappingError[]): CompileResult => ({ ok: false, code: 'HUB_MAPPING_INVALID', status: 422, errors: errors.slice(0, MAX_MAPPING_ERRORS) });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    if (!(value instanceof Map)) for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Ordinal of each pointer in the document, for sorting errors by their position (§14). */
function positions(doc: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (v: unknown, ptr: string) => {
    out.set(ptr, out.size);
    if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(doc, '');
  return out;
}

function sortByPosition(errors: MappingError[], doc: unknown): MappingError[] {
  const pos = positions(doc);
  const at = (p: string) => {
    for (let q = p; ; q = q.slice(0, q.lastIndexOf('/'))) {
      const n = pos.get(q);
      if (n !== undefined) return n + (q === p ? 0 : 0.5);
      if (q === '') return 0;
    }
  };
  return errors.map((e, i) => ({ e, i, n: at(e.path) })).sort((a, b) => a.n - b.n || a.i - b.i).map((x) => x.e);
}

/**
 * Compile a mapping document: bytes or text (parsed with the kit's safe JSON), or a value already parsed
 * that way. Never throws for a bad document; the refusal carries pointers into the mapping.
 */
export function compileMapping(input: Buffer | string | unknown): CompileResult {
  let doc: unknown;
  let compact: string;
  try {
    if (Buffer.isBuffer(input) || typeof input === 'string') {
      const bytes = Buffer.isBuffer(input) ? input.length : Buffer.byteLength(input);
      if (bytes > MAX_RAW_BYTES) return invalid([{ path: '', message: `the mapping is ${bytes} bytes; at most ${MAX_MAPPING_BYTES}` }]);
      doc = parseJsonText(Buffer.isBuffer(input) ? new TextDecoder('utf-8', { fatal: true }).decode(input) : input);
      compact = JSON.stringify(doc);
    } else {
      compact = JSON.stringify(input) ?? 'null';
      if (Buffer.byteLength(compact) > MAX_RAW_BYTES) return invalid([{ path: '', message: `the mapping is ${Buffer.byteLength(compact)} bytes; at most ${MAX_MAPPING_BYTES}` }]);
      doc = parseJsonText(compact); // the same prototype-key and depth refusals as a request body
    }
  } catch (err) {
    if (err instanceof AdapterError) {
      const status = err.code === 'HUB_REQUEST_FORBIDDEN_KEY' || err.code === 'HUB_REQUEST_MALFORMED' || err.code === 'HUB_REQUEST_ENCODING' ? 400 : 422;
      return { ok: false, code: err.code as 'HUB_REQUEST_MALFORMED', status, errors: err.errors };
    }
    if (err instanceof TypeError) return { ok: false, code: 'HUB_REQUEST_ENCODING', status: 400, errors: [{ path: '', message: 'invalid UTF-8 byte sequence' }] };
    throw err;
  }
  const size = Buffer.byteLength(compact);
  if (size > MAX_MAPPING_BYTES) return invalid([{ path: '', message: `the mapping is ${size} bytes; at most ${MAX_MAPPING_BYTES.toLocaleString('en')}` }]);
  const sha256 = sha256Hex(compact);
  const hit = cache.get(sha256);
  if (hit) {
    cache.delete(sha256);
    cache.set(sha256, hit);
    return { ok: true, compiled: hit };
  }
  if (!validateSchema(doc)) return invalid(sortByPosition(translateAjv(validateSchema.errors ?? []), doc));
  const builder = new PlanBuilder(doc as Record<string, unknown>, TARGETS);
  const plan = builder.build();
  if (builder.errors.length) return invalid(sortByPosition(builder.errors, doc));
  const compiled = deepFreeze<CompiledMapping>({ plan, sha256, size, warnings: sortByPosition(builder.warnings, doc) });
  cache.set(sha256, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return { ok: true, compiled };
}

/** The cached compiled mapping of a sha256, if this process compiled it recently. */
export const cachedMapping = (sha256: string): CompiledMapping | undefined => cache.get(sha256);
