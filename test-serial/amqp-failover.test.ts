// AMQP_URL with several node URLs (api.md "Several instances"; issue 14 "Done when"): a three-node RabbitMQ
// cluster started for the test (test/helpers/rabbit-node.ts nodes, distinct names and ports, joined with
// `rabbitmqctl join_cluster`; about 45 s here), the hub given all three URLs, the node it is connected to stopped
// under load: the relay goes on through another node, and every dossier that got a 2xx reaches the subscriber's
// quorum queue (replicated on the three nodes, so it keeps a majority) while the stopped node stays down.
// Serial: it stops brokers (its own nodes only, never the shared one on 5672).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import amqp, { type ChannelModel } from 'amqplib';
import { dossier, startHub } from '../test/helpers/hub.js';
import { startRabbitNode, type RabbitNode } from '../test/helpers/rabbit-node.js';
import { brokerUp, codeFor, waitFor } from '../test/relay/helpers.js';

t.setTimeout(900_000);

const ctl = (node: string, ...args: string[]) => execFileSync('rabbitmqctl', ['-n', node, ...args], { stdio: 'pipe', timeout: 120_000 }).toString();

t.test('the node in use stopped under load: the hub goes on through another node of the cluster, nothing lost', async (t) => {
  const nodes: RabbitNode[] = [];
  t.teardown(() => { for (const n of nodes) n.shutdown(); });
  for (let i = 0; i < 3; i++) {
    const n = await startRabbitNode();
    if ('skip' in n) return t.skip(n.skip);
    nodes.push(n);
  }
  for (const n of nodes.slice(1)) {
    ctl(n.name, 'stop_app');
    ctl(n.name, 'join_cluster', nodes[0]!.name);
    ctl(n.name, 'start_app');
    ctl(n.name, 'await_startup', '--timeout', '120');
  }
  const status = ctl(nodes[0]!.name, 'cluster_status', '--formatter', 'json');
  t.same((JSON.parse(status) as { running_nodes: string[] }).running_nodes.sort(), nodes.map((n) => n.name).sort(), 'a cluster of three running nodes');

  const prefix = 'fo';
  const seen = new Set<string>(); // dossier codes read by the subscriber
  const conns: ChannelModel[] = [];
  t.teardown(async () => { for (const c of conns) await c.close().catch(() => {}); });
  const open = async (node: RabbitNode) => {
    const conn = await amqp.connect(node.url);
    conn.on('error', () => {});
    conns.push(conn);
    return conn.createChannel();
  };
  // The subscriber's queue, bound before anything is written: a quorum queue on the three nodes.
  const decl = await open(nodes[2]!);
  await decl.assertExchange(`${prefix}.events`, 'topic', { durable: true });
  await decl.assertQueue('subscriber', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': 3 } });
  await decl.bindQueue('subscriber', `${prefix}.events`, 'dossier.#');

  const hub = await startHub({ relay: { prefix, amqpUrl: nodes.map((n) => n.url).join(', ') } });
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'src', agencies: ['000.00.15.H12'] });
  await brokerUp(hub, 60_000);
  const relay = hub.services.relay!;
  const first = relay.node!;
  const inUse = nodes.find((n) => n.url.endsWith(`:${new URL(first).port}`))!;
  t.ok(inUse, `the hub is connected to ${first}`);
  // The subscriber reads through a node that stays up.
  const sub = await open(nodes.find((n) => n !== inUse)!);
  await sub.consume('subscriber', (m) => {
    if (!m) return;
    seen.add(String(m.properties.headers?.['x-dossier-code']));
    sub.ack(m);
  });

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
  await waitFor('the relay on another node', () => relay.node && relay.node !== first && hub.ctx.broker.state() === 'up', 60_000, 50);
  t.comment(`the relay went on through ${relay.node}`);
  await waitFor('load after the stop', () => accepted.length >= atStop + 200, 120_000, 20);
  loading = false;
  await load;
  await waitFor('the outbox relayed', async () => (await hub.ctx.store.outboxBacklog()).count === 0, 60_000, 100);
  await waitFor('every accepted dossier at the subscriber', () => accepted.every((c) => seen.has(c)), 60_000, 100).catch(() => undefined);
  t.same(accepted.filter((c) => !seen.has(c)), [], `all ${accepted.length} accepted dossiers reached the subscriber, the stopped node still down`);
  t.throws(() => ctl(inUse.name, 'await_startup', '--timeout', '1'), 'the stopped node was not brought back');
});
