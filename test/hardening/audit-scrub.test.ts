// Issue 8 item 5: audit rows of earlier versions stored a key typed into the Basic user name whole. Migration 5
// rewrites them (a claim that is not id-shaped becomes its fingerprint), and the bytes leave the store files.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { fingerprint } from '../../src/trust/failures.js';

const SECRET = 'so-tnmt.q9Xv3LmP0aZ8rT5yU2wE7iO4pA1sD6fG3hJ0kL9zX8c';

/** A store file as version 4 left it, with the audit rows that version wrote. */
function oldStore(dir: string): void {
  const db = new Database(path.join(dir, 'hub.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version <= 4)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
  }
  const ins = db.prepare('INSERT INTO audit (at, at_ms, actor, action, target, detail, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
  ins.run('2026-11-30T10:00:00.000+07:00', 1, 'client:10.1.2.3', 'auth.failed', '/v1/inbound/:systemId', JSON.stringify({ claimed: SECRET }), null);
  ins.run('2026-11-30T10:00:01.000+07:00', 2, 'client:10.1.2.3', 'auth.failed', '/v1/dossiers', JSON.stringify({ claimed: 'so-tnmt' }), null);
  ins.run('2026-11-30T10:00:02.000+07:00', 3, 'admin', 'system.read', 'so-tnmt', null, 'c-1');
  db.close();
}

t.test('migration 5 scrubs presented secrets from old audit rows, out of every store file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-scrub-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  oldStore(dir);
  t.ok(readFileSync(path.join(dir, 'hub.sqlite')).includes(SECRET), 'the old file holds the secret (the test is meaningful)');

  const store = openSqliteStore(dir);
  const rows = await store.listAudit(0, 100);
  const files = ['hub.sqlite', 'hub.sqlite-wal', 'hub.sqlite-shm'].map((f) => path.join(dir, f)).filter(existsSync);
  for (const f of files) t.notOk(readFileSync(f).includes(SECRET.split('.')[1]!), `no byte of the secret in ${path.basename(f)}`);
  await store.close();
  for (const f of files.filter(existsSync)) t.notOk(readFileSync(f).includes(SECRET.split('.')[1]!), `nor after close in ${path.basename(f)}`);

  t.equal(rows.length, 3, 'every row kept');
  t.same(rows.map((r) => ({ id: r.id, actor: r.actor, target: r.target, from: r.from, detail: r.detail })), [
    { id: 1, actor: 'anonymous', target: null, from: '10.1.2.3', detail: { path: '/v1/inbound/:systemId', scheme: 'unknown', claimedFingerprint: fingerprint(SECRET), count: 1 } },
    { id: 2, actor: 'anonymous', target: 'so-tnmt', from: '10.1.2.3', detail: { path: '/v1/dossiers', scheme: 'unknown', count: 1 } },
    { id: 3, actor: 'admin', target: 'so-tnmt', from: undefined, detail: undefined },
  ]);

  const again = openSqliteStore(dir); // migrations run once; new entries continue the ids
  await again.audit({ actor: 'anonymous', action: 'auth.failed', target: null, from: '10.1.2.4', detail: { path: '/x', scheme: 'none', count: 1 } });
  const after = await again.listAudit(0, 100);
  await again.close();
  t.equal(after.length, 4);
  t.equal(after[3]!.id, 4);
  t.equal(after[3]!.target, null, 'target may be null now');
});

t.test('many pages of old rows: nothing of any secret is left in free space either (secure_delete)', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-scrub-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = new Database(path.join(dir, 'hub.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version <= 4)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
  }
  const ins = db.prepare("INSERT INTO audit (at, at_ms, actor, action, target, detail) VALUES ('2026-11-30T10:00:00.000+07:00', ?, 'client:10.1.2.3', 'auth.failed', '/v1/dossiers', ?)");
  for (let i = 0; i < 300; i++) ins.run(i, JSON.stringify({ claimed: `tnmt.SECRET${String(i).padStart(4, '0')}key` }));
  db.close();
  const store = openSqliteStore(dir);
  await store.close();
  const left = ['hub.sqlite', 'hub.sqlite-wal'].map((f) => path.join(dir, f)).filter(existsSync)
    .flatMap((f) => readFileSync(f).toString('latin1').match(/SECRET\d{4}key/g) ?? []);
  t.same(left, [], 'no old secret left in any page');
});
