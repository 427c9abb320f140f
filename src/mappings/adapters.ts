// Per-system adapters: a built-in adapter by name, or the system's active mapping version compiled (and cached
// by sha256, mapping.md §13). The registry reloads this on every change made through it, so an activation takes
// effect on the answering instance before its 2xx.
import type { Adapter } from '../../adapters/kit/contract.js';
import { getAdapter } from '../../adapters/registry.js';
import { compileMapping } from '../../adapters/kit/mapping/compile.js';
import { createMappingAdapter } from '../../adapters/kit/mapping/adapter.js';
import type { Provenance, Store, SystemRecord } from '../store/types.js';

export interface ResolvedAdapter { adapter: Adapter; provenance: Provenance }

/** Compiled mapping adapters by `${sha256}:${version}`: a version's document never changes, so neither does this. */
const compiled = new Map<string, ResolvedAdapter>();
const MAX_CACHED = 200;

/** The adapter of a stored mapping version (compiled once per sha256 and version). */
export function mappingAdapter(document: string, version: number, sha256: string): ResolvedAdapter {
  const key = `${sha256}:${version}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const c = compileMapping(document);
  // A stored version compiled when it was stored; failing now is a bug of this hub, not the administrator's input.
  if (!c.ok) throw new Error(`stored mapping ${sha256} no longer compiles: ${c.errors[0]?.message ?? c.code}`);
  const r: ResolvedAdapter = {
    adapter: createMappingAdapter(c.compiled, { version }),
    provenance: { adapter: 'mapping', version, sha256 },
  };
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, r);
  return r;
}

export function builtInProvenance(a: Adapter): Provenance {
  return { adapter: a.name, version: a.version };
}

export class AdapterResolver {
  private active = new Map<string, ResolvedAdapter>();

  constructor(private readonly store: Store) {}

  /** Reads every system's active mapping version from the store (the truth) and compiles what is new. */
  async load(): Promise<void> {
    const next = new Map<string, ResolvedAdapter>();
    for (const v of await this.store.mappings.activeVersions()) next.set(v.systemId, mappingAdapter(v.document, v.version, v.sha256));
    this.active = next;
  }

  /** The system's adapter and what decodedBy / encodedBy record; undefined when none is installed or active. */
  resolve(system: Pick<SystemRecord, 'id' | 'adapter'>): ResolvedAdapter | undefined {
    if (system.adapter === 'mapping') return this.active.get(system.id);
    const a = getAdapter(system.adapter);
    return a ? { adapter: a, provenance: builtInProvenance(a) } : undefined;
  }

  adapterFor(system: Pick<SystemRecord, 'id' | 'adapter'>): Adapter | undefined {
    return this.resolve(system)?.adapter;
  }
}
