import t from 'tap';
import { readFileSync } from 'node:fs';
import { ERRORS } from '../../src/errors.js';

t.test('every HUB_ code is documented in docs/errors.md with its status', async (t) => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, def] of Object.entries(ERRORS)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    t.ok(row, `${code} has a row in docs/errors.md`);
    t.match(row ?? '', new RegExp(`\\| ${def.status} \\|`), `${code} documents status ${def.status}`);
  }
  const documented = [...doc.matchAll(/^\| `(HUB_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  for (const code of documented) t.ok(code! in ERRORS, `${code} in the docs exists in the catalogue`);
});
