// The scenarios with the broker, the hub process and the push target (bench/chaos-disk.ts holds the disk one).
// Each runs a load of distinct dossiers through the trouble and ends with the count check of chaos-kit.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HubProcess, Load, check, countingTarget, type Row } from './chaos-kit.js';
import { deleteTopology, waitFor } from '../test/relay/helpers.js';
import { startRabbitNode } from '../test/helpers/rabbit-node.js';

const DELAYS = [200, 500, 1000]; // HUB_RETRY_DELAYS of HubProcess
const CONCURRENCY = 8;

interface Scene { hub: HubProcess; load: Load; target: Awaited<ReturnType<typeof countingTarget>> }

/** Sets up a hub, a target and a load, runs `body`, waits for every 2xx at the target, stops the hub; cleans up always. */
async function scene(o: { status?: () => number; amqpUrl?: string; sharedBroker: boolean }, body: (s: Scene) => Promise<void>,
  finish: (s: Scene) => Row, deliveryTimeoutMs = 180_000): Promise<Row> {
  const target = await countingTarget(o.status);
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-chaos-'));
  const hub = new HubProcess({ dir, targetUrl: target.url, ...(o.amqpUrl ? { amqpUrl: o.amqpUrl } : {}) });
  const load = new Load(hub);
  try {
    await hub.start();
    await body({ hub, load, target });
    await waitFor('every 2xx dossier at the push target', () => [...load.accepted].every((c) => target.codes.has(c)), deliveryTimeoutMs, 100).catch(() => {});
    await hub.stop();
    return finish({ hub, load, target });
  } finally {
    await hub.stop('SIGKILL');
    await target.close();
    if (o.sharedBroker) await deleteTopology(hub.prefix, ['sub'], DELAYS).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps the load running until `stop` is called; returns the stopper and the promise. */
function background(load: Load) {
  let stop = false;
  const done = load.run(() => stop, CONCURRENCY);
  return { done, stop: async () => { stop = true; await done; } };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function brokerRestart(o: { seconds: number }): Promise<Row> {
  const scenario = 'RabbitMQ stopped and started under load';
  const node = await startRabbitNode();
  if ('skip' in node) return { scenario, requests: 0, ok: 0, stored: 0, delivered: 0, duplicates: 0, unanswered: 0, result: 'skipped', note: node.skip };
  try {
    const problems: string[] = [];
    let during = 0;
    return await scene({ amqpUrl: node.url, sharedBroker: false }, async ({ hub, load, target }) => {
      await waitFor('broker up', async () => (await hub.readyz()).body.broker === 'up', 60_000, 100);
      const bg = background(load);
      await waitFor('deliveries under way', () => target.codes.size > 20, 60_000, 50);
      await sleep((o.seconds * 1000) / 3);
      node.stopApp();
      const before = load.ok;
      await waitFor('/readyz degraded', async () => (await hub.readyz()).body.status === 'degraded', 30_000, 100)
        .catch(() => problems.push('readyz never said degraded'));
      await sleep((o.seconds * 1000) / 3);
      during = load.ok - before;
      if (during === 0) problems.push('no 2xx while the broker was away');
      node.startApp();
      await waitFor('broker up again', async () => (await hub.readyz()).body.broker === 'up', 60_000, 100);
      await sleep((o.seconds * 1000) / 3);
      await bg.stop();
    }, (s) => check(scenario, s.load, s.hub, s.target, { extra: problems, note: `${during} accepted while the broker was away` }));
  } finally {
    node.shutdown();
  }
}

export async function hubKilled(o: { seconds: number }): Promise<Row> {
  const scenario = 'hub SIGKILL under load, restarted';
  let atKill = 0;
  return scene({ sharedBroker: true }, async ({ hub, load, target }) => {
    const bg = background(load);
    await waitFor('deliveries under way', () => target.codes.size > 20, 60_000, 50);
    await sleep((o.seconds * 1000) / 2);
    await hub.stop('SIGKILL');
    atKill = load.ok;
    await hub.start(); // the load goes on against the dead port meanwhile: no answer, no promise
    await sleep((o.seconds * 1000) / 2);
    await bg.stop();
  }, (s) => check(scenario, s.load, s.hub, s.target, {
    // Requests under way at the kill may be committed without their answer: at most one per client.
    unansweredAllowed: CONCURRENCY, note: `${atKill} accepted before the kill, ${s.load.count(0)} requests without an answer while it was down`,
  }));
}

export async function pushTarget503(o: { seconds: number }): Promise<Row> {
  const scenario = `push target 503 for ${o.seconds} s, then 200`;
  let refusing = true;
  let refused = 0;
  return scene({ sharedBroker: true, status: () => (refusing ? (refused++, 503) : 200) }, async ({ load }) => {
    const bg = background(load);
    await sleep(o.seconds * 1000);
    refusing = false;
    await sleep(Math.min(10_000, o.seconds * 500));
    await bg.stop();
  }, (s) => check(scenario, s.load, s.hub, s.target, { note: `${refused} deliveries answered 503` }));
}
