// The citizen look-up: only the public fields, nothing that tells an unknown code from a wrong verifier, a rate
// limit per client address, and no verifier, phone or id number in the logs.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { startHub, dossier, type TestHub } from '../helpers/hub.js';
import { FixedWindowLimiter, verifierMatches } from '../../src/routes/public.js';
import { buildApp } from '../../src/app.js';

const CODE = '000.00.15.H12-261127-0042';
const UNKNOWN = '000.00.15.H12-261127-0043';
const PHONE = '0903118642'; // verifier 8642
const ID = '079085007391'; // verifier 7391

let hub: TestHub;
t.before(async () => {
  hub = await startHub({ calendar: true });
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  const res = await hub.post('tnmt', key, dossier({
    code: CODE, applicant: { type: 'citizen', name: 'Lê Văn Cường', idNumber: ID, phone: PHONE, email: 'cuong@example.vn', address: '45 Nguyễn Huệ, phường 1' },
  }));
  if (res.statusCode !== 202) throw new Error(res.body);
});
t.teardown(() => hub.close());

let client = 0;
/** A look-up from its own client address (each test its own rate-limit budget unless `ip` is given). */
function lookup(code: string, verifier?: string, opts: { ip?: string; correlationId?: string; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
  const query = verifier === undefined ? '' : `?verifier=${encodeURIComponent(verifier)}`;
  return hub.app.inject({
    method: 'GET', url: `/v1/public/dossiers/${encodeURIComponent(code)}${query}`,
    remoteAddress: opts.ip ?? `10.0.${Math.floor(++client / 250)}.${client % 250}`,
    headers: { ...(opts.correlationId ? { 'x-correlation-id': opts.correlationId } : {}), ...opts.headers },
  });
}
const withoutId = (res: LightMyRequestResponse) => res.body.replace(/"correlationId":"[^"]*"/, '"correlationId":""');
const headersOf = (res: LightMyRequestResponse) => {
  const { date: _d, 'x-correlation-id': _c, ...rest } = res.headers;
  return rest;
};

t.test('the right verifier (last 4 digits of the phone, 8642) gives the public fields and nothing else', async (t) => {
  const res = await lookup(CODE, '8642');
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.headers['cache-control'], 'no-store');
  t.same(res.json(), {
    code: CODE, procedureName: 'Đăng ký biến động quyền sử dụng đất', agencyName: 'Văn phòng Đăng ký đất đai tỉnh',
    status: 2, statusName: 'Được tiếp nhận', receivedAt: '2026-11-27T08:15:00+07:00', dueAt: '2026-12-18T17:00:00+07:00', finishedAt: null,
  });
  for (const secret of [PHONE, ID, '8642', '7391', 'Cường', 'Nguyễn Huệ', 'cuong@example.vn', 'VPDK', 'Phạm Thị Hoa', 'Chuyển nhượng']) {
    t.notOk(res.body.includes(secret), `the answer does not carry ${secret}`);
  }
});

t.test('the id number works too (7391), digits only: "73-91" and " 7391 " match, 5 digits or letters do not', async (t) => {
  t.equal((await lookup(CODE, '7391')).statusCode, 200);
  t.equal((await lookup(CODE, '73-91')).statusCode, 200);
  t.equal((await lookup(CODE, ' 7391 ')).statusCode, 200);
  t.equal((await lookup(CODE, '86 42')).statusCode, 200);
  for (const wrong of ['07391', '391', 'abcd', '8643', '0000', '']) t.equal((await lookup(CODE, wrong)).statusCode, 404, `"${wrong}"`);
});

t.test('no credentials needed; a bogus Authorization header changes nothing', async (t) => {
  t.equal((await lookup(CODE, '8642', { headers: { authorization: 'Bearer nope.nope' } })).statusCode, 200);
});

t.test('unknown code vs wrong verifier vs missing verifier vs malformed code: byte-for-byte the same 404', async (t) => {
  const cid = '01JD8X3YQ6ZB2M1N4P5R6S7T8V';
  const unknown = await lookup(UNKNOWN, '8642', { correlationId: cid });
  const wrong = await lookup(CODE, '1234', { correlationId: cid });
  const missing = await lookup(CODE, undefined, { correlationId: cid });
  const empty = await lookup(CODE, '', { correlationId: cid });
  const unknownNoVerifier = await lookup(UNKNOWN, undefined, { correlationId: cid });
  const malformed = await lookup('not-a-code', '8642', { correlationId: cid });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(unknown.json().code, 'HUB_NOT_FOUND');
  for (const [name, res] of Object.entries({ wrong, missing, empty, unknownNoVerifier, malformed })) {
    t.equal(res.statusCode, 404, name);
    t.ok(res.rawPayload.equals(unknown.rawPayload), `${name}: same bytes as an unknown code (same correlation id given)`);
    t.same(headersOf(res), headersOf(unknown), `${name}: same headers`);
  }
  // With correlation ids of the hub's own making, the bodies differ in that id only.
  const a = await lookup(UNKNOWN, '8642');
  const b = await lookup(CODE, '1234');
  t.not(a.json().correlationId, b.json().correlationId);
  t.equal(withoutId(a), withoutId(b));
  t.notOk(a.body.includes(CODE) || a.body.includes(UNKNOWN), 'the 404 does not echo the code');
});

