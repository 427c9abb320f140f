// The broker stopped while dossiers keep coming (rabbitmqctl stop_app): every POST is still 202, /readyz says
// broker down and degraded, and after start_app every event arrives. Serial: it stops the shared broker.
// Whatever happens, the broker is started again (t.teardown).
import { execFileSync } from 'node:child_process';
import t from 'tap';
import amqp from 'amqplib';
import { startHub, dossier } from '../test/helpers/hub.js';
import { AMQP_URL, brokerUp, cleanup, codeFor, waitFor } from '../test/relay/helpers.js';

const rabbitmqctl = (...args: string[]) => execFileSync('rabbitmqctl', args, { stdio: 'pipe', timeout: 60_000 }).toString();
const brokerRunning = () => {
  try { rabbitmqctl('await_startup', '--timeout', '1'); return true; } catch { return false; }
};

t.test('ingest goes on while the broker is away; the backlog drains when it returns', async (t) => {
  t.teardown(() => { if (!brokerRunning()) rabbitmqctl('start_app'); });
  const hub = await startHub({ relay: true });
  const prefix = hub.ctx.config.amqpPrefix;
  const observerQueue = `${prefix}.test-observer`;
  t.teardown(async () => {
    await cleanup(hub, [])();
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await ch.deleteQueue(observerQueue).catch(() => {});
    await conn.close();
  });
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  await brokerUp(hub);
  {
    // A durable queue of the test's own, so what was published before the stop survives it.
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await ch.assertQueue(observerQueue, { durable: true });
    await ch.bindQueue(observerQueue, `${prefix}.events`, 'dossier.#');
    await conn.close();
  }

  let n = 0;
  const accepted: string[] = [];
  const refused: string[] = [];
  let streaming = true;
  const stream = (async () => {
    while (streaming) {
      const code = codeFor(++n);
      const res = await hub.post('tnmt', key, dossier({ code }));
      (res.statusCode === 202 ? accepted : refused).push(code);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  await waitFor('some dossiers before the stop', () => accepted.length >= 30);
  rabbitmqctl('stop_app');
  await waitFor('the hub to see the broker down', () => hub.ctx.broker.state() === 'down', 10_000);
  const before = accepted.length;
  await waitFor('dossiers accepted while the broker is away', () => accepted.length >= before + 50);
  const ready = await hub.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200, 'still accepting dossiers');
  t.match(ready.json(), { status: 'degraded', store: 'up', broker: 'down' });
  t.ok(ready.json().outboxBacklog > 0, `backlog grows (${ready.json().outboxBacklog})`);
  rabbitmqctl('start_app');
  await brokerUp(hub, 45_000);
  await waitFor('a few more after the return', () => accepted.length >= before + 80);
  streaming = false;
  await stream;
  t.same(refused, [], 'every POST answered 202');

  const conn = await amqp.connect(AMQP_URL);
  t.teardown(() => conn.close().catch(() => {}));
  const ch = await conn.createChannel();
  const seen = new Set<string>();
  await ch.consume(observerQueue, (m) => { if (m) seen.add(String(m.properties.headers?.['x-dossier-code'])); }, { noAck: true });
  await waitFor('every event', () => accepted.every((c) => seen.has(c)), 30_000);
  t.pass(`all ${accepted.length} events arrived (${accepted.length - before} accepted while or after the broker was away)`);
  await waitFor('the outbox drained', async () => (await hub.ctx.store.outboxBacklog()).count === 0, 10_000);
  t.match((await hub.app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready', broker: 'up', outboxBacklog: 0 });
});

t.test('the hub starts and accepts dossiers while the broker is still away', async (t) => {
  t.teardown(() => { if (!brokerRunning()) rabbitmqctl('start_app'); });
  rabbitmqctl('stop_app');
  const hub = await startHub({ relay: true });
  t.teardown(cleanup(hub, []));
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  const res = await hub.post('tnmt', key, dossier({ code: codeFor(1) }));
  t.equal(res.statusCode, 202, 'accepted with no broker at all');
  t.match((await hub.app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'degraded', broker: 'down', outboxBacklog: 1 });
  rabbitmqctl('start_app');
  await brokerUp(hub, 45_000);
  await waitFor('the outbox drained after the broker came', async () => (await hub.ctx.store.outboxBacklog()).count === 0, 20_000);
  t.pass('relayed once the broker answered');
});
