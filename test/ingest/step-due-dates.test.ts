// Steps' `deadlineAt` is now `dueAt` (canonical.md "steps"): read on input, never written; both differing is a 422;
// a dossier stored before the rename is served with `dueAt` and its stored row is not rewritten.
import t from 'tap';
import { startHub, dossier } from '../helpers/hub.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';

t.test('deadlineAt in, dueAt out; stored rows of the past served with dueAt', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  const step = { at: '2026-11-27T08:15:00+07:00', status: 2, deadlineAt: '2026-11-28T17:00:00+07:00' };
  t.equal((await hub.post('tnmt', key, dossier({ steps: [step] }))).statusCode, 202);
  const d = (await hub.get('/v1/dossiers/000.00.15.H12-261127-0007', key)).json();
  t.same(d.steps[0], { at: step.at, status: 2, dueAt: step.deadlineAt }, 'read as dueAt, not written as deadlineAt');

  const both = await hub.post('tnmt', key, { code: d.code, steps: [{ at: '2026-11-27T09:00:00+07:00', status: 4, deadlineAt: '2026-11-28T17:00:00+07:00', dueAt: '2026-11-29T17:00:00+07:00' }] });
  t.match({ s: both.statusCode, ...both.json() }, { s: 422, code: 'HUB_VALIDATION', errors: [{ path: '/steps/0/deadlineAt' }] });

  const store = hub.ctx.store as SqliteStore;
  const old = { ...d, steps: [{ at: step.at, status: 2, deadlineAt: '2026-11-30T17:00:00+07:00' }] };
  store.exclusive((db) => db.prepare('UPDATE dossiers SET doc = ? WHERE code = ?').run(JSON.stringify(old), d.code));
  const served = (await hub.get(`/v1/dossiers/${d.code}`, key)).json();
  t.same(served.steps[0], { at: step.at, status: 2, dueAt: '2026-11-30T17:00:00+07:00' }, 'a step stored with deadlineAt is served with dueAt');
  t.match(store.exclusive((db) => db.prepare('SELECT doc FROM dossiers WHERE code = ?').pluck().get(d.code)) as string, /"deadlineAt"/, 'the stored row is not rewritten by a read');
  const feed = (await hub.get('/v1/dossiers', key)).json();
  t.equal(feed.items[0].steps[0].dueAt, '2026-11-30T17:00:00+07:00', 'the change feed too');
});
