// A CPU profile of the hub under ingest load: the hub as `npm start` runs it (default log level, relay on) with
// `node --cpu-prof`, autocannon on canonical ingest with a distinct dossier per request, then the summary.
//   npx tsx bench/profile.ts [seconds] [connections]   (writes bench-profile/*.cpuprofile)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ingestRequests, load, registerSource, startHub, stop } from './lib.js';
import { summarise } from './profile-summary.js';

const seconds = Number(process.argv[2] ?? 15);
const connections = Number(process.argv[3] ?? 50);
const out = path.resolve('bench-profile');
rmSync(out, { recursive: true, force: true });
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-profile-'));
const hub = await startHub({ port: 3920, dataDir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${out}`] });
try {
  const apiKey = await registerSource(3920, 'bench-tnmt', 'canonical');
  const r = await load({ url: 'http://127.0.0.1:3920', connections, duration: seconds, requests: ingestRequests('/v1/inbound/bench-tnmt', { authorization: `Bearer ${apiKey}` }) });
  console.log(`load: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms non-2xx ${r.non2xx}`);
} finally {
  await stop(hub);
  rmSync(dataDir, { recursive: true, force: true });
}
const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'))!;
console.log(summarise(JSON.parse(readFileSync(path.join(out, file), 'utf8')), 30));
