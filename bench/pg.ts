// The PostgreSQL rows of `npm run bench` (issue 14): canonical ingest of one hub on PostgreSQL beside the SQLite
// hub, and two hub processes on one PostgreSQL database beside one. The two instances run as `npm start` would
// run them behind a load balancer: different ports, one DATABASE_URL, a shared HUB_SECRETS_DIR and config folder,
// the same AMQP_URL and prefix, the relay on in both. autocannon targets one URL, so the two-instance load is two
// autocannon runs at once, each with half the connections: rates summed, latency the worse of the two.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type autocannon from 'autocannon';
import pg from 'pg';
import { codeFor, ingestRequests, payload, load, registerSource, startHub, stop, subscriber, type LoadResult } from './lib.js';

const ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

/** A database of the bench's own, dropped by `drop()` (also called on SIGINT/SIGTERM while it exists). */
export async function benchDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `lgsp_bench_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  const onSignal = () => { void drop().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop };
}

/** Two loads at once on two instances, `connections` split between them: rates, totals and refusals summed, p50/p99 the worse. */
export async function loadBoth(urls: [string, string], requests: [autocannon.Request[], autocannon.Request[]], connections: number, duration: number): Promise<LoadResult & { each: [LoadResult, LoadResult] }> {
  const c = Math.max(1, Math.round(connections / 2));
  const [a, b] = await Promise.all([0, 1].map((k) => load({ url: urls[k]!, connections: c, duration, requests: requests[k]! }))) as [LoadResult, LoadResult];
  return {
    rps: a.rps + b.rps, p50: Math.max(a.p50, b.p50), p99: Math.max(a.p99, b.p99),
    non2xx: a.non2xx + b.non2xx, errors: a.errors + b.errors, total: a.total + b.total, each: [a, b],
  };
}

async function waitFor(what: string, f: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await f().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * What the database's backends are doing, sampled every 100 ms from pg_stat_activity while `stop()` is not called:
 * the share of backend samples per wait (`Lock:advisory`, `IO:WALSync`, `Client:ClientRead` = waiting for the hub,
 * `CPU` = active without a wait event), largest first.
 */
function waitSampler(url: string): { stop(): Promise<string> } {
  const c = new pg.Client({ connectionString: url });
  const counts = new Map<string, number>();
  let total = 0;
  let running = true;
  const done = (async () => {
    await c.connect();
    while (running) {
      const { rows } = await c.query<{ w: string; n: number }>(`SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' GROUP BY 1`);
      for (const r of rows) { counts.set(r.w, (counts.get(r.w) ?? 0) + r.n); total += r.n; }
      await new Promise((r) => setTimeout(r, 100));
    }
    await c.end();
  })();
  return {
    async stop() {
      running = false;
      await done.catch(() => {});
      return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([w, n]) => `${w} ${((100 * n) / Math.max(1, total)).toFixed(0)} %`).join(', ');
    },
  };
}

export interface PgResult { one: LoadResult; two: LoadResult & { each: [LoadResult, LoadResult] }; waits: { one: string; two: string }; database: string }

/**
 * One hub on a fresh PostgreSQL database, warmed then measured at saturation; then a second hub on the same
 * database, both warmed, then both measured at once. `note` prints what runs with the load average.
 */
export async function pgIngest(o: { connections: number; duration: number; warm: number; ports: [number, number]; note(what: string): void }): Promise<PgResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-bench-pg-'));
  const db = await benchDatabase();
  const [pa, pb] = o.ports;
  const prefix = `bench${process.pid}pg`;
  const children: ChildProcess[] = [];
  const sub = await subscriber(prefix);
  try {
    mkdirSync(path.join(dir, 'config'));
    const shared = {
      DATABASE_URL: db.url, HUB_SECRETS_DIR: path.join(dir, 'secrets'), HUB_CONFIG_DIR: path.join(dir, 'config'), AMQP_PREFIX: prefix,
    };
    const start = async (name: string, port: number) => {
      const hub = await startHub({ port, dataDir: path.join(dir, name), env: { ...shared, HUB_PUBLIC_URL: `http://127.0.0.1:${port}` } });
      children.push(hub);
      await waitFor(`hub ${name} broker`, async () => ((await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { broker?: string }).broker === 'up', 60_000);
      return `http://127.0.0.1:${port}`;
    };
    const a = await start('a', pa);
    const key = await registerSource(pa, 'bench-canonical', 'canonical');
    const auth = { authorization: `Bearer ${key}` };
    const at = (offset: number) => ingestRequests('/v1/inbound/bench-canonical', auth, offset);

    await load({ url: a, connections: o.connections, duration: o.warm, requests: at(12_000_000) });
    await sub.purge();
    o.note('hub canonical ingest on PostgreSQL, saturation');
    let w = waitSampler(db.url);
    const one = await load({ url: a, connections: o.connections, duration: o.duration, requests: at(10_000_000) });
    const waitsOne = await w.stop();

    const b = await start('b', pb);
    // The key registered on A authenticates on B (notification, within 1 s): wait for it before loading B.
    let probe = 17_000_000;
    await waitFor('the key on hub b', async () => (await fetch(`${b}/v1/inbound/bench-canonical`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ ...payload, code: codeFor(probe++) }),
    })).ok, 30_000);
    await loadBoth([a, b], [at(13_000_000), at(14_000_000)], o.connections, o.warm);
    await sub.purge();
    o.note('two hubs on one PostgreSQL, saturation');
    w = waitSampler(db.url);
    const two = await loadBoth([a, b], [at(15_000_000), at(16_000_000)], o.connections, o.duration);
    return { one, two, waits: { one: waitsOne, two: await w.stop() }, database: db.name };
  } finally {
    for (const c of children) await stop(c).catch(() => {});
    await sub.remove().catch(() => {});
    await db.drop().catch((err: unknown) => console.error(`dropping ${db.name}:`, err));
    rmSync(dir, { recursive: true, force: true });
  }
}
