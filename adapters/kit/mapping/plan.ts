// The compiled, immutable plan of a mapping (what compile.ts produces and the interpreter runs).
import type { TargetInfo } from './targets.js';
import type { DatePattern } from './dates.js';

export type Constant = string | number | boolean | null;

/** A path of mapping.md §3, split once at compile time. */
export interface PathPlan {
  readonly text: string;
  /** Element / key names, in order (without a trailing `@attr`; empty for `.`). */
  readonly segs: readonly string[];
  readonly attr?: string;
}

export interface TablePlan {
  readonly name: string;
  readonly match: 'exact' | 'upper' | 'fold';
  /** Normalised native → canonical (first entry wins). */
  readonly decode: ReadonlyMap<string, Constant>;
  /** JSON of the canonical value → native (encodeAs first, then the first entry). */
  readonly encode: ReadonlyMap<string, string>;
  readonly otherwise: 'error' | 'keep' | { readonly value: Constant };
}

export type Conversion =
  | { readonly kind: 'table'; readonly table: TablePlan }
  | { readonly kind: 'date'; readonly patterns: readonly DatePattern[]; readonly dateOnly: { hour: number; minute: number }; readonly timeFrom?: PathPlan }
  | { readonly kind: 'number'; readonly group: string; readonly decimal: string; readonly integer: boolean; readonly spec: string }
  | { readonly kind: 'digits'; readonly strict: boolean; readonly lengths?: readonly number[]; readonly plus: boolean }
  | { readonly kind: 'lookup'; readonly catalogue: 'agencyLevel' | 'procedureName' };

export interface RulePlan {
  /** JSON Pointer of the rule in the mapping (`/fields/status`). */
  readonly ptr: string;
  readonly target: TargetInfo;
  readonly source:
    | { readonly kind: 'value'; readonly value: Constant }
    | { readonly kind: 'from' | 'firstOf'; readonly paths: readonly PathPlan[] }
    | { readonly kind: 'joinOf'; readonly paths: readonly PathPlan[]; readonly with: string };
  readonly fallback?: RulePlan;
  readonly hasDefault: boolean;
  readonly default?: Constant;
  readonly required: boolean;
  readonly clean: boolean;
  readonly segment?: { readonly sep: string; readonly index: number };
  readonly case?: 'upper' | 'lower';
  readonly split?: string;
  readonly conversion?: Conversion;
  readonly decode: boolean;
  /** true: written back as §10 says; false: never; {value}: this constant. */
  readonly encode: boolean | { readonly value: Constant };
  readonly jsonType: 'string' | 'number' | 'boolean';
  /** Maximum raw length (4 × maxLength, 8,000 without one), §5 step 2. */
  readonly rawMax: number;
}

export interface ListPlan {
  readonly ptr: string;
  readonly name: string;
  readonly path: readonly string[];
  readonly each: PathPlan;
  readonly fields: readonly RulePlan[];
  readonly keepIf?: string;
  readonly maxItems: number;
}

export interface MappingPlan {
  readonly format: 'json' | 'xml';
  readonly contentTypes: readonly string[];
  readonly root?: string;
  readonly item?: PathPlan;
  readonly items?: PathPlan;
  readonly maxItems: number;
  readonly namespaces: ReadonlyMap<string, string>;
  readonly namespaceOf: ReadonlyMap<string, string>;
  readonly ignore: readonly PathPlan[];
  readonly partial: boolean;
  readonly ref: { readonly localCode?: RulePlan; readonly code?: RulePlan };
  readonly transfer?: { readonly at: PathPlan; readonly toAgency: RulePlan; readonly reason?: RulePlan };
  /** Rules and list rules, in document order (the order of encode, §10). */
  readonly fields: readonly (RulePlan | ListPlan)[];
  readonly write: readonly { readonly path: PathPlan; readonly value: Constant }[];
  readonly notCarried: readonly string[];
  readonly reply?: { readonly okStatus?: readonly number[]; readonly okWhen?: { readonly path: PathPlan; readonly equals: readonly string[] } };
}

/** A compiled mapping: the plan, its provenance and the compiler's warnings. */
export interface CompiledMapping {
  readonly plan: MappingPlan;
  /** sha256 over the compact UTF-8 serialisation with keys in the given order (§13). */
  readonly sha256: string;
  readonly size: number;
  readonly warnings: readonly { readonly path: string; readonly message: string }[];
}

export const isList = (r: RulePlan | ListPlan): r is ListPlan => 'each' in r;
