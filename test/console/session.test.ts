// The console's session (src/console/): the admin token exchanged for an HttpOnly, SameSite=Strict cookie; the
// cookie counts as the admin identity on admin routes, changes need the CSRF header; sign-out and idle expiry
// end it; every act is audited under the token's actor.
import t from 'tap';
import { startHub, ADMIN_TOKEN } from '../helpers/hub.js';

t.test('sign in, use, CSRF, sign out, expiry, audit actor', async (t) => {
  const hub = await startHub({ config: { consoleIdleS: 2 } });
  t.teardown(() => hub.close());

  const bad = await hub.app.inject({ method: 'POST', url: '/v1/console/session', payload: { token: 'wrong-token-0123456789abcdef0123456789' } });
  t.equal(bad.statusCode, 401, 'a wrong token opens no session');
  t.notOk(bad.headers['set-cookie'], 'and sets no cookie');

  const res = await hub.app.inject({ method: 'POST', url: '/v1/console/session', payload: { token: ADMIN_TOKEN } });
  t.equal(res.statusCode, 201);
  const setCookie = String(res.headers['set-cookie']);
  t.match(setCookie, /^hub_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/, 'HttpOnly, SameSite=Strict, 8 h');
  t.notOk(setCookie.includes(ADMIN_TOKEN), 'the cookie is not the token');
  const { actor, csrfToken } = res.json() as { actor: string; csrfToken: string };
  t.equal(actor, 'admin');
  const cookie = setCookie.split(';')[0]!;

  const read = await hub.app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { cookie } });
  t.equal(read.statusCode, 200, 'the cookie reads an admin route');
  const session = await hub.app.inject({ method: 'GET', url: '/v1/console/session', headers: { cookie } });
  t.equal(session.json().csrfToken, csrfToken, 'the page gets its CSRF token back from the cookie');

  const reg = { id: 'con-sys', name: 'Console', adapter: 'canonical', role: 'source', level: 'province', agencies: [], delivery: { mode: 'none' }, subscriptions: [], mapping: null };
  const noCsrf = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { cookie }, payload: reg });
  t.equal(noCsrf.statusCode, 403, 'a change without the CSRF header is refused');
  t.equal(noCsrf.json().code, 'HUB_CONSOLE_CSRF');
  t.equal(noCsrf.json().errors[0].path, 'header:x-csrf-token');
  const wrongCsrf = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { cookie, 'x-csrf-token': 'x'.repeat(32) }, payload: reg });
  t.equal(wrongCsrf.statusCode, 403, 'a wrong CSRF token too');
  t.notOk(hub.ctx.registry.get('con-sys'), 'nothing was registered');
  const ok = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { cookie, 'x-csrf-token': csrfToken }, payload: reg });
  t.equal(ok.statusCode, 201, 'with the header the change is made');

  const overview = await hub.app.inject({ method: 'GET', url: '/v1/admin/overview', headers: { cookie } });
  t.equal(overview.statusCode, 200);
  t.ok(overview.json().systems.some((s: { id: string }) => s.id === 'con-sys'), 'the overview lists the new system');

  const audit = await hub.app.inject({ method: 'GET', url: '/v1/admin/audit?action=system.register', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const entry = (audit.json().items as { actor: string; target: string }[]).find((e) => e.target === 'con-sys');
  t.equal(entry?.actor, 'admin', 'the registration is audited under the token\'s actor');
  const signIns = await hub.app.inject({ method: 'GET', url: '/v1/admin/audit?action=console.*', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  t.same((signIns.json().items as { action: string }[]).map((e) => e.action), ['console.sign-in']);

  const outNoCsrf = await hub.app.inject({ method: 'DELETE', url: '/v1/console/session', headers: { cookie } });
  t.equal(outNoCsrf.statusCode, 403, 'sign-out needs the CSRF header too');
  const out = await hub.app.inject({ method: 'DELETE', url: '/v1/console/session', headers: { cookie, 'x-csrf-token': csrfToken } });
  t.equal(out.statusCode, 204);
  t.match(String(out.headers['set-cookie']), /^hub_console=; .*Max-Age=0/, 'the cookie is cleared');
  const after = await hub.app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { cookie } });
  t.equal(after.statusCode, 401, 'a signed-out cookie opens nothing');
  t.equal(after.json().code, 'HUB_CONSOLE_SESSION_ENDED');

  // Idle expiry: HUB_CONSOLE_IDLE_S=2 here; poll with a generous deadline instead of one tight wait.
  const second = await hub.app.inject({ method: 'POST', url: '/v1/console/session', payload: { token: ADMIN_TOKEN } });
  const cookie2 = String(second.headers['set-cookie']).split(';')[0]!;
  t.equal((await hub.app.inject({ method: 'GET', url: '/v1/admin/overview', headers: { cookie: cookie2 } })).statusCode, 200);
  const deadline = Date.now() + 30_000;
  let status = 200;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2500)); // longer than the idle time, so a read does not keep it alive
    status = (await hub.app.inject({ method: 'GET', url: '/v1/console/session', headers: { cookie: cookie2 } })).statusCode;
    if (status === 401) break;
  }
  t.equal(status, 401, 'an idle session ends');
});

t.test('a session ends with the token it was opened with: rotation with no overlap ends it at once', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const signIn = async (token: string) => {
    const res = await hub.app.inject({ method: 'POST', url: '/v1/console/session', payload: { token } });
    t.equal(res.statusCode, 201, res.body);
    return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrfToken as string };
  };
  const reg = (id: string) => ({ id, name: id, adapter: 'canonical', role: 'source', level: 'province', agencies: [], delivery: { mode: 'none' }, subscriptions: [], mapping: null });
  const first = await signIn(ADMIN_TOKEN);
  const rotated = await hub.app.inject({ method: 'POST', url: '/v1/admin/token', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf }, payload: { overlapSeconds: 0 } });
  t.equal(rotated.statusCode, 201, rotated.body);
  const newToken = rotated.json().token as string;
  t.equal((await hub.app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).statusCode, 401, 'the old token is refused');
  const stale = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf }, payload: reg('after-rotation') });
  t.equal(stale.statusCode, 401, 'and so is the session opened with it');
  t.equal(stale.json().code, 'HUB_CONSOLE_SESSION_ENDED');
  t.notOk(hub.ctx.registry.get('after-rotation'), 'nothing was registered');
  // A session of the new token works, until that token is rotated in turn.
  const second = await signIn(newToken);
  t.equal((await hub.app.inject({ method: 'POST', url: '/v1/admin/systems', headers: { cookie: second.cookie, 'x-csrf-token': second.csrf }, payload: reg('by-new') })).statusCode, 201);
  t.equal((await hub.app.inject({ method: 'POST', url: '/v1/admin/token', headers: { authorization: `Bearer ${newToken}` }, payload: { overlapSeconds: 0 } })).statusCode, 201);
  t.equal((await hub.app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { cookie: second.cookie } })).json().code, 'HUB_CONSOLE_SESSION_ENDED');
});
