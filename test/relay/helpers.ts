// Shared by the relay tests: a raw AMQP connection to observe what the hub publishes, a real local HTTP
// target, polling, and the clean-up of everything a test's prefix declared.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { TestHub } from '../helpers/hub.js';
import { tierName, topologyNames } from '../../src/relay/topology.js';

export const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';

export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const brokerUp = (hub: TestHub, timeoutMs = 20_000) => waitFor('broker up', () => hub.ctx.broker.state() === 'up', timeoutMs);

export interface Observer {
  conn: ChannelModel;
  ch: Channel;
  /** Messages received on a queue bound to `<p>.events`, in arrival order. */
  messages: ConsumeMessage[];
  queue: string;
  close(): Promise<void>;
}

/** A queue of the test's own, bound to `<p>.events` with `pattern`, consumed into `messages`. */
export async function observeEvents(prefix: string, pattern = 'dossier.#'): Promise<Observer> {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  const n = topologyNames(prefix);
  await ch.assertExchange(n.events, 'topic', { durable: true });
  const { queue } = await ch.assertQueue(`${prefix}.test-observer`, { durable: false, exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, n.events, pattern);
  const messages: ConsumeMessage[] = [];
  await ch.consume(queue, (m) => { if (m) messages.push(m); }, { noAck: true });
  return {
    conn, ch, messages, queue,
    async close() { await conn.close().catch(() => {}); },
  };
}

/** Deletes every exchange and queue the hub declared under the prefix. */
export async function deleteTopology(prefix: string, systemIds: string[], delaysMs: readonly number[]): Promise<void> {
  const n = topologyNames(prefix);
  const conn = await amqp.connect(AMQP_URL);
  try {
    const del = async (f: (ch: Channel) => Promise<unknown>) => {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      await f(ch).catch(() => {});
      await ch.close().catch(() => {});
    };
    for (const id of systemIds) await del((ch) => ch.deleteQueue(n.deliverQueue(id)));
    for (const ms of new Set(delaysMs)) {
      await del((ch) => ch.deleteQueue(n.retry(tierName(ms))));
      await del((ch) => ch.deleteExchange(n.retry(tierName(ms))));
    }
    await del((ch) => ch.deleteQueue(n.dead));
    await del((ch) => ch.deleteExchange(n.events));
    await del((ch) => ch.deleteExchange(n.deliver));
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Closes the hub, then removes its topology (registered for t.teardown). */
export function cleanup(hub: TestHub, systemIds: string[]): () => Promise<void> {
  return async () => {
    const prefix = hub.ctx.config.amqpPrefix;
    const delays = hub.ctx.config.retryDelaysMs;
    await hub.close();
    await deleteTopology(prefix, systemIds, delays);
  };
}

export interface Hit { at: number; headers: http.IncomingHttpHeaders; body: string }

/** A real HTTP server on 127.0.0.1:0; `answer` decides each status from the hit number (0-based) and the hit. */
export async function startTarget(answer: (n: number, hit: Hit) => number | Promise<number>): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const hit = { at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const n = hits.length;
      hits.push(hit);
      const status = await answer(n, hit);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? `refused with ${status}` : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/receive`, hits,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export const adminHeaders = (token: string) => ({ authorization: `Bearer ${token}` });

/** A distinct national code per number (the bench payload's agency and day). */
export const codeFor = (i: number, agency = '000.00.15.H12') => `${agency}-261127-${String(i).padStart(4, '0')}`;
