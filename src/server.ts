// The process: configuration, listeners, graceful close. The services are built once (hub.ts) and served by the
// HTTP listener and, with TLS_PORT, by an HTTPS one that asks for client certificates (app.ts builds both).
import type { FastifyInstance } from 'fastify';
import { loadConfig } from './config.js';
import { buildApp } from './app.js';
import { createHub } from './hub.js';

const config = loadConfig();
const hub = await createHub({ config });
const { ctx } = hub;
const listeners: FastifyInstance[] = [(await buildApp({ config, hub })).app];

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
    // Every listener first (in-flight requests still use the services), then the services once.
    await Promise.all(listeners.map((l) => l.close()));
    await hub.close();
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
if (config.tlsPort !== undefined) {
  const host = new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, '');
  const https = await ctx.trust.listenerPair(host, config.tlsCert && config.tlsKey ? { cert: config.tlsCert, key: config.tlsKey } : undefined);
  listeners.push((await buildApp({ config, hub, https })).app);
}
await listeners[0]!.listen({ port: config.port, host: config.host });
if (listeners[1]) {
  const at = await listeners[1].listen({ port: config.tlsPort!, host: config.host });
  ctx.log.info({ url: at }, 'HTTPS listener ready (client certificates asked for, not required)');
}
ctx.log.info({ url: config.publicUrl, docs: `${config.publicUrl}/docs` }, 'lgsp-hub ready');
