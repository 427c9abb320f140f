// Generates schemas/mapping.v1.schema.json from schemas/dossier.v1.schema.json (mapping.md §14): the targets, their
// element fields and caps come from the canonical schema. `npm run gen:mapping-schema` writes it;
// test/adapters/mapping/schema-drift.test.ts fails when the committed file differs from what this produces.
import { readFile, writeFile } from 'node:fs/promises';
import { buildTargets } from '../adapters/kit/mapping/targets.js';
import { buildMappingSchema } from '../adapters/kit/mapping/schema.js';

export const DOSSIER_SCHEMA_PATH = new URL('../schemas/dossier.v1.schema.json', import.meta.url);
export const MAPPING_SCHEMA_PATH = new URL('../schemas/mapping.v1.schema.json', import.meta.url);

export async function generateMappingSchema(): Promise<string> {
  const dossier = JSON.parse(await readFile(DOSSIER_SCHEMA_PATH, 'utf8'));
  return `${JSON.stringify(buildMappingSchema(buildTargets(dossier)), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(MAPPING_SCHEMA_PATH, await generateMappingSchema());
  console.log('wrote', MAPPING_SCHEMA_PATH.pathname);
}