t.test('similar time: medians of an unknown code and of a wrong verifier (interleaved) within 0.25 ms', async (t) => {
  const ts: Record<string, number[]> = { unknown: [], wrong: [] };
  for (let i = 0; i < 400; i++) {
    for (const [name, code] of i % 2 ? [['unknown', UNKNOWN], ['wrong', CODE]] : [['wrong', CODE], ['unknown', UNKNOWN]]) {
      const t0 = process.hrtime.bigint();
      await lookup(code!, '1234');
      if (i >= 50) ts[name!]!.push(Number(process.hrtime.bigint() - t0) / 1e6); // the first 50 rounds warm up
    }
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1]!;
  const unknown = median(ts.unknown!);
  const wrong = median(ts.wrong!);
  t.comment(`median unknown ${unknown.toFixed(3)} ms, wrong verifier ${wrong.toFixed(3)} ms`);
  t.ok(Math.abs(unknown - wrong) < 0.25, `|${unknown.toFixed(3)} - ${wrong.toFixed(3)}| < 0.25 ms`);
});

t.test('rate limit: 30 look-ups a minute per address, the 31st is 429 HUB_RATE_LIMITED; other addresses go on', async (t) => {
  const ip = '192.0.2.7';
  for (let i = 0; i < 30; i++) {
    const res = await lookup(i % 2 ? CODE : UNKNOWN, i % 3 ? '8642' : '0000', { ip });
    t.not(res.statusCode, 429, `request ${i + 1}`);
  }
  const res = await lookup(CODE, '8642', { ip });
  t.equal(res.statusCode, 429);
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(res.json().code, 'HUB_RATE_LIMITED');
  t.match(String(res.headers['retry-after']), /^\d+$/);
  t.ok(Number(res.headers['retry-after']) >= 1 && Number(res.headers['retry-after']) <= 60);
  t.equal((await lookup(UNKNOWN, undefined, { ip })).statusCode, 429, 'whatever the code');
  t.equal((await lookup(CODE, '8642', { ip: '192.0.2.8' })).statusCode, 200, 'another address is served');
});

t.test('the limiter: a new window starts afresh; past maxClients new addresses share one budget (bounded memory)', async (t) => {
  let now = 60_000 * 29_000_000 + 20_000; // 20 s into a window
  const l = new FixedWindowLimiter({ max: 2, windowMs: 60_000, maxClients: 3 }, () => now);
  t.equal(l.hit('a').limited, false);
  t.equal(l.hit('a').limited, false);
  t.equal(l.hit('a').limited, true);
  t.equal(l.hit('a').retryAfterS, 40, 'until the window ends');
  now += 40_000;
  t.equal(l.hit('a').limited, false, 'next window');
  l.hit('b');
  l.hit('c');
  t.equal(l.size, 3);
  t.equal(l.hit('d').limited, false, 'd shares the overflow budget');
  t.equal(l.hit('e').limited, false);
  t.equal(l.hit('f').limited, true, 'the overflow budget is spent');
  t.equal(l.hit('b').limited, false, 'tracked addresses keep their own budget');
  t.ok(l.size <= 4, `at most maxClients + 1 counters (${l.size})`);
  for (let i = 0; i < 10_000; i++) l.hit(`x${i}`);
  t.ok(l.size <= 4);
});

t.test('verifierMatches: digits only, exactly 4, against either value', async (t) => {
  const b = (s: string) => Buffer.from(s);
  t.equal(verifierMatches('1234', b('1234'), b('----')), true);
  t.equal(verifierMatches('12-34', b('----'), b('1234')), true);
  t.equal(verifierMatches('1235', b('1234'), b('5678')), false);
  t.equal(verifierMatches(undefined, b('1234'), b('5678')), false);
  t.equal(verifierMatches('????', b('????'), b('????')), false, 'no digits never match, not even a placeholder');
  t.equal(verifierMatches('12345', b('2345'), b('1234')), false);
});

t.test('the logs carry neither the verifier nor the phone or id digits (the URL is redacted)', async (t) => {
  await lookup(CODE, '8642');
  await lookup(CODE, '7391');
  await lookup(UNKNOWN, '8642');
  await lookup(CODE, '86-42');
  const lines = hub.logs.join('').split('\n').filter(Boolean);
  const lookups = lines.filter((l) => l.includes('/v1/public/dossiers/'));
  t.ok(lookups.length >= 4, `${lookups.length} log lines of look-ups`);
  t.ok(lookups.every((l) => !l.includes('verifier')), 'no query of the look-up is logged');
  t.ok(lookups.some((l) => l.includes('"url":"/v1/public/dossiers/:code"')), 'the route is logged instead');
  // Random fields (time, correlation ids, durations) could hold any 4 digits by chance: compare without them.
  const stripped = lines.map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    for (const k of ['time', 'correlationId', 'reqId', 'responseTime']) delete o[k];
    if (o.req && typeof o.req === 'object') delete (o.req as Record<string, unknown>).correlationId;
    return JSON.stringify(o);
  }).join('\n');
  for (const secret of [PHONE, ID, '8642', '7391', '86-42', '86%2D42']) t.notOk(stripped.includes(secret), `no ${secret} in the logs`);
});

t.test('the limit counts per hub: a second listener on the same services (the HTTPS one) shares the budget', async (t) => {
  const second = await buildApp({ config: hub.ctx.config, hub: hub.services });
  t.teardown(() => second.app.close());
  const ip = '192.0.2.9';
  for (let i = 0; i < 30; i++) {
    const app = i % 2 ? hub.app : second.app;
    const res = await app.inject({ method: 'GET', url: `/v1/public/dossiers/${encodeURIComponent(UNKNOWN)}?verifier=0000`, remoteAddress: ip });
    t.not(res.statusCode, 429, `request ${i + 1}`);
  }
  const res = await second.app.inject({ method: 'GET', url: `/v1/public/dossiers/${encodeURIComponent(CODE)}?verifier=8642`, remoteAddress: ip });
  t.equal(res.statusCode, 429, 'the 31st, on either listener, is limited');
});
