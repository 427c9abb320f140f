// Every refusal is RFC 9457 problem+json with a stable code, over real HTTP handling (inject).
import t, { type Test } from 'tap';
import { startHub, dossier, ADMIN_TOKEN, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
let key: string;
t.before(async () => {
  hub = await startHub({ config: { bodyLimit: 8192 } });
  key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
});
t.teardown(() => hub.close());

const problem = (t: Test, res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) => {
  t.equal(res.statusCode, status, `${code} is ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, code);
  t.equal(body.status, status);
  t.type(body.title, 'string');
  t.type(body.detail, 'string');
  t.equal(body.correlationId, res.headers['x-correlation-id'], 'the body carries the correlation id of the response');
  return body;
};

t.test('401 without credentials, with a wrong key, with a retired-looking key', async (t) => {
  problem(t, await hub.app.inject({ method: 'POST', url: '/v1/inbound/tnmt', headers: { 'content-type': 'application/json' }, payload: '{}' }), 401, 'HUB_AUTH_MISSING');
  problem(t, await hub.post('tnmt', 'tnmt.wrong', dossier()), 401, 'HUB_AUTH_INVALID');
  const basic = Buffer.from(`tnmt:${key}`).toString('base64');
  const ok = await hub.app.inject({ method: 'POST', url: '/v1/inbound/tnmt', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' }, payload: dossier({ code: '000.00.15.H12-261127-0001' }) });
  t.equal(ok.statusCode, 202, 'HTTP Basic with system id and key works');
  const wrongUser = Buffer.from(`other:${key}`).toString('base64');
  problem(t, await hub.app.inject({ method: 'POST', url: '/v1/inbound/tnmt', headers: { authorization: `Basic ${wrongUser}`, 'content-type': 'application/json' }, payload: '{}' }), 401, 'HUB_AUTH_INVALID');
  // A valid system key on the admin API is the wrong role, not a bad credential (api.md "Admin").
  problem(t, await hub.app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { authorization: `Bearer ${key}` } }), 403, 'HUB_AUTHZ_ROLE');
  problem(t, await hub.app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { authorization: 'Bearer tnmt.wrong' } }), 401, 'HUB_AUTH_INVALID');
});

t.test('404 and 405 are problems too', async (t) => {
  problem(t, await hub.get('/v1/dossiers/000.00.15.H12-261127-9999', key), 404, 'HUB_NOT_FOUND');
  problem(t, await hub.app.inject({ method: 'GET', url: '/nowhere' }), 404, 'HUB_NOT_FOUND');
  const m = problem(t, await hub.app.inject({ method: 'PUT', url: '/v1/inbound/tnmt' }), 405, 'HUB_METHOD_NOT_ALLOWED');
  t.match(m.detail, /POST/);
});

t.test('413 for a body over the limit, before any parsing', async (t) => {
  const big = JSON.stringify(dossier({ summary: 'x'.repeat(9000) }));
  problem(t, await hub.post('tnmt', key, big), 413, 'HUB_REQUEST_TOO_LARGE');
  problem(t, await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, payload: big }), 413, 'HUB_REQUEST_TOO_LARGE');
});

t.test('415 for a content type the adapter does not take', async (t) => {
  problem(t, await hub.post('tnmt', key, '<x/>', { 'content-type': 'application/xml' }), 415, 'HUB_MEDIA_TYPE');
  problem(t, await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' }, payload: 'a,b' }), 415, 'HUB_MEDIA_TYPE');
});

t.test('400 for malformed JSON, prototype keys (also escaped), invalid UTF-8', async (t) => {
  problem(t, await hub.post('tnmt', key, '{"code": '), 400, 'HUB_REQUEST_MALFORMED');
  problem(t, await hub.post('tnmt', key, ''), 400, 'HUB_REQUEST_MALFORMED');
  for (const payload of ['{"__proto__": {"polluted": 1}}', '{"applicant": {"constructor": {"prototype": {}}}}', '{"a": [{"prototype": 1}]}', '{"__pro\\u0074o__": {"polluted": 1}}']) {
    const body = problem(t, await hub.post('tnmt', key, payload), 400, 'HUB_REQUEST_FORBIDDEN_KEY');
    t.ok(body.errors[0].path, 'the path of the key is named');
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was touched');
  const bad = Buffer.concat([Buffer.from('{"code":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  problem(t, await hub.post('tnmt', key, bad), 400, 'HUB_REQUEST_ENCODING');
  problem(t, await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, payload: '{"__proto__": {}}' }), 400, 'HUB_REQUEST_FORBIDDEN_KEY');
  const deep = '['.repeat(100) + ']'.repeat(100);
  problem(t, await hub.post('tnmt', key, deep), 400, 'HUB_REQUEST_MALFORMED');
});

t.test('422 from route schemas names the field; query errors are 400', async (t) => {
  const res = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { id: 'Bad Id!' } });
  const body = problem(t, res, 422, 'HUB_VALIDATION');
  t.ok(body.errors[0].path);
  problem(t, await hub.get('/v1/dossiers?limit=5000', key), 400, 'HUB_QUERY_INVALID');
  problem(t, await hub.get('/v1/dossiers?cursor=notacursor', key), 400, 'HUB_QUERY_INVALID');
});

t.test('the correlation id is taken from the request, or generated', async (t) => {
  const given = await hub.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-correlation-id': 'abc-123' } });
  t.equal(given.headers['x-correlation-id'], 'abc-123');
  const made = await hub.app.inject({ method: 'GET', url: '/healthz' });
  t.match(String(made.headers['x-correlation-id']), /^[0-9A-Z]{26}$/);
  const hostile = await hub.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-correlation-id': 'a\nb<script>' } });
  t.not(hostile.headers['x-correlation-id'], 'a\nb<script>', 'an unsafe id is replaced');
});

t.test('a 50 MB body is refused with 413 by every inbound endpoint, before any parser, storing nothing', async (t) => {
  const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
  const before = await hub.ctx.store.headSeq();
  for (const [url, type] of [['/v1/inbound/tnmt', 'application/json'], ['/v1/inbound/tnmt', 'application/xml'], ['/v1/soap/tnmt', 'text/xml']] as const) {
    const res = await hub.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': type }, payload: big });
    t.equal(res.statusCode, 413, `${url} ${type}`);
    t.equal(res.json().code, 'HUB_REQUEST_TOO_LARGE');
  }
  t.equal(await hub.ctx.store.headSeq(), before, 'no change stored');
});

t.test('failed logins are limited per address and claimed system; a block refuses the right key too', async (t) => {
  const remoteAddress = '10.77.0.1';
  const codes: number[] = [];
  for (let i = 0; i < 25; i++) {
    const res = await hub.app.inject({ method: 'GET', url: '/v1/dossiers', remoteAddress, headers: { authorization: 'Bearer tnmt.wrong' } });
    codes.push(res.statusCode);
  }
  t.same(codes.slice(0, 20), Array(20).fill(401));
  t.same(codes.slice(20), Array(5).fill(429), 'past 20 failures: 429');
  t.equal((await hub.app.inject({ method: 'GET', url: '/v1/dossiers', remoteAddress, headers: { authorization: 'Bearer tnmt.wrong' } })).json().code, 'HUB_AUTH_RATE_LIMITED');
  const blocked = await hub.app.inject({ method: 'GET', url: '/v1/dossiers', remoteAddress, headers: { authorization: `Bearer ${key}` } });
  t.equal(blocked.statusCode, 429, 'the correct key of the guessed system is refused during the block');
  const other = await hub.app.inject({ method: 'GET', url: '/v1/dossiers', remoteAddress: '10.77.0.2', headers: { authorization: `Bearer ${key}` } });
  t.equal(other.statusCode, 200, 'another client address is not blocked');
});
