// Mapping decode rate beside the hand-written adapters on the same documents (issue 11: target ≥ 0.5×), for the
// formats that have both: TN&MT (bench/mappings/tnmt-xml.json) and UNDP (bench/mappings/undp-motcua.json, on the
// fixtures it decodes without error). Also says how many of those documents give the built-in's exact change.
// Run from the project root: npx tsx bench/mapping.ts [seconds per measurement]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getAdapter } from '../adapters/registry.js';
import { loadFixtures, request } from '../adapters/kit/conformance.js';
import type { Adapter, InboundRequest } from '../adapters/kit/contract.js';
import { compileMapping } from '../adapters/kit/mapping/compile.js';
import { createMappingAdapter } from '../adapters/kit/mapping/adapter.js';
import { canonicalJson } from '../src/util/canonical-json.js';

const seconds = Number(process.argv[2] ?? 2);

function rate(adapter: Adapter, reqs: InboundRequest[]): number {
  const once = () => { let n = 0; for (const r of reqs) n += adapter.decode(r).items.length; return n; };
  for (let i = 0; i < 100; i++) once(); // warm up the JIT
  let items = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) items += once();
  return items / ((performance.now() - start) / 1000);
}

const comparable = (change: unknown) => { const { altCodes: _a, code: _c, ...rest } = change as Record<string, unknown>; return canonicalJson(rest); };

for (const name of ['tnmt-xml', 'undp-motcua']) {
  const builtIn = getAdapter(name)!;
  const doc = compileMapping(readFileSync(path.join(import.meta.dirname, 'mappings', `${name}.json`)));
  if (!doc.ok) throw new Error(`${name} mapping: ${JSON.stringify(doc.errors)}`);
  const mapping = createMappingAdapter(doc.compiled, { version: 'bench' });
  const reqs: InboundRequest[] = [];
  let same = 0;
  for (const f of loadFixtures(name).valid) {
    if (!mapping.contentTypes.includes(f.contentType)) continue;
    const req = request(f.body, f.contentType);
    let a; let b;
    try { a = builtIn.decode(req); b = mapping.decode(req); } catch { continue; }
    if (b.items.some((i) => i.error) || a.items.some((i) => i.error)) continue;
    reqs.push(req);
    const eq = a.items.every((it, i) => it.op?.kind === 'change' && b.items[i]?.op?.kind === 'change' && comparable(it.op.change) === comparable((b.items[i]!.op as { change: unknown }).change));
    if (eq) same++;
  }
  const hand = rate(builtIn, reqs);
  const mapped = rate(mapping, reqs);
  console.log(`${name.padEnd(12)} ${reqs.length} documents (${same} with the built-in's exact change)  hand-written ${hand.toFixed(0)}/s  mapping ${mapped.toFixed(0)}/s  ratio ${(mapped / hand).toFixed(2)}×`);
}
