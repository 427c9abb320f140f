// The closed list of mapping targets (mapping.md §4), derived from the canonical schema so that the two can never
// drift: the generator of schemas/mapping.v1.schema.json and the compiler both read this, never a hand-written list.
import { HUB_OWNED_FIELDS, CHANGE_ONLY_FIELDS } from '../../../src/canonical/types.js';

export type TargetKind = 'text' | 'enum' | 'integer' | 'boolean' | 'dateTime' | 'any';

export interface TargetInfo {
  /** Dotted name (`procedure.code`, or the element field `agency.code` of a list). */
  readonly name: string;
  readonly kind: TargetKind;
  /** The canonical path below the dossier (or below a list element). */
  readonly path: readonly string[];
  readonly maxLength?: number;
  readonly enum?: readonly (string | number | boolean)[];
  readonly minimum?: number;
  readonly maximum?: number;
  /** dueAt-like targets whose date alone means the end of the office day (mapping.md §5.2). */
  readonly dueDate?: boolean;
  /** The canonical schema allows null (dueAt, finishedAt, returnedAt: "no deadline"). */
  readonly nullable?: boolean;
  /** The canonical sub-schema, for constants (value, default, table values). */
  readonly schema: Record<string, unknown>;
}

export interface ListTargetInfo {
  readonly name: string;
  readonly path: readonly string[];
  readonly maxItems: number;
  readonly fields: ReadonlyMap<string, TargetInfo>;
}

export interface TargetCatalogue {
  readonly scalars: ReadonlyMap<string, TargetInfo>;
  readonly lists: ReadonlyMap<string, ListTargetInfo>;
  /** Extension namespace pattern pieces (`[a-z][a-zA-Z0-9-]{0,63}`). */
  readonly hubOwned: readonly string[];
  readonly required: readonly string[];
}

/** Hub-owned names that cannot be targets (canonical.md's list plus the code and altCodes, mapping.md §4). */
export const NOT_TARGETS = ['code', 'altCodes', ...HUB_OWNED_FIELDS] as const;
/** Scalars that a date alone reads as 17:00 (mapping.md §5.2). */
const DUE_DATES = new Set(['dueAt', 'steps.dueAt', 'participants.dueAt', 'supplements.previousDueAt', 'supplements.newDueAt']);
/** Canonical required fields that need a rule unless `source.partial` (mapping.md §4). */
export const REQUIRED_TARGETS = ['procedure.code', 'agency.code', 'agency.level', 'applicant.type', 'applicant.name', 'channel', 'receivedAt', 'status'];
/** Lists whose element fields can be addressed (every array of objects of the schema, nested arrays excepted). */
const EXTENSION_LIST_MAX = 500;
export const EXTENSION_LIST_MAX_ITEMS = EXTENSION_LIST_MAX;
export const DEFAULT_TEXT_MAX = 2000;

type Schema = Record<string, any>;

function resolve(root: Schema, s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 8 && typeof cur.$ref === 'string'; i++) {
    const name = cur.$ref.replace('#/$defs/', '');
    cur = { ...root.$defs[name], ...Object.fromEntries(Object.entries(cur).filter(([k]) => k !== '$ref' && k !== 'description')) };
  }
  return cur;
}

function describe(root: Schema, raw: Schema, name: string, path: string[]): TargetInfo | undefined {
  let s = resolve(root, raw);
  const nullable = Array.isArray(s.oneOf) && s.oneOf.some((o: Schema) => o.type === 'null');
  if (Array.isArray(s.oneOf)) {
    const nonNull = s.oneOf.find((o: Schema) => o.type !== 'null');
    if (!nonNull) return undefined;
    s = resolve(root, nonNull);
  }
  const base = { name, path, schema: s, ...(DUE_DATES.has(name) ? { dueDate: true } : {}), ...(nullable ? { nullable } : {}) };
  if (s.enum) return { ...base, kind: 'enum', enum: s.enum };
  if (s.type === 'integer') return { ...base, kind: 'integer', minimum: s.minimum, maximum: s.maximum };
  if (s.type === 'boolean') return { ...base, kind: 'boolean' };
  if (s.type === 'string' && s.format === 'date-time') return { ...base, kind: 'dateTime' };
  if (s.type === 'string') return { ...base, kind: 'text', ...(s.maxLength ? { maxLength: s.maxLength } : {}) };
  return undefined;
}

/** Scalar members of an object schema, dotted; nested arrays are skipped (they cannot be mapped, §4). */
function scalarsOf(root: Schema, obj: Schema, prefix: string[], out: Map<string, TargetInfo>, arrays?: (name: string[], s: Schema) => void): void {
  const o = resolve(root, obj);
  for (const [key, raw] of Object.entries<Schema>(o.properties ?? {})) {
    if (raw.deprecated) continue;
    const s = resolve(root, raw);
    const path = [...prefix, key];
    if (s.type === 'object' && s.properties) scalarsOf(root, s, path, out, arrays);
    else if (s.type === 'array') arrays?.(path, s);
    else {
      const info = describe(root, raw, path.join('.'), path);
      if (info) out.set(info.name, info);
    }
  }
}

/** The target catalogue of a canonical dossier schema (`schemas/dossier.v1.schema.json`). */
export function buildTargets(dossier: Schema): TargetCatalogue {
  const scalars = new Map<string, TargetInfo>();
  const lists = new Map<string, ListTargetInfo>();
  const excluded = new Set<string>([...NOT_TARGETS, 'extensions']);
  const topLevel: Schema = { properties: Object.fromEntries(Object.entries(dossier.properties).filter(([k]) => !excluded.has(k))) };
  scalarsOf(dossier, topLevel, [], scalars, (path, s) => {
    const items = resolve(dossier, s.items ?? {});
    if (items.type !== 'object') return;
    const fields = new Map<string, TargetInfo>();
    scalarsOf(dossier, items, [], fields);
    const name = path.join('.');
    for (const [f, info] of fields) {
      const { dueDate: _d, ...rest } = info;
      fields.set(f, DUE_DATES.has(`${name}.${f}`) ? { ...rest, dueDate: true } : rest);
    }
    lists.set(name, { name, path, maxItems: s.maxItems ?? EXTENSION_LIST_MAX, fields });
  });
  for (const f of CHANGE_ONLY_FIELDS) {
    scalars.set(f, { name: f, kind: 'text', path: [f], maxLength: 2000, schema: { type: 'string', minLength: 1, maxLength: 2000 } });
  }
  return { scalars, lists, hubOwned: [...NOT_TARGETS], required: REQUIRED_TARGETS };
}

/** `extensions.<ns>.<key>` (mapping.md §4): a free target; null when the name is not one. */
export function extensionTarget(name: string): { ns: string; key: string } | null {
  const parts = name.split('.');
  if (parts.length !== 3 || parts[0] !== 'extensions') return null;
  const [, ns, key] = parts as [string, string, string];
  const nsOk = /^[a-z][a-zA-Z0-9-]{0,63}$/.test(ns);
  const keyOk = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/.test(key);
  return nsOk && keyOk ? { ns, key } : null;
}

export const extensionInfo = (name: string, path: string[]): TargetInfo => ({ name, kind: 'any', path, schema: {} });
