// The process: configuration, listen, graceful close. Everything else is built in app.ts.
import { loadConfig } from './config.js';
import { buildApp } from './app.js';

const config = loadConfig();
const { app, ctx } = await buildApp({ config });

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  ctx.log.info({ signal }, 'shutting down: finishing in-flight requests');
  const force = setTimeout(() => {
    ctx.log.error('graceful shutdown timed out; exiting');
    process.exit(1);
  }, config.shutdownGraceMs);
  force.unref();
  try {
    await app.close();
    process.exit(0);
  } catch (err) {
    ctx.log.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

// The hub CA and signing key are created (or read) at first start, not at the first request that needs them.
await ctx.trust.ready();
await app.listen({ port: config.port, host: config.host });
ctx.log.info({ url: config.publicUrl, docs: `${config.publicUrl}/docs` }, 'lgsp-hub ready');
