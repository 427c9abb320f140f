// The store conformance suite against the PostgreSQL store: each test on a database of its own, dropped after.
import t from 'tap';
import { openPgStore, type PgStore } from '../../src/store/pg/index.js';
import { tempDatabase } from '../helpers/pg.js';
import { storeConformance, type StoreKit } from './conformance/index.js';

async function kit(url: string): Promise<StoreKit> {
  const store: PgStore = await openPgStore(url, { pool: 4 });
  return {
    store,
    exec: async (sql) => { await store.pool.query(sql); },
    reopen: async () => { await store.close(); return kit(url); },
  };
}

storeConformance(t, {
  name: 'postgres',
  async open(t) {
    const url = await tempDatabase(t);
    const k = await kit(url);
    t.teardown(() => k.store.close());
    return k;
  },
});
