// `npm run bench [-- --quick]`: every hub path beside its reference from ../shared/bench/, one after the other in
// one run, same load generator (autocannon) and settings; prints one table of figures and ratios.
// Needs RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672) and PostgreSQL (PG_ADMIN_URL, default
// postgres://postgres@127.0.0.1:5432/postgres: a database of the run's own is created and dropped). Not part of npm test.
// `--only=pg`: only the PostgreSQL rows with their references (ideal-store, the SQLite hub's canonical ingest).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import {
  SHARED_BENCH, codeFor, ingestRequests, load, registerSource, rssSampler, startHub, startProcess, stop, subscriber, type LoadResult,
} from './lib.js';
import { pgIngest } from './pg.js';
import { drain } from './relay.js';
import { SCALE_FROM, SCALE_TO, loadScaleStore } from './scale.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only !== undefined && only !== 'pg') throw new Error(`--only=${only}: only --only=pg is known`);
const C = 50;
const D = quick ? 5 : 15;
/** Seconds of load before a hub is measured: the first requests pay JIT compilation and tsx's loading. */
const WARM = quick ? 2 : 5;
const DRAIN_ROWS = quick ? 20_000 : 50_000;
const SCALE_N = quick ? 50_000 : 1_000_000;
const SAMPLES = path.join(SHARED_BENCH, '../spec/samples');

type Line = { name: string; r?: LoadResult; value?: string; ref?: string; ratio?: number; target?: string; met?: boolean };
const lines: Line[] = [];
const loads: string[] = [];
const note = (what: string) => { loads.push(`${what}: load ${loadavg()[0]!.toFixed(1)}`); console.error(`… ${what} (load average ${loadavg()[0]!.toFixed(1)})`); };

async function sat(url: string, requests: autocannon.Request[], duration = D): Promise<LoadResult> {
  return load({ url, connections: C, duration, requests });
}
/** Half of a measured saturation rate, spread over the same connections. */
async function half(url: string, requests: autocannon.Request[], rps: number): Promise<LoadResult> {
  return load({ url, connections: C, duration: D, overallRate: Math.max(1, Math.round(rps / 2)), requests });
}
async function reference(script: string, port: number, label: string): Promise<{ s: LoadResult; h: LoadResult }> {
  note(label);
  const p = await startProcess('node', [path.join(SHARED_BENCH, script), String(port)], {}, /ready/);
  try {
    const url = `http://127.0.0.1:${port}`;
    const s = await sat(url, ingestRequests('/ingest', {}));
    const h = await half(url, ingestRequests('/ingest', {}, 5_000_000), s.rps);
    return { s, h };
  } finally { await stop(p); }
}
const pct = (x: number) => `${x.toFixed(2)}`;

/** Bodies of the legacy formats with distinct dossiers per request: TN&MT (2 dossiers, national codes), SOAP (local numbers). */
// The canonical source serves 000.00.15.H12 (an agency has one source system): the TN&MT one serves .16.
const TNMT = readFileSync(path.join(SAMPLES, 'tnmt-goi-tin.xml'), 'utf8').replaceAll('000.00.15.H12', '000.00.16.H12');
const tnmtCode = (i: number) => codeFor(i).replace('000.00.15.H12', '000.00.16.H12');
const tnmtBody = (i: number) => TNMT.replace('000.00.16.H12-261127-0007', tnmtCode(2 * i)).replace('000.00.16.H12-261127-0008', tnmtCode(2 * i + 1)).replace('VPDK-0007', `VPDK-B${i}`);
function tnmtRequests(pathname: string, key: string, offset: number): autocannon.Request[] {
  let i = offset;
  return [{ method: 'POST', path: pathname, headers: { 'content-type': 'application/xml', authorization: `Bearer ${key}` },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: tnmtBody(i++) }) }];
}
function soapRequests(pathname: string, key: string): autocannon.Request[] {
  const xml = readFileSync(path.join(SAMPLES, 'xay-dung-tiep-nhan.xml'), 'utf8');
  let i = 0;
  return [{ method: 'POST', path: pathname, headers: { 'content-type': 'text/xml; charset=utf-8', authorization: `Bearer ${key}` },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: xml.replace('SXD-2026-004512', `SXD-B-${i++}`) }) }];
}

async function waitFor(f: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await f()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}
/** The store's main file and its WAL (not yet checkpointed pages count too: they are on disk). */
const dirBytes = (dir: string) => readdirSync(dir).filter((f) => f === 'hub.sqlite' || f === 'hub.sqlite-wal').reduce((s, f) => s + statSync(path.join(dir, f)).size, 0);

