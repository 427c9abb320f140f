// HUB_MIN_FREE_MB without mounting anything: a floor above any disk's free space makes every dossier change
// 503 HUB_STORE_FULL with Retry-After and /readyz `store: full`, while registry and audit writes go on; a full
// disk's errors (SQLITE_FULL, ENOSPC) are HUB_STORE_FULL wherever they surface. The real full disk:
// test-serial/chaos-disk.test.ts.
import t from 'tap';
import { startHub, dossier } from '../helpers/hub.js';
import { asHubError } from '../../src/http/problem.js';
import { SpaceGuard, isDiskFull } from '../../src/store/sqlite/space.js';
import { tmpdir } from 'node:os';

const FLOOR_ABOVE_ANY_DISK = 1e12; // MB

t.test('below the floor: dossier changes 503 HUB_STORE_FULL with Retry-After, nothing stored', async (t) => {
  const first = await startHub();
  const key = await first.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  const code = '000.00.15.H12-261127-0101';
  t.equal((await first.post('tnmt', key, dossier({ code }))).statusCode, 202);
  await first.app.close();

  const hub = await startHub({ dataDir: first.dataDir, config: { minFreeMb: FLOOR_ABOVE_ANY_DISK } });
  t.teardown(async () => { await hub.close(); (await import('node:fs')).rmSync(first.dataDir, { recursive: true, force: true }); });
  const head = await hub.ctx.store.headSeq();

  const res = await hub.post('tnmt', key, dossier({ code: '000.00.15.H12-261127-0102' }));
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'HUB_STORE_FULL');
  t.equal(res.headers['retry-after'], '30');
  const status = await hub.app.inject({ method: 'POST', url: `/v1/dossiers/${code}/status`, headers: { authorization: `Bearer ${key}` }, payload: { status: 4, at: '2026-11-27T10:00:00+07:00' } });
  t.equal(status.statusCode, 503, 'a status change too');
  t.equal(status.json().code, 'HUB_STORE_FULL');
  t.equal(await hub.ctx.store.headSeq(), head, 'nothing of the refused changes stored');
  t.equal((await hub.get(`/v1/dossiers/${code}`, key)).statusCode, 200, 'what was acknowledged is still served');

  // Registry and audit writes go on below the floor (only a really full disk stops them).
  t.ok(await hub.register({ id: 'other', agencies: ['000.00.16.H12'] }));

  const ready = await hub.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 503);
  t.match(ready.json(), { status: 'unavailable', store: 'full' });
});

t.test('/readyz probes a real write: up, and the probe row is written', async (t) => {
  const hub = await startHub({ config: { minFreeMb: 0 } });
  t.teardown(() => hub.close());
  const before = Date.now();
  const ready = await hub.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.equal(ready.json().store, 'up');
  const at = (hub.ctx.store as unknown as { exclusive<T>(f: (db: import('better-sqlite3').Database) => T): T })
    .exclusive((db) => db.prepare('SELECT at FROM store_probe WHERE id = 1').pluck().get()) as number;
  t.ok(at >= before, 'the probe wrote its row');
});

t.test('a full disk is HUB_STORE_FULL wherever it surfaces', async (t) => {
  const sqliteFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  t.ok(isDiskFull(sqliteFull) && isDiskFull(enospc));
  t.notOk(isDiskFull(Object.assign(new Error('locked'), { code: 'SQLITE_BUSY' })));
  for (const e of [sqliteFull, enospc]) {
    const h = asHubError(e);
    t.equal(h.code, 'HUB_STORE_FULL');
    t.equal(h.status, 503);
    t.equal(h.extra.retryAfter, 30);
  }
  const guard = new SpaceGuard(tmpdir(), 0);
  t.match(guard.classify(sqliteFull), { code: 'HUB_STORE_FULL' });
  const busy = Object.assign(new Error('locked'), { code: 'SQLITE_BUSY' });
  t.equal(guard.classify(busy), busy, 'other failures unchanged');
  t.equal(asHubError(busy).code, 'HUB_INTERNAL');
});
