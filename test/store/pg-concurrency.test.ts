// The PostgreSQL store with several writers (issue 14): two store instances (two pools, as two hub instances
// would have) on one database. Codes stay unique with gapless sequences, revisions of one dossier gapless, and a
// feed paged while both write never skips or repeats a change, although their transactions commit out of order.
import t from 'tap';
import { openPgStore, type PgStore } from '../../src/store/pg/index.js';
import { tempDatabase } from '../helpers/pg.js';
import { AGENCY, change, system } from './conformance/harness.js';

const ROUNDS = Number(process.env.PG_CONCURRENCY_ROUNDS ?? 8);

async function pair(t: { teardown(fn: () => Promise<void> | void): void }): Promise<[PgStore, PgStore]> {
  const url = await tempDatabase(t);
  // Both at the same moment: the migrations lock lets one migrate while the other waits.
  const stores = await Promise.all([openPgStore(url, { pool: 6 }), openPgStore(url, { pool: 6 })]);
  t.teardown(async () => { for (const s of stores) await s.close(); });
  return stores as [PgStore, PgStore];
}

t.test('codes: unique and gapless per agency and day across two instances', async (t) => {
  const [a, b] = await pair(t);
  const n = 60;
  const codes = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? a : b).commit(change({ localCode: `L${i}` })).then((r) => r.receipt.dossierCode)));
  t.same([...codes].sort(), Array.from({ length: n }, (_, i) => `${AGENCY}-261127-${String(i + 1).padStart(4, '0')}`));
  // The same local number sent to both at once: one dossier, two revisions.
  const both = await Promise.all([a.commit(change({ localCode: 'same' })), b.commit(change({ localCode: 'same' }))]);
  t.equal(both[0].receipt.dossierCode, both[1].receipt.dossierCode);
  t.same(both.map((r) => r.receipt.revision).sort(), [1, 2]);
});

t.test('revisions of one dossier: gapless when both instances update it at once', async (t) => {
  const [a, b] = await pair(t);
  const code = `${AGENCY}-261127-0500`;
  await a.commit(change({ code }));
  await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).commit(change({ code }))));
  t.same((await b.listEvents(code)).map((e) => e.revision), Array.from({ length: 41 }, (_, i) => i + 1));
});

t.test('the feed never skips or repeats while two instances write', async (t) => {
  const [a, b] = await pair(t);
  const dossiers = Array.from({ length: 30 }, (_, i) => `${AGENCY}-261127-${String(i + 1).padStart(4, '0')}`);
  for (const code of dossiers) await a.commit(change({ code }));
  let cursor = 0;
  const seen = new Map<string, number>();
  const positions: number[] = [];
  const page = async () => {
    const p = await b.feed({ after: cursor, limit: 7 });
    for (const d of p.items) {
      t.ok((seen.get(d.code) ?? 0) < d.revision, 'a dossier comes back only with a later revision');
      seen.set(d.code, d.revision);
    }
    if (p.last !== undefined) { positions.push(p.last); cursor = p.last; }
    return p.items.length;
  };
  for (let round = 0; round < ROUNDS; round++) {
    let writing = true;
    const writers = Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).commit(change({ code: dossiers[(i * 7 + round) % dossiers.length]!, status: 2 + (i % 3 === 0 ? 2 : 0) }))))
      .finally(() => { writing = false; });
    while (writing) await page();
    await writers;
    while (await page());
    const current = await Promise.all(dossiers.map(async (c) => [c, (await a.getDossier(c))!.revision] as const));
    const stale = current.filter(([c, r]) => seen.get(c) !== r);
    t.same(stale, [], `round ${round}: the reader holds every dossier's latest revision (no change skipped)`);
  }
  t.ok(positions.every((p, i) => i === 0 || p > positions[i - 1]!), 'cursors only move forward');
});

