// Shared by the onboarding flows (issue 11, "Done when"): a real hub listening on a free port with the relay on a
// RabbitMQ vhost of its own, the `lgsp-hub` CLI as a child process with HUB_URL/HUB_ADMIN_TOKEN, the admin API over
// real HTTP, a real AMQP consumer on the hub's events exchange, and a real HTTP server standing for the department.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import amqp, { type ConsumeMessage } from 'amqplib';
import { ADMIN_TOKEN, startHub, type TestHub } from '../helpers/hub.js';
import { freePort } from '../helpers/net.js';
import { createVhost } from '../helpers/vhost.js';
import { tempDatabase } from '../helpers/pg.js';
import { topologyNames } from '../../src/relay/topology.js';
import { waitFor } from '../relay/helpers.js';

export { waitFor };
const BIN = new URL('../../bin/lgsp-hub.js', import.meta.url).pathname;
export type Json = Record<string, any>;

export interface Department {
  url: string;
  hits: { headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** The department's receiving endpoint: records each push and answers `reply` (its software's "ok"); with
 *  `busyFirst`, the first push is answered 503 (a transient failure the relay retries). */
export async function department(reply: { contentType: string; body: string; busyFirst?: boolean }): Promise<Department> {
  const hits: Department['hits'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (reply.busyFirst && hits.length === 1) { res.writeHead(503, { 'content-type': 'text/plain' }).end('bận'); return; }
      res.writeHead(200, { 'content-type': reply.contentType }).end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/nhan-cap-nhat`, hits,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export interface Onboarding {
  hub: TestHub;
  base: string;
  dir: string;
  /** Writes a file under the test's folder and answers its path (what the administrator hands the CLI). */
  file(name: string, content: string | Buffer): string;
  cli(args: string[]): Promise<{ code: number; out: string; err: string }>;
  api(method: string, url: string, body?: unknown, token?: string, contentType?: string): Promise<{ status: number; body: any; text: string }>;
  /** CloudEvents received by a real consumer on a queue of the test's own bound to `<prefix>.events`. */
  events: ConsumeMessage[];
}

/** A fresh hub with the relay on its own vhost, listening; torn down (hub, consumer, vhost, files) by `t`.
 *  `postgres`: the store is a PostgreSQL database of the test's own instead of the SQLite file. */
export async function onboardingHub(t: { teardown(fn: () => unknown): void }, opts: { postgres?: boolean } = {}): Promise<Onboarding> {
  // The database is dropped after the hub has closed (its pool first).
  const drops: (() => Promise<void> | void)[] = [];
  const databaseUrl = opts.postgres ? await tempDatabase({ teardown: (fn) => { drops.push(fn); } }) : undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-onboard-'));
  const vhost = createVhost('onboard');
  const port = await freePort();
  const hub = await startHub({
    dataDir: path.join(dir, 'data'), relay: { amqpUrl: vhost.url },
    config: { port, publicUrl: `http://127.0.0.1:${port}`, retryDelaysMs: [200, 400], retryAttempts: 3, ...(databaseUrl ? { databaseUrl, dbPool: 4 } : {}) },
  });
  await hub.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  // The platform's subscriber: a queue of its own on the vhost, bound to the events exchange, consumed for real.
  const conn = await amqp.connect(vhost.url);
  const ch = await conn.createChannel();
  const names = topologyNames(hub.ctx.config.amqpPrefix);
  await ch.assertExchange(names.events, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('platform-subscriber', { durable: true });
  await ch.bindQueue(queue, names.events, 'dossier.#');
  const events: ConsumeMessage[] = [];
  await ch.consume(queue, (m) => { if (m) { events.push(m); ch.ack(m); } });
  t.teardown(async () => {
    await conn.close().catch(() => {});
    await hub.close();
    vhost.remove();
    for (const drop of drops) await drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    hub, base, dir, events,
    file(name, content) {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    cli(args) {
      return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HUB_URL: base, HUB_ADMIN_TOKEN: ADMIN_TOKEN, HUB_DATA_DIR: path.join(dir, 'nowhere') }, timeout: 120_000 },
          (error, out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, out: String(out), err: String(err) }));
      });
    },
    async api(method, url, body, token = ADMIN_TOKEN, contentType = 'application/json') {
      const res = await fetch(`${base}${url}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = null;
      try { parsed = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, body: parsed, text };
    },
  };
}

/** The provenance once the delivery to `system` of `revision` has left the pending state. */
export function settledProvenance(o: Onboarding, code: string, system: string, revision: number): Promise<Json> {
  return waitFor(`the delivery of revision ${revision} to ${system} settled`, async () => {
    const p = await o.api('GET', `/v1/admin/dossiers/${encodeURIComponent(code)}/provenance`);
    const d = (p.body?.deliveries as Json[] | undefined)?.find((x) => x.system === system && x.revision === revision);
    return d && d.state !== 'pending' ? p.body as Json : undefined;
  }, 60_000, 100);
}
