// Benchmark of the on-time report (issue 5): a 1,000,000-dossier SQLite store, then province-wide reports
// (no filter, groupBy agency, groupBy month, groupBy procedure, one agency) timed several times each.
//   npx tsx bench/ontime.ts            (BENCH_N=1000000, BENCH_RUNS=5; BENCH_DIR=… keeps and reuses the store)
// Not part of npm test.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { parseRfc3339 } from '../src/util/time.js';
import type { OntimeQuery } from '../src/stats/types.js';
import { agencyCode, insertRows, synthRows } from '../test/stats/synthetic.js';

const N = Number(process.env.BENCH_N ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const keep = process.env.BENCH_DIR;
const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'bench-ontime-'));
const file = path.join(dir, 'hub.sqlite');
const FROM = parseRfc3339('2026-01-01T00:00:00+07:00')!;
const TO = parseRfc3339('2027-01-01T00:00:00+07:00')!;

// The schema through the store's own migrations, then a bulk load straight into the tables.
const fresh = !existsSync(file);
(await openSqliteStore(dir).close());
if (fresh) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const t0 = performance.now();
  insertRows(db, synthRows({ seed: 20261127, count: N, from: FROM, to: TO, agencies: 50, procedures: 30 }), { docPad: 600 });
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(`loaded ${N.toLocaleString('en')} dossiers in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB)`);
} else {
  console.log(`reusing ${file}`);
}

const store = openSqliteStore(dir);
const now = parseRfc3339('2026-09-15T10:00:00+07:00')!; // a report run mid-year: some open dossiers are overdue
const base: OntimeQuery = { from: FROM, to: TO, end: Math.min(TO, now) };
const cases: [string, OntimeQuery][] = [
  ['province-wide, no filter', base],
  ['province-wide, groupBy agency', { ...base, groupBy: 'agency' }],
  ['province-wide, groupBy month', { ...base, groupBy: 'month' }],
  ['province-wide, groupBy procedure', { ...base, groupBy: 'procedure' }],
  ['one agency, groupBy month', { ...base, agency: agencyCode(3), groupBy: 'month' }],
  ['one month (2026-11), no filter', { ...base, from: parseRfc3339('2026-11-01T00:00:00+07:00')!, to: parseRfc3339('2026-12-01T00:00:00+07:00')! }],
];
if (process.env.BENCH_PLAN) {
  const { OntimeStats } = await import('../src/store/sqlite/stats.js');
  store.exclusive((db) => { const s = new OntimeStats(db); for (const [name, q] of cases) console.log(name, '→', s.explain(q).join(' | ')); });
}
for (const [name, q] of cases) {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await store.ontimeReport(q);
    times.push(performance.now() - t0);
    total = r.total;
  }
  times.sort((a, b) => a - b);
  const fmt = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`${name.padEnd(36)} total ${String(total).padStart(8)}  min ${fmt(times[0]!)}  median ${fmt(times[Math.floor(RUNS / 2)]!)}  max ${fmt(times[RUNS - 1]!)}`);
}
await store.close();
if (!keep) rmSync(dir, { recursive: true, force: true });
