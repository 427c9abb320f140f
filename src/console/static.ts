// Serves the built console (console/ → dist/console by `npm run build:console`) at /console/. Every asset comes
// from that folder, so the console works on a machine without internet; the hub's CSP (script-src 'self')
// holds for it unchanged. Hash routing (/console/#/systems) keeps every page at one URL.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PROJECT_ROOT } from '../paths.js';

export const CONSOLE_DIR = path.join(PROJECT_ROOT, 'dist', 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};
/** Vite's file names: hashed, so they never change content and may be cached for good. */
const ASSET = /^assets\/[A-Za-z0-9._-]{1,120}$/;

export async function consoleStaticRoutes(app: FastifyInstance, { dir = CONSOLE_DIR }: { dir?: string } = {}): Promise<void> {
  const hide = { schema: { hide: true } };
  const index = async () => {
    const file = path.join(dir, 'index.html');
    return existsSync(file) ? readFile(file) : undefined;
  };

  app.get('/console', hide, async (_req, reply) => reply.redirect('/console/', 301));

  app.get('/console/', hide, async (_req, reply) => {
    const html = await index();
    if (!html) {
      return reply.code(503).type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build:console` (npm ci, npm start and npm test build it themselves).');
    }
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(html);
  });

  app.get<{ Params: { '*': string } }>('/console/*', hide, async (req, reply) => {
    const rel = req.params['*'];
    // Only names of the build's own shape: no "..", no encoded separators, nothing outside the folder.
    if (!ASSET.test(rel) || rel.includes('..')) return reply.callNotFound();
    const file = path.join(dir, rel);
    if (!existsSync(file)) return reply.callNotFound();
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    return reply.type(type).header('cache-control', 'public, max-age=31536000, immutable').send(await readFile(file));
  });
}
