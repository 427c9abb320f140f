// A database file as an earlier version of the hub left it: every migration below `version` applied, so a test
// can write old-shaped rows and then open the store to run the rest.
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';

export function databaseBefore(dir: string, version: number): Database.Database {
  const db = new Database(path.join(dir, 'hub.sqlite'));
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version < version)) {
    db.exec(m.sql);
    m.up?.(db);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, '2026-11-01T00:00:00Z');
  }
  return db;
}
