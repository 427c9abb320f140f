// Generates src/canonical/dossier.gen.ts from schemas/dossier.v1.schema.json: the schema is the source,
// the types are never written by hand. `npm run gen:types` writes it; test/canonical/types-drift.test.ts
// fails when the committed file differs from what this produces.
import { readFile, writeFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';

export const SCHEMA_PATH = new URL('../schemas/dossier.v1.schema.json', import.meta.url);
export const TYPES_PATH = new URL('../src/canonical/dossier.gen.ts', import.meta.url);

export async function generateTypes(): Promise<string> {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8'));
  return compile(schema, 'Dossier', {
    bannerComment: '/* Generated from schemas/dossier.v1.schema.json by scripts/gen-types.ts. Do not edit: run `npm run gen:types`. */',
    additionalProperties: false,
    maxItems: -1,
    unreachableDefinitions: false,
    style: { singleQuote: true, printWidth: 120 },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(TYPES_PATH, await generateTypes());
  console.log('wrote', TYPES_PATH.pathname);
}
