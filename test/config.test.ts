// Configuration: read once, validated, frozen; bad values stop the start with a sentence naming the option.
import t from 'tap';
import { loadConfig, parseDelays } from '../src/config.js';
import { startHub, ADMIN_TOKEN } from './helpers/hub.js';

t.test('defaults of api.md', async (t) => {
  const c = loadConfig({});
  t.match(c, { port: 8080, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:8080', amqpUrl: 'amqp://guest:guest@127.0.0.1:5672', amqpPrefix: 'hub', bodyLimit: 1048576, logLevel: 'info', mailboxVisibilityS: 30, retryAttempts: 10, relay: true });
  t.same(c.retryDelaysMs, [1000, 5000, 30000, 120000, 600000]);
  t.same(c.trustProxy, []);
  t.ok(Object.isFrozen(c));
  t.throws(() => { (c as { port: number }).port = 1; }, TypeError, 'frozen');
});

t.test('invalid values are refused with the option named', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), /\/port/);
  t.throws(() => loadConfig({ HUB_ADMIN_TOKEN: 'short' }), /\/adminToken/);
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /\/databaseUrl/);
  t.throws(() => loadConfig({ HUB_RETRY_DELAYS: '1s,soon' }), /\/retryDelaysMs/);
  t.throws(() => loadConfig({ HUB_TRUST_PROXY: 'proxy.example' }), /\/trustProxy/);
  t.same(parseDelays('250ms, 2s,1m'), [250, 2000, 60000]);
  t.same(loadConfig({ HUB_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).trustProxy, ['10.0.0.1', '10.1.0.0/16']);
});

t.test('a trusted proxy\'s X-Forwarded-For is the client address; an untrusted one is ignored', async (t) => {
  const trusting = await startHub({ config: { trustProxy: ['10.9.9.9'] } });
  t.teardown(() => trusting.close());
  // A failed login is audited with the client address the hub believes.
  for (const remoteAddress of ['10.9.9.9', '10.8.8.8']) {
    await trusting.app.inject({ method: 'GET', url: '/v1/admin/systems', remoteAddress, headers: { 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${ADMIN_TOKEN}x` } });
  }
  const froms = (await trusting.ctx.store.listAudit(0, 10)).filter((e) => e.action === 'auth.failed').map((e) => e.from);
  t.same(froms, ['203.0.113.7', '10.8.8.8']);
});
