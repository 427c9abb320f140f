// A store of N dossiers for the scale figures, loaded fast: the schema through the store's own migrations, then
// direct SQLite inserts of valid rows (the bench payload under synthetic codes, agencies, statuses and dates,
// with the columns the store derives from them), as bench/ontime.ts does.
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { formatVn, parseRfc3339 } from '../src/util/time.js';
import { synthRows } from '../test/stats/synthetic.js';
import { payload } from './lib.js';

export const SCALE_FROM = '2026-01-01T00:00:00+07:00';
export const SCALE_TO = '2027-01-01T00:00:00+07:00';

/** Loads `n` dossiers into a fresh store in `dir`; returns the codes of a sample to read and the seconds it took. */
export async function loadScaleStore(dir: string, n: number): Promise<{ sample: string[]; seconds: number; bytes: number }> {
  await openSqliteStore(dir).close();
  const file = path.join(dir, 'hub.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const ins = db.prepare(`INSERT INTO dossiers (code, agency, status, procedure, received_at, due_at, finished_at, updated_at, revision, seq, doc,
    judged_due_at, supplement_since, extensions, due_provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, NULL, 0, 0)`);
  const scope = db.prepare('INSERT INTO dossier_scope (agency, code) VALUES (?, ?)');
  const sample: string[] = [];
  const t0 = performance.now();
  const rows = synthRows({ seed: 20261201, count: n, from: parseRfc3339(SCALE_FROM)!, to: parseRfc3339(SCALE_TO)!, agencies: 50, procedures: 30 });
  const agency = payload.agency as Record<string, unknown>;
  const procedure = payload.procedure as Record<string, unknown>;
  let seq = 0;
  const batch = db.transaction((items: ReturnType<typeof rows.next>['value'][]) => {
    for (const r of items) {
      seq++;
      const finished = r.finishedAt ?? null;
      const doc = JSON.stringify({
        ...payload, code: r.code, agency: { ...agency, code: r.agency }, procedure: { ...procedure, code: r.procedure }, status: r.status, revision: 1,
        receivedAt: formatVn(r.receivedAt), ...(r.dueAt ? { dueAt: formatVn(r.dueAt) } : {}), updatedAt: formatVn(finished ?? r.receivedAt),
        ...(finished && r.status >= 9 ? { finishedAt: formatVn(finished) } : {}),
      });
      ins.run(r.code, r.agency, r.status, r.procedure, r.receivedAt, r.dueAt, finished, finished ?? r.receivedAt, seq, doc, r.judgedDueAt === undefined ? r.dueAt : r.judgedDueAt);
      scope.run(r.agency, r.code);
      if (seq % Math.max(1, Math.floor(n / 2000)) === 0) sample.push(r.code);
    }
  });
  let chunk = [];
  for (const r of rows) {
    chunk.push(r);
    if (chunk.length === 20_000) { batch(chunk); chunk = []; }
  }
  if (chunk.length) batch(chunk);
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { sample, seconds: (performance.now() - t0) / 1000, bytes: statSync(file).size };
}
