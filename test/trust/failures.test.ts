// The failed-login limit and its audit on a fake clock: a fixed 15-minute window from the first failure, never
// extended by the attempts refused in it; the first failure of a minute written at once, the rest summarised.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FailureAudit, FailureLimiter, claimedIdentity, fingerprint } from '../../src/trust/failures.js';
import { Authenticator } from '../../src/trust/auth.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { Registry } from '../../src/systems/registry.js';
import type { AuditEntry } from '../../src/store/types.js';

const T0 = Date.parse('2026-12-01T10:00:10Z');
const MIN = 60_000;

t.test('claimedIdentity: an id-shaped claim is named, anything else only fingerprinted', async (t) => {
  t.same(claimedIdentity('so-tnmt'), { target: 'so-tnmt', key: 'id:so-tnmt' });
  const key = 'so-tnmt.Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';
  t.same(claimedIdentity(key), { target: null, fingerprint: fingerprint(key), key: `fp:${fingerprint(key)}` });
  t.match(fingerprint(key), /^[0-9a-f]{12}$/);
  t.same(claimedIdentity(undefined), { target: null, key: '' });
  t.equal(claimedIdentity('A'.repeat(70)).target, null, 'upper case or too long is not an id');
});

t.test('FailureLimiter: fixed window from the first failure; 429 until it ends', async (t) => {
  const l = new FailureLimiter({ max: 20, windowMs: 15 * MIN });
  for (let i = 0; i < 19; i++) l.fail('k', T0 + i * 1000);
  t.equal(l.blockedFor('k', T0 + 20_000), 0, '19 failures: not blocked');
  l.fail('k', T0 + 20_000);
  t.equal(l.blockedFor('k', T0 + 20_000), 15 * 60 - 20, 'Retry-After counts to the end of the window');
  t.equal(l.blockedFor('k', T0 + 15 * MIN - 1), 1);
  t.equal(l.blockedFor('k', T0 + 15 * MIN), 0, 'free when the window ends');
  t.equal(l.blockedFor('other', T0), 0);
});

t.test('FailureLimiter: memory stays bounded, expired windows go first', async (t) => {
  const l = new FailureLimiter({ max: 2, windowMs: MIN, capacity: 3 });
  l.fail('old', T0);
  l.fail('a', T0 + MIN);
  l.fail('a', T0 + MIN);
  l.fail('b', T0 + MIN);
  l.fail('c', T0 + MIN); // 'old' has expired: it goes, 'a' stays blocked
  t.equal(l.size, 3);
  t.ok(l.blockedFor('a', T0 + MIN + 1) > 0);
});

t.test('FailureAudit: first of a minute at once, the rest as one appended summary, flushed at close', async (t) => {
  const written: AuditEntry[] = [];
  const audit = new FailureAudit(async (e) => { written.push(e); }, (err) => { throw err; }, () => T0);
  t.teardown(() => audit.close());
  const f = { client: '10.0.0.1', claimed: claimedIdentity('so-tnmt'), path: '/v1/dossiers', scheme: 'bearer' as const };
  for (let i = 0; i < 5; i++) await audit.record(f, T0 + i);
  t.equal(written.length, 1, 'one entry for the first failure');
  t.same(written[0], { actor: 'anonymous', action: 'auth.failed', target: 'so-tnmt', from: '10.0.0.1', detail: { path: '/v1/dossiers', scheme: 'bearer', count: 1 } });
  await audit.record(f, T0 + MIN); // next minute: summary of the 4, then this one at once
  t.same(written.map((e) => (e.detail as { count: number }).count), [1, 4, 1]);
  await audit.record(f, T0 + MIN + 5);
  await audit.record({ ...f, client: '10.0.0.2' }, T0 + MIN + 6);
  await audit.tick(T0 + MIN + 10); // the tick: pending summaries appended, current-minute buckets kept
  t.same(written.map((e) => (e.detail as { count: number }).count), [1, 4, 1, 1, 1]);
  await audit.record(f, T0 + MIN + 20);
  t.equal(written.length, 5, 'after a tick, the same minute is still only counted');
  await audit.close();
  t.equal(written.length, 6, 'close flushes what was counted');
  t.equal((written[5]!.detail as { count: number }).count, 1);
});

t.test('Authenticator: a block refuses the right key, is counted, and does not extend', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-auth-'));
  const store = openSqliteStore(dir);
  let now = T0;
  const registry = new Registry(store, 'secret');
  await registry.load();
  const { apiKey } = await registry.register({
    id: 'so-tnmt', name: 'x', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'],
    delivery: { mode: 'none' }, subscriptions: [], mapping: null,
  } as never, now);
  const auth = new Authenticator(store, registry, 'secret', 'admin-token-0123456789abcdef0123456789', { clock: () => now });
  t.teardown(async () => { await auth.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); });
  const bad = { scheme: 'bearer' as const, token: 'so-tnmt.guess' };
  const good = { scheme: 'bearer' as const, token: apiKey };
  const code = async (c: typeof good) => auth.system(c, '10.0.0.9', '/v1/dossiers').then(() => 200, (e: { status: number }) => e.status);
  for (let i = 0; i < 20; i++) {
    now = T0 + i * 1000;
    t.equal(await code(bad), 401);
  }
  now = T0 + 14 * MIN;
  t.equal(await code(good), 429, 'the right key during the block');
  const err = await auth.system(good, '10.0.0.9', '/v1/dossiers').catch((e: { code: string; extra: { retryAfter: number } }) => e);
  t.match(err, { code: 'HUB_AUTH_RATE_LIMITED', extra: { retryAfter: 60 } });
  now = T0 + 15 * MIN - 1;
  t.equal(await code(bad), 429);
  now = T0 + 15 * MIN;
  t.equal(await code(good), 200, 'the window ends 15 minutes after the first failure, attempts in it did not extend it');
  await auth.close();
  const entries = (await store.listAudit(0, 1000)).filter((e) => e.action === 'auth.failed');
  t.equal(entries.reduce((n, e) => n + (e.detail as { count: number }).count, 0), 23, '20 failures and 3 refusals, all counted');
});
