// The hub as a child process, killed with SIGKILL in the middle of a stream and started again on the same
// data dir: every dossier that got a 202 reaches the subscriber. Duplicates by event id are allowed at the
// broker (the observer queue) and removed at delivery (the push target sees each dossier once, give or take a
// delivery that was under way at the kill: at least once).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import amqp from 'amqplib';
import { ADMIN_TOKEN, dossier } from '../test/helpers/hub.js';
import { AMQP_URL, codeFor, deleteTopology, startTarget, waitFor } from '../test/relay/helpers.js';
import { freePort } from '../test/helpers/net.js';

const ROOT = path.resolve(import.meta.dirname, '..');

t.test('SIGKILL mid-stream and restart: every accepted dossier reaches the subscriber', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-crash-'));
  const dataDir = path.join(dir, 'data');
  const configDir = path.join(dir, 'config');
  mkdirSync(path.join(configDir, 'systems'), { recursive: true });
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const target = await startTarget(() => 200);
  t.teardown(() => target.close());
  writeFileSync(path.join(configDir, 'systems', 'src.json'), JSON.stringify({
    id: 'src-sys', name: 'source', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'],
    delivery: { mode: 'none' }, subscriptions: [], mapping: null,
  }));
  writeFileSync(path.join(configDir, 'systems', 'sub.json'), JSON.stringify({
    id: 'sub', name: 'subscriber', adapter: 'canonical', role: 'platform', level: 'province', agencies: [],
    delivery: { mode: 'push', url: target.url, timeoutMs: 2000 }, subscriptions: [{ events: ['dossier.received'], scope: 'all' }], mapping: null,
  }));

  // A durable queue of the test's own on <p>.events: the broker side, where duplicates by id are allowed.
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  await ch.assertExchange(`${prefix}.events`, 'topic', { durable: true });
  const observer = `${prefix}.test-observer`;
  await ch.assertQueue(observer, { durable: true });
  await ch.bindQueue(observer, `${prefix}.events`, 'dossier.#');
  const atBroker: string[] = [];
  await ch.consume(observer, (m) => { if (m) atBroker.push(String(m.properties.headers?.['x-dossier-code'])); }, { noAck: true });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, HUB_DATA_DIR: dataDir, HUB_CONFIG_DIR: configDir, PORT: String(port), AMQP_PREFIX: prefix, HUB_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', HUB_RETRY_DELAYS: '200ms,400ms' },
    });
    await waitFor('the hub to listen', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 30_000, 100);
  };
  t.teardown(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await conn.close().catch(() => {});
    await deleteTopology(prefix, ['sub'], [200, 400]);
    const c = await amqp.connect(AMQP_URL);
    const cleanCh = await c.createChannel();
    await cleanCh.deleteQueue(observer).catch(() => {});
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  await start();
  const key = readFileSync(path.join(dataDir, 'keys', 'src-sys.key'), 'utf8').trim();
  const accepted = new Set<string>();
  let n = 0;
  const post = async () => {
    const code = codeFor(++n);
    try {
      const res = await fetch(`${base}/v1/inbound/src-sys`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(dossier({ code })),
      });
      if (res.status === 202) accepted.add(code);
      await res.arrayBuffer();
    } catch { /* killed under it: no 202, no promise */ }
  };
  const stream = async (until: () => boolean) => {
    await Promise.all(Array.from({ length: 8 }, async () => { while (!until()) await post(); }));
  };

  let killed = false;
  const first = stream(() => killed);
  await waitFor('a stream under way', () => accepted.size >= 300 && target.hits.length > 0, 30_000);
  child!.kill('SIGKILL');
  killed = true;
  await new Promise((r) => child!.once('exit', r));
  await first;
  const beforeKill = accepted.size;
  t.comment(`${beforeKill} accepted before the kill; ${target.hits.length} delivered by then`);

  await start();
  const more = accepted.size + 100;
  await stream(() => accepted.size >= more);

  await waitFor('every accepted dossier at the subscriber', () => {
    const delivered = new Set(target.hits.map((h) => h.headers['x-dossier-code'] as string));
    return [...accepted].every((c) => delivered.has(c));
  }, 45_000, 100);
  await waitFor('every accepted dossier at the broker', () => [...accepted].every((c) => atBroker.includes(c)), 10_000, 100);
  const deliveredTwice = target.hits.length - new Set(target.hits.map((h) => h.headers['x-event-id'])).size;
  t.pass(`${accepted.size} accepted, all delivered; repeats at the broker ${atBroker.length - new Set(atBroker).size}, at the target ${deliveredTwice}`);
  t.ok(deliveredTwice <= 16, 'repeats at delivery only for deliveries under way at the kill (at most the prefetch)');
});
