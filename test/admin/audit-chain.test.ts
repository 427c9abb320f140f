// Issue 11: the audit log is hash-chained; verify names the first entry altered, removed or reordered, also a cut
// below the latest checkpoint (in the table, or in the mirror file when the rows and checkpoints went together).
import t from 'tap';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';

const ENTRIES = 250;

/** A store with 250 entries, closed (so the shutdown checkpoint is at 250, after those at 100 and 200). */
async function pristine(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-audit-'));
  const store = openSqliteStore(dir);
  for (let i = 1; i <= ENTRIES; i++) {
    await store.audit({ actor: i % 2 ? 'admin' : 'admin:ab12', action: i % 3 ? 'system.read' : 'rollout.update', target: `sys-${i % 7}`, from: '10.0.0.1', correlationId: `c-${i}`, detail: { n: i, z: 'Sở Tư pháp', a: [1, { y: 2, b: null }] } });
  }
  await store.close();
  return dir;
}

/** A copy of the pristine store (file and mirror) to tamper with. */
function copy(from: string, t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['hub.sqlite', 'audit-checkpoint.json']) copyFileSync(path.join(from, f), path.join(dir, f));
  return dir;
}

function tamper(dir: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path.join(dir, 'hub.sqlite'));
  fn(db);
  db.close();
}

async function verify(dir: string) {
  const store = openSqliteStore(dir);
  try {
    return await store.verifyAudit();
  } finally {
    // Closing adds a checkpoint of whatever head is left: tests read the answer before that.
    await store.close();
  }
}

t.test('the chain as api.md defines it, checkpoints and their mirror', async (t) => {
  const dir = await pristine();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = new Database(path.join(dir, 'hub.sqlite'), { readonly: true });
  const rows = db.prepare('SELECT * FROM audit ORDER BY id LIMIT 2').all() as Record<string, string>[];
  const cps = db.prepare('SELECT seq, signature FROM audit_checkpoints ORDER BY seq').all();
  db.close();
  t.equal(rows[0]!.prev_hash, '0'.repeat(64), 'the first prevHash is 64 zeros');
  // By hand: keys sorted, no spaces, all seven members.
  const r = rows[0]!;
  const canonical = `{"action":"${r.action}","actor":"${r.actor}","at":"${r.at}","correlationId":"c-1","detail":{"a":[1,{"b":null,"y":2}],"n":1,"z":"Sở Tư pháp"},"from":"10.0.0.1","target":"${r.target}"}`;
  t.equal(r.hash, createHash('sha256').update(`${'0'.repeat(64)}\n${canonical}`, 'utf8').digest('hex'), 'hash = SHA-256(prevHash + "\\n" + canonical JSON)');
  t.equal(rows[1]!.prev_hash, r.hash, 'each entry commits to the previous');
  t.same(cps, [{ seq: 100, signature: null }, { seq: 200, signature: null }, { seq: 250, signature: null }], 'every 100 entries and at shutdown, unsigned');
  const mirror = JSON.parse(readFileSync(path.join(dir, 'audit-checkpoint.json'), 'utf8'));
  t.match(mirror, { seq: 250, hash: /^[0-9a-f]{64}$/, signature: null }, 'the latest checkpoint is mirrored');
  t.equal(statSync(path.join(dir, 'audit-checkpoint.json')).mode & 0o777, 0o600, 'the mirror file is 0600');
  const v = await verify(copy(dir, t));
  t.match(v, { ok: true, entries: ENTRIES, head: { seq: ENTRIES }, checkpoint: { seq: 250, signed: false } });
});

