// Issue 8 item 2: a dossier received in December 2999 (written straight into the store, as if an older hub had
// accepted it) must not make the month report loop for ever, nor kill the hub restarted on that store.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub } from '../helpers/hub.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { parseRfc3339 } from '../../src/util/time.js';
import { insertRows, procedureCode } from './synthetic.js';

const at = (s: string) => parseRfc3339(s)!;

t.test('a dossier received in December 2999, a month report up to then → 400; the hub restarted on that store still works', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-far-future-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startHub({ dataDir, calendar: true });
  const key = await first.register({ id: 'platform', role: 'platform' });
  (first.ctx.store as SqliteStore).exclusive((db) => insertRows(db, [
    { code: '000.00.15.H12-991215-0001', agency: '000.00.15.H12', procedure: procedureCode(0), status: 4, receivedAt: at('2999-12-15T09:00:00+07:00'), dueAt: null, finishedAt: null },
    { code: '000.00.15.H12-261116-0001', agency: '000.00.15.H12', procedure: procedureCode(0), status: 4, receivedAt: at('2026-11-16T09:00:00+07:00'), dueAt: null, finishedAt: null },
  ], { scope: true }));

  const report = (hub: typeof first, query: string) => hub.get(`/v1/stats/ontime${query}`, key);
  const upTo2999 = await report(first, '?to=3000-01-01&groupBy=month');
  t.equal(upTo2999.statusCode, 400, upTo2999.body);
  t.equal(upTo2999.json().code, 'HUB_QUERY_INVALID');
  t.same(upTo2999.json().errors.map((e: { path: string }) => e.path), ['query:/to']);
  const fromOld = await report(first, '?from=2026-01-01&groupBy=month');
  t.equal(fromOld.statusCode, 200, 'a report up to now ignores the far dossier');
  t.same(fromOld.json().groups.map((g: { key: string }) => g.key), ['2026-11']);
  await first.close();

  const again = await startHub({ dataDir, calendar: true });
  t.teardown(() => again.close());
  t.equal((await again.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'the restarted hub is ready');
  const month = await report(again, '?groupBy=month');
  t.equal(month.statusCode, 200, month.body);
  t.equal(month.json().total, 1);
  t.equal((await report(again, '?to=3000-01-01')).statusCode, 400);
});
