// The failed-login and public look-up limits counted once for the installation (api.md "Several instances"):
// two hubs on one PostgreSQL database, failures on one count on the other; a hub started later knows the block.
import t from 'tap';
import { dossier, startHub, type TestHub } from '../helpers/hub.js';
import { tempDatabase } from '../helpers/pg.js';
import { waitFor } from '../relay/helpers.js';

const auth = (hub: TestHub, key: string) => hub.app.inject({ method: 'GET', url: '/v1/dossiers?limit=1', headers: { authorization: `Bearer ${key}` } });

t.test('failed logins on one instance count on the other', async (t) => {
  const url = await tempDatabase(t);
  const a = await startHub({ config: { databaseUrl: url, dbPool: 2 } });
  const b = await startHub({ config: { databaseUrl: url, dbPool: 2 }, dataDir: a.dataDir });
  t.teardown(async () => { await b.close(); await a.close(); });
  const key = await a.register({ id: 'guarded', agencies: [{ code: '000.00.15.H12' }] });
  await waitFor('B knows the system', () => b.ctx.registry.get('guarded'), 5000);
  const wrong = `guarded.${'x'.repeat(43)}`;
  for (let i = 0; i < 19; i++) t.equal((await auth(i % 2 ? b : a, wrong)).statusCode, 401, `failure ${i + 1} is 401`);
  t.equal((await auth(b, key)).statusCode, 200, 'below the limit the right key works');
  t.equal((await auth(b, wrong)).statusCode, 401, 'the 20th failure, 10 on each instance');
  const onB = await auth(b, key);
  t.equal(onB.statusCode, 429, 'the instance that counted the 20th blocks at once, the right key included');
  t.match(onB.json(), { code: 'HUB_AUTH_RATE_LIMITED' });
  t.ok(Number(onB.headers['retry-after']) > 800, 'until the window that began at the first failure ends');
  // The other instance hears of the block (NOTIFY): within 1 s.
  await waitFor('A blocks too', async () => (await auth(a, key)).statusCode === 429, 1000, 50);
  t.equal((await auth(a, key)).statusCode, 429, 'on A, where only 10 failures happened');
  const c = await startHub({ config: { databaseUrl: url, dbPool: 2 }, dataDir: a.dataDir });
  t.teardown(() => c.close());
  await waitFor('C knows the system', () => c.ctx.registry.get('guarded'), 5000);
  await waitFor('C read the blocks at start', async () => (await auth(c, key)).statusCode === 429, 2000, 50);
  t.equal((await auth(c, wrong)).statusCode, 429, 'an instance started later knows the block');
  const other = await a.register({ id: 'innocent', agencies: [{ code: '000.00.16.H12' }] });
  t.equal((await auth(a, other)).statusCode, 200, 'another claimed system from the same address is not blocked');
});

t.test('the public look-up limit is counted once across instances', async (t) => {
  const url = await tempDatabase(t);
  const a = await startHub({ config: { databaseUrl: url, dbPool: 2 } });
  const b = await startHub({ config: { databaseUrl: url, dbPool: 2 }, dataDir: a.dataDir });
  t.teardown(async () => { await b.close(); await a.close(); });
  const key = await a.register({ id: 'src', agencies: [{ code: '000.00.15.H12' }] });
  t.equal((await a.post('src', key, dossier())).statusCode, 202);
  // 31 look-ups in one minute window: start early enough in the minute that it does not turn meanwhile.
  while (Date.now() % 60_000 > 40_000) await new Promise((r) => setTimeout(r, 250));
  const look = (hub: TestHub) => hub.app.inject({ method: 'GET', url: '/v1/public/dossiers/000.00.15.H12-261127-0007?verifier=1222' });
  const answers: number[] = [];
  for (let i = 0; i < 30; i++) answers.push((await look(i % 2 ? b : a)).statusCode);
  t.same(answers, Array(30).fill(200), '30 look-ups, 15 on each instance, answered');
  const over = await look(a);
  t.equal(over.statusCode, 429, 'the 31st of the minute is refused, though A answered only 15');
  t.ok(Number(over.headers['retry-after']) >= 1);
  t.equal((await look(b)).statusCode, 429, 'and on B');
});

t.test('the shared counter: concurrent counts from two instances are each counted once; an ended window starts again', async (t) => {
  const url = await tempDatabase(t);
  const a = await startHub({ config: { databaseUrl: url, dbPool: 4 } });
  const b = await startHub({ config: { databaseUrl: url, dbPool: 4 }, dataDir: a.dataDir });
  t.teardown(async () => { await b.close(); await a.close(); });
  const la = a.ctx.store.limits!;
  const lb = b.ctx.store.limits!;
  const now = 1_000_000;
  const counts = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? lb : la).add('k', now + i, now + i, 60_000)));
  t.same(counts.map((c) => c.count).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i + 1), 'counts 1–100, none lost or doubled');
  t.ok(counts.every((c) => c.endsAt === counts.find((x) => x.count === 1)!.endsAt), 'one window: it ends when the first count\'s window ends');
  const next = await la.add('k', now + 60_000 + 500, now + 60_000 + 500, 60_000);
  t.same(next, { count: 1, endsAt: now + 120_500 }, 'after the window ended, a new one from this count');
  t.same(await la.over('k', 1, now + 60_001), [{ key: 'k', endsAt: now + 120_500 }]);
  t.same(await la.over('k', 2, now + 60_001), [], 'below the minimum');
});