type CanonicalHub = { hub: Awaited<ReturnType<typeof startHub>>; sub: Awaited<ReturnType<typeof subscriber>>; url: string; port: number; key: string; dataDir: string };

/** The SQLite hub as `npm start` runs it, a subscriber queue bound, a canonical source registered and warmed; removed after `fn`. */
async function withCanonicalHub<T>(fn: (h: CanonicalHub) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-'));
  const port = 3931;
  const sub = await subscriber(`bench${process.pid}p${port}`);
  const hub = await startHub({ port, dataDir });
  try {
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.json(), () => ({}))) as { broker?: string }).broker === 'up', 30_000);
    const key = await registerSource(port, 'bench-canonical', 'canonical');
    const url = `http://127.0.0.1:${port}`;
    await sat(url, ingestRequests('/v1/inbound/bench-canonical', { authorization: `Bearer ${key}` }, 2_000_000), WARM);
    await waitFor(async () => (await fetch(`${url}/metrics`).then((r) => r.text(), () => '')).length > 0, 1000);
    await sub.purge();
    return await fn({ hub, sub, url, port, key, dataDir });
  } finally {
    await stop(hub);
    await sub.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function ingestAndEndToEnd(bare: LoadResult, ideal: { s: LoadResult; h: LoadResult }, idealRelay: { s: LoadResult; h: LoadResult }): Promise<LoadResult> {
  return withCanonicalHub(async ({ hub, sub, url, port, key, dataDir }) => {
    note('hub canonical ingest, saturation');
    const rss = rssSampler(hub.pid!);
    const t0 = performance.now();
    const s = await sat(url, ingestRequests('/v1/inbound/bench-canonical', { authorization: `Bearer ${key}` }));
    const accepted = s.total - s.non2xx;
    await waitFor(async () => (await sub.count()) >= accepted, 120_000);
    const e2eSeconds = (performance.now() - t0) / 1000;
    const inQueue = await sub.count();
    const e2e = inQueue / e2eSeconds;
    const ingestBytes = dirBytes(dataDir) / accepted;
    note('hub canonical ingest, half saturation');
    const before = await sub.count();
    const h = await half(url, ingestRequests('/v1/inbound/bench-canonical', { authorization: `Bearer ${key}` }, 1_000_000), s.rps);
    const lagStart = performance.now();
    await waitFor(async () => (await sub.count()) - before >= h.total - h.non2xx, 60_000);
    const tail = performance.now() - lagStart;
    const maxRss = rss.stop();
    lines.push({ name: 'bare-ingest.cjs, saturation', r: bare });
    lines.push({ name: 'ideal-store.cjs, saturation', r: ideal.s, ratio: ideal.s.rps / bare.rps, ref: 'bare-ingest' });
    lines.push({ name: 'ideal-store.cjs, half saturation', r: ideal.h });
    lines.push({ name: 'hub canonical ingest, saturation', r: s, ref: 'ideal-store', ratio: s.rps / ideal.s.rps, target: '≥ 0.5', met: s.rps / ideal.s.rps >= 0.5 });
    lines.push({ name: 'hub canonical ingest, half saturation', r: h, ref: 'ideal-store half', ratio: h.p99 / Math.max(1, ideal.h.p99), target: '(p99 ratio)' });

    note('hub TN&MT XML ingest');
    const tnmtKey = await registerSource(port, 'bench-tnmt', 'tnmt-xml', ['000.00.16.H12']);
    const x = await sat(url, tnmtRequests('/v1/inbound/bench-tnmt', tnmtKey, 300_000));
    if (x.non2xx) console.error('a TN&MT refusal:', await fetch(`${url}/v1/inbound/bench-tnmt`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${tnmtKey}` }, body: tnmtBody(390_000) }).then((r) => r.text()));
    lines.push({ name: 'hub TN&MT XML ingest (2 dossiers/req)', r: x, ref: 'hub canonical', ratio: (2 * x.rps) / s.rps, target: '(dossiers/s)' });
    note('hub SOAP ingest');
    const soapKey = await registerSource(port, 'bench-soap', 'xay-dung-soap', ['000.00.11.H12']);
    const so = await sat(url, soapRequests('/v1/soap/bench-soap', soapKey));
    lines.push({ name: 'hub SOAP ingest (Xây dựng)', r: so, ref: 'hub canonical', ratio: so.rps / s.rps });

    lines.push({ name: 'ideal-relay.cjs, saturation', r: idealRelay.s });
    lines.push({ name: 'ideal-relay.cjs, half saturation', r: idealRelay.h });
    lines.push({ name: 'hub end to end: events in queue/s', value: `${e2e.toFixed(0)} ev/s (${inQueue}/${accepted})`, ref: 'ideal-relay', ratio: e2e / idealRelay.s.rps, target: '≥ 1.0', met: e2e / idealRelay.s.rps >= 1 });
    lines.push({ name: 'hub end to end, half sat.: POST p99', value: `${h.p99} ms (queue tail ${tail.toFixed(0)} ms)`, ref: 'ideal-relay half', ratio: h.p99 / Math.max(1, idealRelay.h.p99), target: 'p99 ≤ 50 ms', met: h.p99 <= 50 });
    lines.push({ name: 'hub RSS under sustained load (max)', value: `${(maxRss / 2 ** 20).toFixed(0)} MiB`, target: '≤ 300 MB', met: maxRss <= 300e6 });
    lines.push({ name: 'bytes on disk per ingested dossier', value: `${ingestBytes.toFixed(0)} B (file + WAL; with changes, outbox)` });
    return s;
  });
}

/** `--only=pg`: the SQLite hub's canonical ingest at saturation, as ingestAndEndToEnd measures it (warmed, subscriber bound). */
function sqliteCanonical(): Promise<LoadResult> {
  return withCanonicalHub(({ url, key }) => {
    note('hub canonical ingest, saturation');
    return sat(url, ingestRequests('/v1/inbound/bench-canonical', { authorization: `Bearer ${key}` }));
  });
}

/** The PostgreSQL rows, placed right after the SQLite hub's canonical ingest rows. */
async function postgres(sqlite: LoadResult, ideal: LoadResult): Promise<void> {
  const { one, two, waits } = await pgIngest({ connections: C, duration: D, warm: WARM, ports: [3933, 3934], note });
  const rows: Line[] = [
    { name: 'hub canonical ingest on PostgreSQL, saturation', r: one, ref: 'hub canonical (SQLite)', ratio: one.rps / sqlite.rps,
      value: `${(one.rps / ideal.rps).toFixed(2)} × ideal-store` },
    { name: 'two hubs on one PostgreSQL, saturation', r: two, ref: 'one hub on PostgreSQL', ratio: two.rps / one.rps,
      value: `a ${two.each[0].rps.toFixed(0)} + b ${two.each[1].rps.toFixed(0)} req/s` },
    { name: 'PostgreSQL backends, one hub', value: waits.one },
    { name: 'PostgreSQL backends, two hubs', value: waits.two },
  ];
  const at = lines.findIndex((l) => l.name === 'hub canonical ingest, half saturation');
  lines.splice(at < 0 ? lines.length : at + 1, 0, ...rows);
}

async function drainVsLimit(): Promise<void> {
  note(`outbox drain ${DRAIN_ROWS}`);
  const rate = await drain(DRAIN_ROWS);
  note(`amqp-limit ${DRAIN_ROWS}`);
  const out = execFileSync('node', [path.join(SHARED_BENCH, 'amqp-limit.cjs'), String(DRAIN_ROWS)], { encoding: 'utf8' });
  const limit = JSON.parse(out.trim().split('\n').at(-1)!) as { perSecond: number };
  lines.push({ name: `amqp-limit.cjs ${DRAIN_ROWS}`, value: `${limit.perSecond.toFixed(0)} msg/s` });
  lines.push({ name: `hub outbox drain ${DRAIN_ROWS} rows`, value: `${rate.toFixed(0)} ev/s`, ref: 'amqp-limit', ratio: rate / limit.perSecond, target: '≥ 0.7', met: rate / limit.perSecond >= 0.7 });
}

async function scale(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-bench-scale-'));
  try {
    note(`loading ${SCALE_N} dossiers`);
    const { sample, seconds, bytes } = await loadScaleStore(dir, SCALE_N);
    const port = 3932;
    const hub = await startHub({ port, dataDir: dir, env: { HUB_RELAY: 'off' } });
    try {
      const key = await registerSource(port, 'bench-platform', 'canonical', ['000.00.99.H12'], 'platform');
      const url = `http://127.0.0.1:${port}`;
      const auth = { authorization: `Bearer ${key}` };
      let i = 0;
      // Latency of one request at a time (at saturation p99 is queueing, not the store's answer time).
      const serial = (requests: autocannon.Request[]) => load({ url, connections: 1, duration: D, requests });
      note('GET /v1/dossiers/{code}');
      const get = await serial( [{ method: 'GET', path: '/', headers: auth, setupRequest: (r: autocannon.Request) => ({ ...r, path: `/v1/dossiers/${sample[i++ % sample.length]}` }) }]);
      note('feed pages');
      const cursor = (a: number) => Buffer.from(JSON.stringify({ a })).toString('base64url');
      const feed = await serial([{ method: 'GET', path: '/', headers: auth, setupRequest: (r: autocannon.Request) => ({ ...r, path: `/v1/dossiers?limit=100&cursor=${cursor(Math.floor(Math.random() * (SCALE_N - 100)))}` }) }]);
      note('on-time report');
      const times: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        const res = await fetch(`${url}/v1/stats/ontime?from=${encodeURIComponent(SCALE_FROM)}&to=${encodeURIComponent(SCALE_TO)}`, { headers: auth });
        if (!res.ok) throw new Error(`ontime ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const n = SCALE_N.toLocaleString('en');
      lines.push({ name: `scale store: ${n} dossiers loaded`, value: `${seconds.toFixed(0)} s, ${(bytes / SCALE_N).toFixed(0)} B/dossier` });
      lines.push({ name: `GET /v1/dossiers/{code} @ ${n}, 1 conn.`, r: get, target: 'p99 ≤ 5 ms', met: get.p99 <= 5 && get.non2xx === 0 });
      lines.push({ name: `feed page limit=100 @ ${n}, 1 conn.`, r: feed, target: 'p99 ≤ 20 ms', met: feed.p99 <= 20 && feed.non2xx === 0 });
      lines.push({ name: `on-time report, whole year @ ${n}`, value: `median ${times[2]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms` });
    } finally { await stop(hub); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

function table(): string {
  const head = '| measurement | req/s | p50 ms | p99 ms | non-2xx | figure | vs | ratio | target |';
  const out = [head, '| --- | --: | --: | --: | --: | --- | --- | --: | --- |'];
  for (const l of lines) {
    const r = l.r;
    const met = l.met === undefined ? '' : l.met ? ' ✔' : ' ✘';
    out.push(`| ${l.name} | ${r ? r.rps.toFixed(0) : ''} | ${r ? r.p50 : ''} | ${r ? r.p99 : ''} | ${r ? r.non2xx + r.errors : ''} | ${l.value ?? ''} | ${l.ref ?? ''} | ${l.ratio === undefined ? '' : pct(l.ratio)} | ${l.target ?? ''}${met} |`);
  }
  return out.join('\n');
}

const started = Date.now();
if (only === 'pg') {
  note('ideal-store.cjs');
  const p = await startProcess('node', [path.join(SHARED_BENCH, 'ideal-store.cjs'), '3922'], {}, /ready/);
  const ideal = await sat('http://127.0.0.1:3922', ingestRequests('/ingest', {})).finally(() => stop(p));
  lines.push({ name: 'ideal-store.cjs, saturation', r: ideal });
  const s = await sqliteCanonical();
  lines.push({ name: 'hub canonical ingest, saturation', r: s, ref: 'ideal-store', ratio: s.rps / ideal.rps });
  await postgres(s, ideal);
} else {
  const bare = await reference('bare-ingest.cjs', 3921, 'bare-ingest.cjs');
  const ideal = await reference('ideal-store.cjs', 3922, 'ideal-store.cjs');
  const idealRelay = await reference('ideal-relay.cjs', 3923, 'ideal-relay.cjs');
  const s = await ingestAndEndToEnd(bare.s, ideal, idealRelay);
  await postgres(s, ideal.s);
  await drainVsLimit();
  await scale();
}
const args = [quick ? '--quick' : '', only ? `--only=${only}` : ''].filter(Boolean).join(' ');
console.log(`\n${only ? `npx tsx bench/run.ts ${args}` : `npm run bench${args ? ` -- ${args}` : ''}`}: autocannon -c ${C} -d ${D} per measurement (warm-up ${WARM} s before each hub), a distinct dossier per request; `
  + (only ? 'two hubs: two autocannon runs at once, -c ' + C / 2 + ' each, rates summed, p50/p99 the worse' : `drain ${DRAIN_ROWS.toLocaleString('en')} rows; scale store ${SCALE_N.toLocaleString('en')} dossiers${quick ? ' (quick: shorter runs, smaller store and drain)' : ''}`));
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}; ${((Date.now() - started) / 1000).toFixed(0)} s; ${loads.join('; ')}\n`);
console.log(table());
