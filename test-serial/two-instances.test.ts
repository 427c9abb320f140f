// Issue 14 "Done when": two hub processes (`node --import tsx src/server.ts`, as `npm start` runs it) on one
// PostgreSQL database and one RabbitMQ vhost of this test's own, on different ports, sharing HUB_SECRETS_DIR:
// codes issued gapless across both, concurrent updates of one dossier gapless, a registration on one seen by the
// other within 1 s, the change feed paged from one while both write never skips or repeats, every change in a
// subscriber queue in revision order per dossier, and the relay's lease holder SIGKILLed under load with nothing
// that got a 2xx lost and its relay duty taken over. Serial: it kills a process.
import t from 'tap';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import amqp, { type ConsumeMessage } from 'amqplib';
import pg from 'pg';
import { ADMIN_TOKEN, dossier } from '../test/helpers/hub.js';
import { tempDatabase } from '../test/helpers/pg.js';
import { freePort } from '../test/helpers/net.js';
import { waitFor } from '../test/relay/helpers.js';
import { LOCK } from '../src/store/pg/db.js';

t.setTimeout(600_000);

const ROOT = path.resolve(import.meta.dirname, '..');
const AGENCY = '000.00.15.H12';
const DAY = '2026-11-27T08:15:00+07:00';

interface Instance { name: string; port: number; base: string; child: ChildProcess; stderr: string[] }

function vhost(t: { teardown(fn: () => void): void }): string {
  const name = `lgsp_two_${randomBytes(4).toString('hex')}`;
  execFileSync('rabbitmqctl', ['add_vhost', name], { stdio: 'pipe' });
  execFileSync('rabbitmqctl', ['set_permissions', '-p', name, 'guest', '.*', '.*', '.*'], { stdio: 'pipe' });
  t.teardown(() => { execFileSync('rabbitmqctl', ['delete_vhost', name], { stdio: 'pipe' }); });
  return name;
}

async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const stderr: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), HUB_PUBLIC_URL: `http://127.0.0.1:${port}` },
  });
  child.stderr!.on('data', (b: Buffer) => { stderr.push(String(b)); if (stderr.length > 200) stderr.shift(); });
  const inst = { name, port, base: `http://127.0.0.1:${port}`, child, stderr };
  await waitFor(`${name} to listen`, async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr.join('')}`);
    return (await fetch(`${inst.base}/healthz`).catch(() => undefined))?.ok;
  }, 120_000, 100);
  return inst;
}

async function stop(i: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (i.child.exitCode !== null || i.child.signalCode !== null) return;
  const exited = new Promise((r) => i.child.once('exit', r));
  i.child.kill(signal);
  await exited;
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function post(i: Instance, key: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${i.base}/v1/inbound/src-sys`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

/** Runs `count` jobs with `width` at a time; answers in job order. */
async function pool<T>(count: number, width: number, job: (n: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      const n = next++;
      out[n] = await job(n);
    }
  }));
  return out;
}

