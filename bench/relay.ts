// The relay's figures beside the bare tools it is built on (../shared/bench/README.md), in one run:
//  1. drain rate of a 50,000-row outbox into <p>.events (a quorum queue bound to it) vs amqp-limit.cjs 50000;
//  2. end to end, POST accepted → event in a subscriber's quorum queue, with autocannon, vs ideal-relay.cjs.
// Run from the project root: npx tsx bench/relay.ts [connections] [seconds] [rows]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import pino from 'pino';
import { SHARED_BENCH, codeFor, load, row, startProcess, stop, subscriber } from './lib.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { Registry } from '../src/systems/registry.js';
import { Relay } from '../src/relay/index.js';
import { createMetrics } from '../src/ops/metrics.js';
import { loadConfig } from '../src/config.js';
import { formatVn } from '../src/util/time.js';
import type { Dossier } from '../src/canonical/types.js';

const connections = Number(process.argv[2] ?? 50);
const duration = Number(process.argv[3] ?? 20);
const ROWS_ARG = Number(process.argv[4] ?? 50_000);
const ADMIN = 'bench-admin-token-0123456789abcdef0123456789';
const payload = JSON.parse(readFileSync(path.join(SHARED_BENCH, 'dossier.json'), 'utf8'));


export async function drain(ROWS: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-bench-relay-'));
  mkdirSync(path.join(dir, 'config'));
  const prefix = `benchdrain${process.pid}`;
  const store = openSqliteStore(dir);
  try {
    // Fill the outbox through the store's own commit path (group commit: one transaction per event-loop turn).
    const filled = performance.now();
    const now = Date.now();
    const updatedAt = formatVn(now);
    for (let i = 0; i < ROWS; i += 2000) {
      await Promise.all(Array.from({ length: Math.min(2000, ROWS - i) }, (_, j) => {
        const code = codeFor(i + j);
        const d = { ...payload, code, revision: 1, updatedAt } as Dossier;
        return store.commit({
          source: 'bench', ref: { code }, payloadSha256: 'x', canonicalSha256: code, correlationId: code, now,
          decide: () => [{ dossier: d, type: 'dossier.received', previousStatus: null }], validate: () => {},
        });
      }));
    }
    console.log(`outbox filled: ${ROWS} rows in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
    const sub = await subscriber(prefix);
    const config = loadConfig({}, { dataDir: dir, configDir: path.join(dir, 'config'), amqpPrefix: prefix, relay: true, logLevel: 'warn' });
    const registry = new Registry(store, 'bench-key-secret-0123456789abcdef');
    await registry.load();
    const relay = new Relay({ config, log: pino({ level: 'warn' }), store, registry, metrics: createMetrics() });
    // Done when every row is marked relayed (counted as marked: polling COUNT(*) of the backlog would compete
    // with the relay for the event loop).
    let marked = 0;
    const markRelayed = store.markRelayed.bind(store);
    store.markRelayed = async (seqs) => { await markRelayed(seqs); marked += seqs.length; };
    const t0 = performance.now();
    relay.start();
    while (marked < ROWS) await new Promise((r) => setTimeout(r, 10));
    const seconds = (performance.now() - t0) / 1000;
    const delivered = await sub.count();
    await relay.close();
    await sub.remove();
    const rate = ROWS / seconds;
    console.log(`relay drain: ${ROWS} rows in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} events/s (subscriber queue holds ${delivered})`);
    return rate;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function requests(pathname: string, headers: Record<string, string>): autocannon.Request[] {
  let i = 0;
  return [{
    method: 'POST', path: pathname, headers: { 'content-type': 'application/json', ...headers },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...payload, code: codeFor(i++) }) }),
  }];
}

async function endToEnd(): Promise<void> {
  const ideal = await startProcess('node', [path.join(SHARED_BENCH, 'ideal-relay.cjs'), '3903'], {}, /ready/);
  const ref = await load({ url: 'http://127.0.0.1:3903', connections, duration, requests: requests('/ingest', {}) });
  await stop(ideal);
  console.log(row('ideal-relay.cjs (reference)', ref));

  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-e2e-'));
  const prefix = `benche2e${process.pid}`;
  const sub = await subscriber(prefix);
  const hub = spawn('node', ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: '3904', HUB_DATA_DIR: dataDir, HUB_ADMIN_TOKEN: ADMIN, HUB_CONFIG_DIR: path.join(dataDir, 'config'), LOG_LEVEL: 'warn', AMQP_PREFIX: prefix },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    // Ready once /readyz says the broker is up (the hub logs nothing at warn level when it starts).
    for (let i = 0; ; i++) {
      const ready = await fetch('http://127.0.0.1:3904/readyz').then((r) => r.json() as Promise<{ broker: string }>).catch(() => undefined);
      if (ready?.broker === 'up') break;
      if (i > 300) throw new Error('the hub did not become ready');
      await new Promise((res) => setTimeout(res, 100));
    }
    const reg = await fetch('http://127.0.0.1:3904/v1/admin/systems', {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'bench-tnmt', name: 'bench', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null }),
    });
    const { apiKey } = (await reg.json()) as { apiKey: string };
    const t0 = performance.now();
    const r = await load({ url: 'http://127.0.0.1:3904', connections, duration, requests: requests('/v1/inbound/bench-tnmt', { authorization: `Bearer ${apiKey}` }) });
    const loadEnd = performance.now();
    const accepted = r.total - r.non2xx;
    let inQueue = 0;
    const deadline = Date.now() + 120_000;
    while ((inQueue = await sub.count()) < accepted && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    const seconds = (performance.now() - t0) / 1000;
    console.log(row('hub ingest (relay on)', r, ref));
    const e2e = inQueue / seconds;
    console.log(`hub end to end: ${inQueue}/${accepted} accepted events in the subscriber queue ${seconds.toFixed(2)} s after the load began `
      + `(${((performance.now() - loadEnd) / 1000).toFixed(2)} s after it ended) = ${e2e.toFixed(0)} events/s  ratio ${(e2e / ref.rps).toFixed(2)} of ideal-relay`);
  } finally {
    await stop(hub);
    await sub.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const ROWS = ROWS_ARG;
  console.log(`relay benchmark: ${ROWS}-row outbox drain; end to end with autocannon -c ${connections} -d ${duration}`);
  const rate = await drain(ROWS);
  const limitOut = execFileSync('node', [path.join(SHARED_BENCH, 'amqp-limit.cjs'), String(ROWS)], { encoding: 'utf8' });
  const limit = JSON.parse(limitOut.trim().split('\n').at(-1)!) as { perSecond: number; seconds: number };
  console.log(`amqp-limit.cjs ${ROWS}: ${limit.perSecond} msgs/s (${limit.seconds} s)  → relay drain ratio ${(rate / limit.perSecond).toFixed(2)}`);
  await endToEnd();
}

// DRAIN_ONLY=1 runs the drain part alone; imported (bench/run.ts), nothing runs.
if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.env.DRAIN_ONLY) await drain(ROWS_ARG);
  else await main();
}