t.test('wake-ups cross instances: commits, keys, mailbox; the listener reconnects', async (t) => {
  const [a, b] = await pair(t);
  const told = { committed: 0, keys: 0, mailbox: [] as string[] };
  b.onCommitted(() => told.committed++);
  b.onKeysChanged(() => told.keys++);
  b.relay.onMailbox((s) => told.mailbox.push(s));
  const until = async (ok: () => boolean) => { for (let i = 0; i < 250 && !ok(); i++) await new Promise((r) => setTimeout(r, 20)); return ok(); };
  const c0 = told.committed;
  await a.commit(change({ code: `${AGENCY}-261127-0001` }));
  t.ok(await until(() => told.committed > c0), 'a commit on A wakes B');
  const k0 = told.keys;
  await a.insertSystem(system('x', ['X1']), 'hx');
  t.ok(await until(() => told.keys > k0), 'a key change on A empties B\'s caches');
  await a.relay.plan([], [{ systemId: 'x', eventId: 'e1', dossierCode: 'D', revision: 1, type: 'dossier.updated', contentType: 'application/json', body: '1', bodyIsJson: true }], []);
  t.ok(await until(() => told.mailbox.includes('x')), 'new mail on A wakes a long-poll on B');
  // The listening connection dies: B reconnects, tells its listeners once (the check after a reconnect), and hears A again.
  const pid = b.notes.backendPid()!;
  const k1 = told.keys;
  await a.pool.query('SELECT pg_terminate_backend($1)', [pid]);
  t.ok(await until(() => told.keys > k1 && b.notes.backendPid() !== undefined && b.notes.backendPid() !== pid), 'reconnected and told');
  const c1 = told.committed;
  await a.commit(change({ code: `${AGENCY}-261127-0002` }));
  t.ok(await until(() => told.committed > c1), 'heard again after the reconnect');
});

t.test('the outbox relay lease: one instance at a time, taken over when the holder goes', async (t) => {
  const [a, b] = await pair(t);
  t.equal(await a.relayLease(), true, 'the first to ask holds it');
  t.equal(await b.relayLease(), false, 'the other waits');
  t.equal(await a.relayLease(), true, 'still held');
  // The holder's connection dies (an instance crashed): the lock is released, the other takes over.
  const holder = (await a.pool.query<{ pid: number }>('SELECT pid FROM pg_locks WHERE locktype = \'advisory\' AND objid = 7140006 AND granted')).rows[0]!.pid;
  await b.pool.query('SELECT pg_terminate_backend($1)', [holder]);
  let took = false;
  for (let i = 0; i < 100 && !took; i++) { took = await b.relayLease(); if (!took) await new Promise((r) => setTimeout(r, 50)); }
  t.ok(took, 'taken over');
  t.equal(await a.relayLease(), false, 'the old holder no longer relays');
});

t.test('a certificate fingerprint registered by two instances at once: one wins, the other is 409', async (t) => {
  const [a, b] = await pair(t);
  const fp = 'a'.repeat(64);
  for (let round = 0; round < 5; round++) {
    const results = await Promise.allSettled([
      a.insertSystem(system(`ca${round}`, [], { certificates: [fp] }), null),
      b.insertSystem(system(`cb${round}`, [], { certificates: [fp] }), null),
    ]);
    const owners = (await a.listSystems()).filter((s) => s.status === 'active' && s.certificates?.includes(fp));
    t.equal(owners.length, 1, `round ${round}: one owner (${owners.map((o) => o.id)})`);
    t.equal(results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'HUB_SYSTEM_CERTIFICATE_TAKEN').length, round === 0 ? 1 : 2, 'the others refused');
  }
});

t.test('a position is drawn only while the feed lock is held (the one-statement append takes it first)', async (t) => {
  const url = await tempDatabase(t);
  const store = await openPgStore(url, { pool: 2 });
  t.teardown(() => store.close());
  const { default: pg } = await import('pg');
  const { LOCK } = await import('../../src/store/pg/db.js');
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  t.teardown(() => holder.end());
  await store.commit(change({ code: `${AGENCY}-261127-0900` }));
  const position = async () => Number((await holder.query("SELECT last_value FROM change_seq")).rows[0].last_value);
  const before = await position();
  await holder.query('BEGIN');
  await holder.query('SELECT pg_advisory_xact_lock($1)', [LOCK.feed]);
  let done = false;
  const pending = store.commit(change({ code: `${AGENCY}-261127-0901` })).then((r) => { done = true; return r; });
  // Wait until the commit's backend is waiting on the advisory lock, then look at the sequence.
  for (let i = 0; i < 200; i++) {
    const waiting = await holder.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND datname = current_database()");
    if (waiting.rows[0].n > 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  t.notOk(done, 'the commit waits for the feed lock');
  t.equal(await position(), before, 'no position was drawn while the lock was held elsewhere');
  await holder.query('COMMIT');
  const r = await pending;
  t.equal(r.receipt.dossierCode, `${AGENCY}-261127-0901`);
  t.equal(await position(), before + 1, 'drawn once the lock was free');
});
