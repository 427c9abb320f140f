// The key cache: a hit does not ask the store; a key or system change through the store empties it before
// the change returns; an entry lives at most its TTL (changes made by another instance on the same store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { KeyCache } from '../../src/trust/key-cache.js';

t.test('hits, invalidation on change, TTL', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'key-cache-'));
  const store = openSqliteStore(dir);
  t.teardown(async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); });
  const at = '2026-12-01T00:00:00+07:00';
  await store.insertSystem({ id: 'a', name: 'a', adapter: 'canonical', role: 'source', level: 'province', agencies: [{ code: '000.00.15.H12', level: 'province' }],
    delivery: { mode: 'none' }, subscriptions: [], mapping: null, status: 'active', createdAt: at, updatedAt: at }, 'h1');
  let reads = 0;
  const counted = { findKey: (h: string) => { reads++; return store.findKey(h); }, onKeysChanged: (l: () => void) => store.onKeysChanged(l) };
  let now = 1_000_000;
  const cache = new KeyCache(counted, 1000, 100, () => now);

  t.equal((await cache.find('h1'))?.systemId, 'a');
  t.equal((await cache.find('h1'))?.validUntil, null);
  t.equal(reads, 1, 'the second look-up is served from memory');

  await store.admin.rotateKey({ systemId: 'a', keyHmac: 'h2', keyId: 'k2', createdAt: at, validUntil: null }, '2026-12-02T00:00:00+07:00', { actor: 'admin', action: 'key.rotate', target: 'a' });
  t.equal((await cache.find('h1'))?.validUntil, '2026-12-02T00:00:00+07:00', 'a change through the store is seen at once');
  t.equal(reads, 2);

  // Another instance's change (straight into the file, no event here): seen once the entry is older than the TTL.
  store.exclusive((db) => db.prepare("UPDATE system_keys SET valid_until = '2026-12-03T00:00:00+07:00' WHERE key_hmac = 'h1'").run());
  now += 500;
  t.equal((await cache.find('h1'))?.validUntil, '2026-12-02T00:00:00+07:00', 'within the TTL the cached record answers');
  now += 600;
  t.equal((await cache.find('h1'))?.validUntil, '2026-12-03T00:00:00+07:00', 'after the TTL the store answers');

  t.equal(await cache.find('unknown'), undefined);
  t.equal(await cache.find('unknown'), undefined);
  t.equal(reads, 5, 'unknown keys are not cached');
});
