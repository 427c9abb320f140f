// Decode rate per adapter (dossiers/s) beside the bare parser of the same documents, in one script:
// fast-xml-parser's XMLParser (default options) for the XML formats, JSON.parse for the JSON ones.
// The documents are the spec samples; the TN&MT one carries 2 dossiers, so rates count dossiers, not documents.
// Run from the project root: npx tsx bench/adapters.ts [seconds per measurement]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { getAdapter } from '../adapters/registry.js';
import { SHARED_BENCH } from './lib.js';

const seconds = Number(process.argv[2] ?? 2);
const samples = path.join(SHARED_BENCH, '../spec/samples');

function rate(fn: () => number): number {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT
  let items = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) for (let i = 0; i < 50; i++) items += fn();
  return items / ((performance.now() - start) / 1000);
}

const cases = [
  { adapter: 'xay-dung-soap', file: 'xay-dung-tiep-nhan.xml', type: 'text/xml', bare: 'xml' },
  { adapter: 'xay-dung-soap', file: 'xay-dung-cap-nhat.xml', type: 'text/xml', bare: 'xml' },
  { adapter: 'tnmt-xml', file: 'tnmt-goi-tin.xml', type: 'application/xml', bare: 'xml' },
  { adapter: 'undp-motcua', file: 'undp-ho-so.json', type: 'application/json', bare: 'json' },
  { adapter: 'undp-motcua', file: 'undp-lien-thong.json', type: 'application/json', bare: 'json' },
] as const;

console.log(`decode rate, ${seconds} s per measurement, dossiers/s (higher is better)`);
console.log(`${'adapter / document'.padEnd(44)} ${'adapter'.padStart(10)} ${'bare parse'.padStart(12)}  ratio`);
const xml = new XMLParser();
for (const c of cases) {
  const body = readFileSync(path.join(samples, c.file));
  const adapter = getAdapter(c.adapter)!;
  const req = { body, contentType: c.type, headers: {}, systemId: 'bench' };
  const perDoc = adapter.decode(req).items.length;
  const text = body.toString('utf8');
  const decoded = rate(() => adapter.decode(req).items.length);
  const bare = rate(() => {
    if (c.bare === 'xml') xml.parse(text);
    else JSON.parse(text);
    return perDoc;
  });
  const label = `${c.adapter} / ${c.file}`;
  console.log(`${label.padEnd(44)} ${decoded.toFixed(0).padStart(10)} ${bare.toFixed(0).padStart(12)}  ${(decoded / bare).toFixed(2)}  (${c.bare === 'xml' ? 'fast-xml-parser' : 'JSON.parse'})`);
}
