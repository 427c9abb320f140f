// Sign-in and sign-out of the administrator console. The token is checked by the same Authenticator as a
// Bearer token (failures rate-limited and audited as on any admin route); the console then holds only the
// session cookie and the CSRF token it reads from `GET /v1/console/session`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { formatVn } from '../util/time.js';
import { problemResponse } from '../routes/schemas.js';
import { COOKIE, MAX_AGE_MS, cookieValue, sessionActor, type ConsoleSession, type ConsoleSessions } from './sessions.js';

const sessionSchema = {
  description: 'The signed-in session: who, the CSRF token every change must send in X-CSRF-Token, when it ends if unused',
  type: 'object', additionalProperties: false, required: ['actor', 'csrfToken', 'expiresAt'],
  properties: {
    actor: { type: 'string', description: 'The audit actor: admin or admin:<tokenId>' },
    csrfToken: { type: 'string' },
    expiresAt: { type: 'string', description: 'RFC 3339 (+07:00); moves on with every request' },
  },
} as const;

function cookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  // Secure whenever the browser reached the hub over HTTPS (the reverse proxy's X-Forwarded-Proto, as trusted).
  return `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${req.protocol === 'https' ? '; Secure' : ''}`;
}

export async function consoleSessionRoutes(app: FastifyInstance, { ctx, sessions }: { ctx: HubContext; sessions: ConsoleSessions }): Promise<void> {
  const answer = (s: ConsoleSession) => ({ actor: s.actor, csrfToken: s.csrf, expiresAt: formatVn(sessions.endsAt(s)) });
  const audit = (req: FastifyRequest, actor: string, action: string) =>
    ctx.store.audit({ actor, action, target: null, from: req.ip, correlationId: String(req.id) });

  app.post<{ Body: { token: string } }>('/v1/console/session', {
    schema: {
      operationId: 'signInConsole', summary: 'Exchange the administrator token for a console session cookie', tags: ['console'], security: [],
      body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 512 } } },
      response: { 201: sessionSchema, '4xx': problemResponse },
    },
  }, async (req, reply) => {
    const actor = await ctx.auth.admin({ scheme: 'bearer', token: req.body.token }, req.ip, req.routeOptions.url ?? req.url);
    const { id, session } = sessions.open(actor, ctx.auth.adminRef(req.body.token));
    await audit(req, actor, 'console.sign-in');
    return reply.code(201).header('set-cookie', cookie(req, id, MAX_AGE_MS / 1000)).header('cache-control', 'no-store').send(answer(session));
  });

  app.get('/v1/console/session', {
    schema: {
      operationId: 'getConsoleSession', summary: 'The session of the console cookie, with its CSRF token', tags: ['console'], security: [{ consoleSession: [] }],
      response: { 200: sessionSchema, '4xx': problemResponse },
    },
  }, async (req, reply) => {
    const s = live(req);
    return reply.header('cache-control', 'no-store').send(answer(s));
  });

  app.delete('/v1/console/session', {
    schema: {
      operationId: 'signOutConsole', summary: 'Sign out: the session ends at once (needs X-CSRF-Token)', tags: ['console'], security: [{ consoleSession: [] }],
      response: { 204: { description: 'Signed out; the cookie is cleared', type: 'null' }, '4xx': problemResponse },
    },
  }, async (req, reply: FastifyReply) => {
    const actor = sessionActor(sessions, req);
    if (!actor) throw new HubError('HUB_AUTH_MISSING', 'No console session to end');
    sessions.close(cookieValue(req.headers.cookie)!);
    await audit(req, actor, 'console.sign-out');
    return reply.code(204).header('set-cookie', cookie(req, '', 0)).send();
  });

  function live(req: FastifyRequest): ConsoleSession {
    const id = cookieValue(req.headers.cookie);
    if (!id) throw new HubError('HUB_AUTH_MISSING', 'Sign in to the console first');
    const s = sessions.find(id);
    if (!s) throw new HubError('HUB_CONSOLE_SESSION_ENDED', 'The console session has ended: sign in again');
    return s;
  }
}
