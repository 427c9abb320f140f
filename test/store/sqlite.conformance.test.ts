// The store conformance suite against the embedded SQLite store.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { storeConformance, type StoreKit } from './conformance/index.js';

function kit(dir: string): StoreKit {
  const store = openSqliteStore(dir);
  return {
    store,
    exec: async (sql) => { store.exclusive((db) => db.exec(sql)); },
    reopen: async () => { await store.close(); return kit(dir); },
  };
}

storeConformance(t, {
  name: 'sqlite',
  async open(t) {
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-conf-'));
    const k = kit(dir);
    t.teardown(async () => { await k.store.close(); rmSync(dir, { recursive: true, force: true }); });
    return k;
  },
});
