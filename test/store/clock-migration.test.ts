// The clock migration on a store written before it: the report's new columns are derived from what the rows hold
// (judged against dueAt, the open round's requestedAt, else the move to 5), and the documents are not rewritten.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { databaseBefore } from '../helpers/migrations.js';
import { parseRfc3339 } from '../../src/util/time.js';

const at = (s: string) => parseRfc3339(s)!;

t.test('clock-columns migration: existing rows judged against dueAt, status 5 rows dated by their open round or move to 5', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-migration-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clock = MIGRATIONS.find((m) => m.name === 'clock-columns')!;
  t.ok(clock, 'the migration exists');
  const old = databaseBefore(dir, clock.version);
  const docs = {
    round: { status: 5, supplements: [{ requestedAt: '2026-10-01T08:00:00+07:00', resubmittedAt: '2026-10-03T08:00:00+07:00' }, { requestedAt: '2026-11-02T09:30:00+07:00' }], steps: [{ at: '2026-11-02T09:30:00+07:00', status: 5 }] },
    step: { status: 5, steps: [{ at: '2026-10-20T08:00:00+07:00', status: 5 }, { at: '2026-10-25T10:00:00.500+07:00', status: 5 }] },
    done: { status: 9, steps: [] },
  };
  const ins = old.prepare('INSERT INTO dossiers (code, agency, status, procedure, received_at, due_at, finished_at, updated_at, revision, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)');
  let seq = 0;
  for (const [code, doc] of Object.entries(docs)) ins.run(code, 'A', doc.status, '1.004227', at('2026-10-01T08:00:00+07:00'), at('2026-11-20T17:00:00+07:00'), null, 0, ++seq, JSON.stringify(doc));
  old.close();

  const store = openSqliteStore(dir);
  t.teardown(() => store.close());
  const rows = store.exclusive((db) => db.prepare('SELECT code, judged_due_at, supplement_since, extensions, due_provisional, doc FROM dossiers ORDER BY seq').all()) as Record<string, unknown>[];
  t.same(rows.map((r) => [r.code, r.judged_due_at, r.supplement_since, r.extensions, r.due_provisional]), [
    ['round', at('2026-11-20T17:00:00+07:00'), at('2026-11-02T09:30:00+07:00'), 0, 0],
    ['step', at('2026-11-20T17:00:00+07:00'), at('2026-10-25T10:00:00.500+07:00'), 0, 0],
    ['done', at('2026-11-20T17:00:00+07:00'), null, 0, 0],
  ]);
  t.same(rows.map((r) => JSON.parse(r.doc as string)), Object.values(docs), 'the stored documents are unchanged');
  t.equal(await store.provisionalDueDates(), 0);
  const plan = store.exclusive((db) => db.prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) FROM dossiers WHERE due_provisional = 1 AND status IN (2, 4, 5, 6, 8)').all()) as { detail: string }[];
  t.match(plan.map((p) => p.detail).join(' | '), /USING COVERING INDEX dossiers_provisional/, 'the /readyz count reads the partial index only');
});
