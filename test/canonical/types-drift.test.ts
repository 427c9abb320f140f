import t from 'tap';
import { readFileSync } from 'node:fs';
import { generateTypes, TYPES_PATH } from '../../scripts/gen-types.js';

t.test('src/canonical/dossier.gen.ts is what the schema generates (run npm run gen:types after a schema change)', async (t) => {
  t.equal(readFileSync(TYPES_PATH, 'utf8'), await generateTypes());
});
