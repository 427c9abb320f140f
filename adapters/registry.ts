// Adapters registered by name (api.md: a system's `adapter`). One line per built-in adapter.
import type { Adapter } from './kit/contract.js';
import { canonicalAdapter } from './canonical/index.js';
import { tnmtXmlAdapter } from './tnmt-xml/index.js';
import { undpMotcuaAdapter } from './undp-motcua/index.js';
import { xayDungSoapAdapter } from './xay-dung-soap/index.js';

const builtIn: Adapter[] = [canonicalAdapter, tnmtXmlAdapter, undpMotcuaAdapter, xayDungSoapAdapter];

const registry = new Map<string, Adapter>(builtIn.map((a) => [a.name, a]));

export function getAdapter(name: string): Adapter | undefined {
  return registry.get(name);
}

export function adapterNames(): string[] {
  return [...registry.keys()];
}

export function allAdapters(): Adapter[] {
  return [...registry.values()];
}
