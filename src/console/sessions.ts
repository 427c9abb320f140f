// Sessions of the administrator console (issue 15): the admin token is exchanged once for a random session id
// in an HttpOnly, SameSite=Strict cookie, so the token never sits in the browser's storage. Kept in memory per
// instance: a restart or another instance behind the balancer means signing in again (the console says so), and
// nothing secret is ever written to the store. The map holds only the SHA-256 of each id, so a heap dump does not
// hand out live cookies.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';

export const COOKIE = 'hub_console';
export const CSRF_HEADER = 'x-csrf-token';
/** However busy, a session ends this long after sign-in (ms). */
export const MAX_AGE_MS = 8 * 3600_000;

export interface ConsoleSession {
  /** The audit actor of the token signed in with: `admin` or `admin:<tokenId>`. */
  actor: string;
  /** Which token it was opened with (`Authenticator.adminRef`: the token's HMAC, never the token), re-checked on every use. */
  tokenRef: string;
  csrf: string;
  createdAt: number;
  lastUsedAt: number;
}

const hash = (id: string) => createHash('sha256').update(id).digest('hex');

export class ConsoleSessions {
  private readonly byHash = new Map<string, ConsoleSession>();

  constructor(private readonly idleMs: number, private readonly clock: () => number = Date.now) {}

  /** A new session: the cookie value (shown to the browser only) and its record. */
  open(actor: string, tokenRef: string): { id: string; session: ConsoleSession } {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session = { actor, tokenRef, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastUsedAt: now };
    this.byHash.set(hash(id), session);
    return { id, session };
  }

  /** The live session of a cookie value, touched; undefined when unknown, idle too long or too old. */
  find(id: string): ConsoleSession | undefined {
    const key = hash(id);
    const s = this.byHash.get(key);
    if (!s) return undefined;
    const now = this.clock();
    if (this.ended(s, now)) {
      this.byHash.delete(key);
      return undefined;
    }
    s.lastUsedAt = now;
    return s;
  }

  close(id: string): void {
    this.byHash.delete(hash(id));
  }

  /** When the session ends if unused from now on (epoch ms). */
  endsAt(s: ConsoleSession): number {
    return Math.min(s.lastUsedAt + this.idleMs, s.createdAt + MAX_AGE_MS);
  }

  private ended(s: ConsoleSession, now: number): boolean {
    return now >= this.endsAt(s);
  }

  // Abandoned sessions leave on the next sign-in, so the map stays as small as the number of live ones.
  private sweep(): void {
    const now = this.clock();
    for (const [k, s] of this.byHash) if (this.ended(s, now)) this.byHash.delete(k);
  }
}

/** The session cookie's value in a Cookie header, if any. */
export function cookieValue(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The admin identity of a console request: undefined when it carries no session cookie (the caller then asks
 * for the token), the session's actor when the cookie is live and, for a change, the CSRF header matches.
 * SameSite=Strict already keeps other sites' requests from carrying the cookie; the header is the second lock
 * (a sibling origin on the same site, an old browser).
 */
export function sessionActor(sessions: ConsoleSessions, req: FastifyRequest): string | undefined {
  return sessionOf(sessions, req)?.actor;
}

/** The live session of a console request (as `sessionActor`), with the token reference to re-check. */
export function sessionOf(sessions: ConsoleSessions, req: FastifyRequest): ConsoleSession | undefined {
  if (req.headers.authorization) return undefined; // a token wins: the CLI and curl never send the cookie
  const id = cookieValue(req.headers.cookie);
  if (!id) return undefined;
  const s = sessions.find(id);
  if (!s) throw new HubError('HUB_CONSOLE_SESSION_ENDED', 'The console session has ended: sign in again');
  if (!SAFE.has(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameText(sent, s.csrf)) {
      throw new HubError('HUB_CONSOLE_CSRF', 'Send the session\'s CSRF token in X-CSRF-Token', [{ path: `header:${CSRF_HEADER}`, message: 'missing or wrong' }]);
    }
  }
  return s;
}
