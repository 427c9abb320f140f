// Ingest throughput of POST /v1/inbound/{system} (canonical adapter, a distinct dossier per request) beside
// ../shared/bench/bare-ingest.cjs (Fastify + schema validation, no store), same load generator and settings.
// Run from the project root: npx tsx bench/ingest.ts [connections] [seconds]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { SHARED_BENCH, codeFor, load, row, startProcess, stop } from './lib.js';

const connections = Number(process.argv[2] ?? 50);
const duration = Number(process.argv[3] ?? 20);
const payload = JSON.parse(readFileSync(path.join(SHARED_BENCH, 'dossier.json'), 'utf8'));
const ADMIN = 'bench-admin-token-0123456789abcdef0123456789';


function requests(pathname: string, headers: Record<string, string>): autocannon.Request[] {
  let i = 0;
  return [{
    method: 'POST' as const, path: pathname, headers: { 'content-type': 'application/json', ...headers },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...payload, code: codeFor(i++) }) }),
  }];
}

async function main(): Promise<void> {
  console.log(`ingest benchmark: autocannon -c ${connections} -d ${duration}, a distinct dossier per request`);
  const bare = await startProcess('node', [path.join(SHARED_BENCH, 'bare-ingest.cjs'), '3901'], {}, /ready/);
  const ref = await load({ url: 'http://127.0.0.1:3901', connections, duration, requests: requests('/ingest', {}) });
  await stop(bare);
  console.log(row('bare-ingest.cjs (reference)', ref));

  for (const relay of ['off', 'on'] as const) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-'));
    const hub = await startProcess('node', ['--import', 'tsx', 'src/server.ts'], {
      PORT: '3902', HUB_DATA_DIR: dataDir, HUB_ADMIN_TOKEN: ADMIN, HUB_CONFIG_DIR: path.join(dataDir, 'config'), LOG_LEVEL: 'warn',
      HUB_RELAY: relay, AMQP_PREFIX: `bench${process.pid}`,
    }, 'http://127.0.0.1:3902/healthz');
    try {
      const reg = await fetch('http://127.0.0.1:3902/v1/admin/systems', {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'bench-tnmt', name: 'bench', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null }),
      });
      const { apiKey } = (await reg.json()) as { apiKey: string };
      const r = await load({ url: 'http://127.0.0.1:3902', connections, duration, requests: requests('/v1/inbound/bench-tnmt', { authorization: `Bearer ${apiKey}` }) });
      console.log(row(`hub ingest, relay ${relay}`, r, ref));
    } finally {
      await stop(hub);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

await main();
