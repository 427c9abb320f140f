// Migration 10 on a store written before it: the rollout's day rows keep their counts and gain zeroed conformance
// counters; a side write then adds to them (auth, statuses, refusals by code with the latest example).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { databaseBefore } from '../helpers/migrations.js';
import { addDelta, emptyDay } from '../../src/systems/traffic.js';

t.test('conformance-counters migration and the bookkeeping side write', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-migration-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m10 = MIGRATIONS.find((m) => m.name === 'conformance-counters')!;
  t.equal(m10.version, 10);
  const old = databaseBefore(dir, m10.version);
  old.prepare('INSERT INTO traffic (system_id, day, accepted, refused, duplicates) VALUES (?, ?, ?, ?, ?)').run('vpdk', '2026-11-30', 7, 2, 1);
  old.close();

  const store = openSqliteStore(dir);
  t.teardown(() => store.close());
  t.match(await store.admin.trafficWindow('vpdk', '2026-11-01'), { accepted: 7, refused: 2, duplicates: 1, authOk: 0, authFailed: 0, lastAuthAt: null, statuses: 0, codes: [] });
  const day = emptyDay();
  addDelta(day, { auth: { ok: true, keyId: 'k1' } }, '2026-11-30T09:00:00+07:00');
  addDelta(day, { auth: { ok: false } }, '2026-11-30T09:01:00+07:00');
  addDelta(day, { accepted: 1, statuses: [2, 4] }, '2026-11-30T09:02:00+07:00');
  addDelta(day, { refused: 1, codes: [{ code: 'HUB_AUTHZ_AGENCY_SCOPE', rule: 'agencyScope', example: '000.00.16.H12' }] }, '2026-11-30T09:03:00+07:00');
  await store.sideWrite({ kind: 'bookkeeping', batch: { keysUsed: new Map(), systemsSeen: new Map(), traffic: new Map([['vpdk\u00002026-11-30', day]]) } });
  const later = emptyDay();
  addDelta(later, { refused: 1, codes: [{ code: 'HUB_AUTHZ_AGENCY_SCOPE', rule: 'agencyScope', example: '000.00.17.H12' }] }, '2026-12-01T10:00:00+07:00');
  addDelta(later, { auth: { ok: true, keyId: 'k2' } }, '2026-12-01T10:00:00+07:00');
  await store.sideWrite({ kind: 'bookkeeping', batch: { keysUsed: new Map(), systemsSeen: new Map(), traffic: new Map([['vpdk\u00002026-12-01', later]]) } });
  t.same(await store.admin.trafficWindow('vpdk', '2026-11-01'), {
    accepted: 8, refused: 4, duplicates: 1, authOk: 2, authFailed: 1, lastAuthAt: '2026-12-01T10:00:00+07:00', lastAuthKey: 'k2',
    lastFailedAt: '2026-11-30T09:01:00+07:00', statuses: (1 << 2) | (1 << 4),
    codes: [{ code: 'HUB_AUTHZ_AGENCY_SCOPE', rule: 'agencyScope', count: 2, example: '000.00.17.H12', exampleAt: '2026-12-01T10:00:00+07:00' }],
  }, 'summed over the days; the latest example and key');
  t.match(await store.admin.trafficWindow('vpdk', '2026-12-01'), { accepted: 0, refused: 1, authOk: 1, lastFailedAt: null }, 'only the days from sinceDay');
  t.same((await store.admin.traffic('vpdk', '2026-11-01')).total, { accepted: 8, refused: 4, duplicates: 1 }, 'the rollout\'s counts');
});