t.test('verify names each kind of tampering', async (t) => {
  const dir = await pristine();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const changed = copy(dir, t);
  tamper(changed, (db) => db.prepare("UPDATE audit SET target = 'someone-else' WHERE id = 37").run());
  t.match(await verify(changed), { ok: false, firstBad: { seq: 37, problem: 'altered', message: /does not hash/ } }, 'a changed row');

  const deleted = copy(dir, t);
  tamper(deleted, (db) => db.prepare('DELETE FROM audit WHERE id = 50').run());
  t.match(await verify(deleted), { ok: false, firstBad: { seq: 50, problem: 'removed' } }, 'a deleted row');

  const swapped = copy(dir, t);
  tamper(swapped, (db) => {
    const cols = 'at, at_ms, actor, action, target, source_ip, detail, correlation_id, prev_hash, hash';
    const a = db.prepare(`SELECT ${cols} FROM audit WHERE id = 60`).get() as Record<string, unknown>;
    const b = db.prepare(`SELECT ${cols} FROM audit WHERE id = 61`).get() as Record<string, unknown>;
    const set = db.prepare(`UPDATE audit SET ${cols.split(', ').map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
    set.run({ ...b, id: 60 });
    set.run({ ...a, id: 61 });
  });
  t.match(await verify(swapped), { ok: false, firstBad: { seq: 60, problem: 'reordered' } }, 'two rows swapped');

  const rehashed = copy(dir, t);
  tamper(rehashed, (db) => {
    const r = db.prepare('SELECT * FROM audit WHERE id = 70').get() as Record<string, string | null>;
    const content = { action: r.action, actor: 'admin', at: r.at, correlationId: r.correlation_id, detail: JSON.parse(r.detail!), from: r.source_ip, target: r.target };
    const json = JSON.stringify(content, Object.keys(content).sort().concat(['a', 'b', 'n', 'y', 'z']));
    const hash = createHash('sha256').update(`${r.prev_hash}\n${json}`).digest('hex');
    db.prepare("UPDATE audit SET actor = 'admin', hash = ? WHERE id = 70").run(hash);
  });
  t.match(await verify(rehashed), { ok: false, firstBad: { seq: 70, problem: 'altered', message: /re-hashed/ } }, 'a row rewritten and re-hashed: it is named');

  const cutTable = copy(dir, t);
  unlinkSync(path.join(cutTable, 'audit-checkpoint.json'));
  tamper(cutTable, (db) => db.prepare('DELETE FROM audit WHERE id > 230').run());
  t.match(await verify(cutTable), { ok: false, firstBad: { seq: 231, problem: 'removed' } }, 'cut below the checkpoint in the table');

  const cutBoth = copy(dir, t);
  tamper(cutBoth, (db) => {
    db.prepare('DELETE FROM audit WHERE id > 150').run();
    db.prepare('DELETE FROM audit_checkpoints').run();
  });
  const v = await verify(cutBoth);
  t.match(v, { ok: false, firstBad: { seq: 151, problem: 'removed', message: /mirror file/ } }, 'rows and checkpoints deleted together: the mirror file tells');

  const undetectable = copy(dir, t);
  unlinkSync(path.join(undetectable, 'audit-checkpoint.json'));
  tamper(undetectable, (db) => {
    db.prepare('DELETE FROM audit WHERE id > 150').run();
    db.prepare('DELETE FROM audit_checkpoints').run();
  });
  t.match(await verify(undetectable), { ok: true, entries: 150 }, 'with the mirror gone too, a cut leaves no trace (api.md says so)');
});

t.test('rows from before the chain are chained by the migration, after the scrub', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = new Database(path.join(dir, 'hub.sqlite'));
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version <= 5)) {
    db.exec(m.sql);
    m.up?.(db);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
  }
  const ins = db.prepare('INSERT INTO audit (at, at_ms, actor, action, target, source_ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  ins.run('2026-11-30T10:00:00+07:00', 1, 'admin', 'system.read', 'so-tnmt', null, '{ "b": 1, "a": 2 }');
  ins.run('2026-11-30T10:00:01+07:00', 2, 'anonymous', 'auth.failed', null, '10.0.0.2', null);
  db.close();
  const store = openSqliteStore(dir);
  await store.audit({ actor: 'admin', action: 'system.list', target: null });
  const v = await store.verifyAudit();
  const rows = await store.queryAudit({ limit: 10 });
  await store.close();
  t.match(v, { ok: true, entries: 3, head: { seq: 3 } });
  t.equal(rows[0]!.prevHash, '0'.repeat(64));
  t.equal(rows[2]!.prevHash, rows[1]!.hash, 'new entries continue the chain of the old rows');
  t.ok(existsSync(path.join(dir, 'audit-checkpoint.json')));
});

t.test('the periodic checkpoint (the 10-minute tick) only when entries were added', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-audit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = openSqliteStore(dir);
  for (let i = 0; i < 5; i++) await store.audit({ actor: 'admin', action: 'system.list', target: null });
  t.match(await store.auditCheckpoint(), { seq: 5, signature: null }, 'entries were added: a checkpoint of the head');
  t.equal(await store.auditCheckpoint(), undefined, 'none added since: no checkpoint');
  t.match(JSON.parse(readFileSync(path.join(dir, 'audit-checkpoint.json'), 'utf8')), { seq: 5 }, 'mirrored');
  await store.close();
  const again = openSqliteStore(dir);
  t.same((await again.auditCheckpoints(10)).map((c) => c.seq), [5], 'nothing new at shutdown: no extra checkpoint');
  await again.close();
});
