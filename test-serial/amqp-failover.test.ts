// AMQP_URL with several node URLs (api.md "Several instances"): the hub's relay and delivery connection fails over
// to the next node when the node in use stops. Two RabbitMQ nodes of the test's own (test/helpers/rabbit-node.ts),
// NOT clustered (forming a cluster of nodes started for a test takes too long on this machine, and a quorum queue
// on two nodes has no majority once one stops): each node has the subscriber's queue, bound before anything is
// written, and the subscriber reads both, as it would read a cluster. Under load the node in use is stopped:
// dossiers go on reaching the subscriber through the other node; what the stopped node had confirmed waits in its
// quorum queue and is read when it comes back. Nothing that got a 2xx is lost. Serial: it stops brokers (its own).
import t from 'tap';
import amqp, { type ChannelModel } from 'amqplib';
import { dossier, startHub } from '../test/helpers/hub.js';
import { startRabbitNode, type RabbitNode } from '../test/helpers/rabbit-node.js';
import { brokerUp, codeFor, waitFor } from '../test/relay/helpers.js';

t.setTimeout(600_000);

async function subscriber(url: string, prefix: string, seen: Map<string, Set<string>>, where: string): Promise<ChannelModel> {
  const conn = await amqp.connect(url);
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  await ch.assertExchange(`${prefix}.events`, 'topic', { durable: true });
  await ch.assertQueue('subscriber', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue('subscriber', `${prefix}.events`, 'dossier.#');
  await ch.consume('subscriber', (m) => {
    if (!m) return;
    const code = String(m.properties.headers?.['x-dossier-code']);
    if (!seen.has(code)) seen.set(code, new Set());
    seen.get(code)!.add(where);
    ch.ack(m);
  });
  return conn;
}

t.test('the node in use stopped under load: the hub goes on through the other node, nothing lost', async (t) => {
  const nodes: RabbitNode[] = [];
  t.teardown(() => { for (const n of nodes) n.shutdown(); });
  for (let i = 0; i < 2; i++) {
    const n = await startRabbitNode();
    if ('skip' in n) return t.skip(n.skip);
    nodes.push(n);
  }
  const [n1, n2] = nodes as [RabbitNode, RabbitNode];
  const prefix = 'fo';
  const seen = new Map<string, Set<string>>(); // dossier code → the nodes it was read from
  const subs = [await subscriber(n1.url, prefix, seen, n1.name), await subscriber(n2.url, prefix, seen, n2.name)];
  t.teardown(async () => { for (const s of subs) await s.close().catch(() => {}); });

  const hub = await startHub({ relay: { prefix, amqpUrl: ` ${n1.url} , ${n2.url}` } });
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'src', agencies: ['000.00.15.H12'] });
  await brokerUp(hub, 60_000);
  const relay = hub.services.relay!;
  const first = relay.node;
  t.ok(first, `connected to ${first}`);
  const [inUse, other] = first && n1.url.endsWith(new URL(first).port) ? [n1, n2] : [n2, n1];

  const accepted: string[] = [];
  let n = 0;
  let loading = true;
  const load = Promise.all(Array.from({ length: 4 }, async () => {
    while (loading) {
      const code = codeFor(++n);
      const res = await hub.post('src', key, dossier({ code }));
      if (res.statusCode === 202) accepted.push(code);
      else t.fail(`${res.statusCode} ${res.body}`);
    }
  }));
  await waitFor('load before the stop', () => accepted.length >= 100, 120_000, 20);
  inUse.stopApp();
  const atStop = accepted.length;
  t.comment(`stopped ${inUse.name} after ${atStop} dossiers`);
  await waitFor('the relay on the other node', () => relay.node && relay.node !== first && hub.ctx.broker.state() === 'up', 60_000, 50);
  await waitFor('load after the stop', () => accepted.length >= atStop + 200, 120_000, 20);
  loading = false;
  await load;
  const after = accepted.slice(atStop + 50);
  await waitFor('dossiers accepted after the stop reach the subscriber through the other node',
    () => after.every((c) => seen.get(c)?.has(other.name)), 60_000, 100);
  t.pass(`${after.length} dossiers accepted after the stop reached the subscriber through ${other.name}`);
  await waitFor('the outbox relayed', async () => (await hub.ctx.store.outboxBacklog()).count === 0, 60_000, 100);

  // The stopped node comes back: what it had confirmed is in its quorum queue and is read now.
  inUse.startApp();
  subs.push(await subscriber(inUse.url, prefix, seen, inUse.name));
  await waitFor('every accepted dossier at the subscriber', () => accepted.every((c) => seen.has(c)), 60_000, 100).catch(() => undefined);
  t.same(accepted.filter((c) => !seen.has(c)), [], `all ${accepted.length} accepted dossiers reached the subscriber`);
  t.ok(relay.node !== first, 'the hub stayed on the other node');
});
