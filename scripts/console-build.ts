// Builds the administrator console (console/ → dist/console) when the output is missing or older than any
// source file; `--force` always builds. Run by npm's prepare (after npm ci), prestart and pretest, so the two
// README commands still suffice.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const root = new URL('../console/', import.meta.url).pathname;
const out = new URL('../dist/console/index.html', import.meta.url).pathname;

function newest(dir: string): number {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return m;
}

const stale = !existsSync(out) || statSync(out).mtimeMs < newest(root);
if (process.argv.includes('--force') || stale) {
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  console.log('console built into dist/console');
}