t.test('two hub processes on one PostgreSQL database and one broker', async (t) => {
  const dbUrl = await tempDatabase(t);
  const vh = vhost(t);
  const amqpUrl = `amqp://guest:guest@127.0.0.1:5672/${vh}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-two-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir);
  const prefix = 'two';
  const common = {
    HUB_CONFIG_DIR: configDir, HUB_SECRETS_DIR: path.join(dir, 'secrets'), HUB_ADMIN_TOKEN: ADMIN_TOKEN, AMQP_URL: amqpUrl, AMQP_PREFIX: prefix,
    LOG_LEVEL: 'warn', HUB_DB_POOL: '8',
  };
  const envFor = (name: string) => ({ ...common, HUB_DATA_DIR: path.join(dir, name), DATABASE_URL: `${dbUrl}?application_name=hub-${name}` });

  // The subscriber queue, bound before anything is written: every change must reach it.
  const conn = await amqp.connect(amqpUrl);
  t.teardown(() => conn.close().catch(() => {}));
  const ch = await conn.createChannel();
  await ch.assertExchange(`${prefix}.events`, 'topic', { durable: true });
  await ch.assertQueue('subscriber', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue('subscriber', `${prefix}.events`, 'dossier.#');
  const received: { id: string; code: string; revision: number }[] = [];
  await ch.consume('subscriber', (m: ConsumeMessage | null) => {
    if (!m) return;
    received.push({ id: String(m.properties.messageId), code: String(m.properties.headers?.['x-dossier-code']), revision: Number(m.properties.headers?.['x-revision']) });
  }, { noAck: true });

  // Both start at the same moment: migrations under the lock, the shared secrets created once.
  const instances = await Promise.all([startInstance('a', envFor('a')), startInstance('b', envFor('b'))]);
  t.teardown(async () => { for (const i of instances) await stop(i, 'SIGKILL'); });
  const [a, b] = instances as [Instance, Instance];
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  t.teardown(() => db.end());

  // ---- a registration on A: authenticates on A at once, on B within 1 s ----------------------------------------
  const reg = await fetch(`${a.base}/v1/admin/systems`, {
    method: 'POST', headers: admin,
    body: JSON.stringify({ id: 'src-sys', name: 'Nguồn', adapter: 'canonical', role: 'source', level: 'province', agencies: [AGENCY], delivery: { mode: 'none' }, subscriptions: [], mapping: null }),
  });
  const registeredAt = Date.now();
  t.equal(reg.status, 201);
  const key = String(((await reg.json()) as { apiKey: string }).apiKey);
  const feedOn = (i: Instance, cursor = '') => fetch(`${i.base}/v1/dossiers?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
  t.equal((await feedOn(a)).status, 200, 'A, which answered the registration, knows the key at once');
  // At most ~19 refusals before the first success (100 ms apart): below the failed-login limit of 20.
  let seenOnB: number | undefined;
  while (Date.now() - registeredAt < 1900) {
    const res = await feedOn(b);
    await res.arrayBuffer();
    if (res.status === 200) { seenOnB = Date.now() - registeredAt; break; }
    t.equal(res.status, 401, 'B refuses the unknown key until it knows it');
    await new Promise((r) => setTimeout(r, 100));
  }
  t.comment(`the key authenticated on B ${seenOnB} ms after A's 2xx`);
  t.ok(seenOnB !== undefined && seenOnB <= 1000, `B knows the key within 1 s (${seenOnB} ms)`);

  // ---- the feed paged from A while both write --------------------------------------------------------------------
  let writing = true;
  const seenInFeed = new Map<string, number>(); // code → last revision the reader saw
  const feedRepeats: string[] = [];
  let cursor = '';
  const readPage = async () => {
    const res = await feedOn(a, cursor);
    if (res.status !== 200) throw new Error(`feed ${res.status}: ${await res.text()}`);
    const page = await res.json() as { items: { code: string; revision: number }[]; nextCursor: string };
    for (const d of page.items) {
      const before = seenInFeed.get(d.code);
      if (before !== undefined && d.revision <= before) feedRepeats.push(`${d.code}@${d.revision} after @${before}`);
      seenInFeed.set(d.code, d.revision);
    }
    cursor = page.nextCursor;
    return page.items.length;
  };
  const reader = (async () => {
    while (writing) {
      if (!(await readPage())) await new Promise((r) => setTimeout(r, 5));
    }
    while (await readPage());
  })();

  // ---- 400 dossiers with local numbers only, half to each, at once --------------------------------------------
  const created = await pool(400, 32, (n) => post(n % 2 ? b : a, key, dossier({ code: undefined, receiptNumber: undefined, altCodes: [{ system: 'src-sys', code: `L-${n}` }], receivedAt: DAY })));
  t.same(created.filter((r) => r.status !== 202).map((r) => r.json), [], 'every one accepted');
  const codes = created.map((r) => String(r.json.dossierCode));
  t.equal(new Set(codes).size, 400, '400 distinct codes');
  const numbers = codes.map((c) => Number(c.slice(c.lastIndexOf('-') + 1))).sort((x, y) => x - y);
  t.same(numbers, Array.from({ length: 400 }, (_, i) => i + 1), 'sequences gapless: each the last issued plus one');
  t.ok(codes.every((c) => c.startsWith(`${AGENCY}-261127-`)), 'per agency and day');

  // ---- 50 concurrent updates of one dossier, split across both --------------------------------------------------
  const target = codes[0]!;
  const updates = await pool(50, 50, (n) => post(n % 2 ? b : a, key, dossier({ code: target, receiptNumber: undefined, altCodes: [{ system: 'src-sys', code: 'L-0' }], receivedAt: DAY, summary: `Cập nhật lần ${n}` })));
  t.same(updates.filter((r) => r.status !== 202).map((r) => r.json), [], 'every update accepted');
  t.same(updates.map((r) => Number(r.json.revision)).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i + 2), 'revisions 2–51');
  writing = false;
  await reader;
  t.same(feedRepeats, [], 'the feed never repeated a change');
  const missed = codes.filter((c) => seenInFeed.get(c) !== (c === target ? 51 : 1));
  t.same(missed, [], 'the feed skipped no change: every dossier seen at its latest revision');

  // ---- the relay's lease holder SIGKILLed under load -------------------------------------------------------------
  const holder = async () => (await db.query<{ app: string }>(`SELECT a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = $1 AND l.granted`, [LOCK.relay])).rows[0]?.app;
  const leader = await waitFor('a relay lease holder', holder, 30_000, 100);
  const victim = leader === 'hub-a' ? a : b;
  const survivor = victim === a ? b : a;
  t.comment(`the relay lease is held by ${leader}; killing it`);
  const accepted = new Set<string>();
  let answered = 0;
  let unanswered = 0;
  let n = 1000;
  let loading = true;
  const load = Promise.all(Array.from({ length: 8 }, async (_, w) => {
    while (loading) {
      const i = w % 2 ? b : a;
      const local = `L-${n++}`;
      try {
        const r = await post(i, key, dossier({ code: undefined, receiptNumber: undefined, altCodes: [{ system: 'src-sys', code: local }], receivedAt: DAY }));
        answered++;
        if (r.status === 202) accepted.add(String(r.json.dossierCode));
        else t.fail(`${i.name} answered ${r.status}: ${JSON.stringify(r.json)}`);
      } catch {
        unanswered++; // the killed instance: no answer, no promise
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }));
  await waitFor('load before the kill', () => accepted.size >= 150, 120_000, 20);
  await stop(victim, 'SIGKILL');
  const atKill = accepted.size;
  await waitFor('load after the kill', () => accepted.size >= atKill + 150, 120_000, 20);
  loading = false;
  await load;
  t.comment(`${answered} answered (${accepted.size} accepted, ${atKill} before the kill), ${unanswered} without an answer`);
  t.equal(await waitFor('the survivor to take the relay lease', async () => (await holder()) === `hub-${survivor.name}`, 30_000, 100), true, 'relay duty taken over');

  // Every 2xx dossier stored; every change in the subscriber queue, in revision order per dossier.
  const storedRows = (await db.query<{ code: string; revision: number }>('SELECT code, revision FROM dossiers')).rows;
  const stored = new Map(storedRows.map((r) => [r.code, Number(r.revision)]));
  t.same([...accepted].filter((c) => !stored.has(c)), [], 'no 2xx dossier lost');
  t.same([...accepted, ...codes].filter((c) => stored.get(c) !== (c === target ? 51 : 1)), [], 'each stored once, at its revision');
  const changes = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM changes')).rows[0]!.n);
  await waitFor('every change in the subscriber queue', () => new Set(received.map((m) => m.id)).size >= changes, 120_000, 100);
  await waitFor('the outbox drained', async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE relayed_at IS NULL')).rows[0]!.n) === 0, 60_000, 100);
  const firstSeen = new Map<string, number[]>();
  const ids = new Set<string>();
  for (const m of received) {
    if (ids.has(m.id)) continue; // at least once: a republished event keeps its id
    ids.add(m.id);
    firstSeen.set(m.code, [...(firstSeen.get(m.code) ?? []), m.revision]);
  }
  t.equal(ids.size, changes, 'every change reached the subscriber, none invented');
  const outOfOrder = [...firstSeen].filter(([code, revs]) => revs.join() !== Array.from({ length: stored.get(code) ?? 0 }, (_, i) => i + 1).join());
  t.same(outOfOrder.map(([c, r]) => `${c}: ${r.join(',')}`), [], 'each dossier\'s changes arrived in revision order, every revision once at least');
  t.comment(`${received.length} messages for ${changes} changes (${received.length - changes} published again after the take-over)`);
  t.ok(survivor.child.exitCode === null, 'the survivor kept running');
  await stop(survivor);
});
