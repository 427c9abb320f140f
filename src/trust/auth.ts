// Who is calling: a registered system or the administrator (Bearer admin token). A system authenticates by one
// ordered path (api.md "Authentication"): a client certificate of the HTTPS listener first — which decides: a bad
// one is 401 even beside a good key, and a key of another system beside it is 401 — then a Bearer key, HTTP Basic
// (system id and key), and last WS-Security inside a SOAP envelope. Failed attempts, credential-less ones included, are limited per
// (client address, claimed system) and audited without the secret (failures.ts).
import { HubError } from '../errors.js';
import type { Store, SystemRecord } from '../store/types.js';
import type { Registry } from '../systems/registry.js';
import { KeyHmacMemo, keyHmac, keySystemId, sameSecret } from './keys.js';
import { KeyCache } from './key-cache.js';
import { parseRfc3339 } from '../util/time.js';
import { identify, type CertificateTrust, type PeerCertificate } from './client-cert.js';
import { FailureAudit, FailureLimiter, SharedFailureLimiter, claimedIdentity, type Claimed, type FailureCounter, type FailureLimit, type Scheme } from './failures.js';

export type Credentials =
  | { scheme: 'bearer'; token: string }
  | { scheme: 'basic' | 'ws-security'; username: string; password: string };

export function credentialsFrom(authorization: string | undefined): Credentials | undefined {
  if (!authorization) return undefined;
  const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? '')) return { scheme: 'bearer', token: value };
  if (/^basic$/i.test(scheme ?? '')) {
    const text = Buffer.from(value, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return undefined;
    return { scheme: 'basic', username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return undefined;
}

/** Node keeps one of several Authorization headers; which one a proxy and the hub each read is ambiguous: refuse. */
export function assertOneAuthorization(rawHeaders: readonly string[]): void {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'authorization') n++;
  if (n > 1) throw new HubError('HUB_REQUEST_MALFORMED', 'The request carries more than one Authorization header', [{ path: 'header:authorization', message: 'must appear once' }]);
}

/** What a 401 answers in `WWW-Authenticate`, on every format (RFC 9110 §11.6.1). */
export const WWW_AUTHENTICATE = 'Bearer realm="lgsp-hub", Basic realm="lgsp-hub"';

export interface AuthOptions {
  limit?: Partial<FailureLimit>;
  clock?: () => number;
  onAuditError?: (err: unknown) => void;
  /** Every successful system authentication (last seen / last used bookkeeping; no store write of its own). */
  onAuthenticated?: (systemId: string, keyHmac: string | undefined, now: number, keyId: string | null) => void;
  /** Every failed or refused (429) attempt that claims an id-shaped system (the conformance report's `auth`). */
  onFailed?: (claimedSystemId: string, now: number) => void;
  /** The hub CA and the anchors, for client certificates; absent → every presented certificate is refused. */
  certificates?: CertificateTrust;
  /** The bootstrap admin token was presented after the first rotation ended it. */
  onBootstrapIgnored?: () => void;
}

export class Authenticator {
  readonly limiter: FailureCounter;
  readonly failures: FailureAudit;
  private readonly clock: () => number;
  private readonly opts: AuthOptions;
  private readonly keys: KeyCache;
  private readonly hmacs: KeyHmacMemo;

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly keySecret: string,
    private readonly adminToken: string,
    opts: AuthOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.opts = opts;
    this.keys = new KeyCache(store, 1000, 10_000, this.clock);
    this.hmacs = new KeyHmacMemo(keySecret);
    // Several instances on one database count failures once for the installation (api.md "Several instances").
    this.limiter = store.limits ? new SharedFailureLimiter(store.limits, opts.limit, opts.onAuditError) : new FailureLimiter(opts.limit);
    this.failures = new FailureAudit((e) => store.audit(e), opts.onAuditError ?? (() => {}), this.clock);
  }

  /**
   * The calling system; throws 401 (missing or bad credentials) or 429 (too many failures). `creds`: the
   * Authorization header's, else the WS-Security ones of the payload; `peer`: the TLS client certificate.
   */
  async system(creds: Credentials | undefined, client: string, path: string, peer?: PeerCertificate): Promise<SystemRecord> {
    if (peer) return this.byCertificate(peer, creds, client, path);
    const now = this.clock();
    const key = !creds ? '' : creds.scheme === 'bearer' ? creds.token : creds.password;
    const claimed = claimedIdentity(!creds ? undefined : creds.scheme === 'bearer' ? keySystemId(key) : creds.username);
    const attempt = { client, claimed, path, scheme: (creds?.scheme ?? 'none') as Scheme };
    const blocked = this.gate(attempt, now);
    if (blocked) await blocked;
    if (!creds) {
      await this.failed(attempt, now);
      throw new HubError('HUB_AUTH_MISSING', 'Send Authorization: Bearer <key> or HTTP Basic with the system id and key');
    }
    const found = await this.keyOwner(creds, now);
    if (!found || found.system.id !== claimed.target) {
      await this.failed(attempt, now);
      throw new HubError('HUB_AUTH_INVALID', 'The key is invalid, unknown, expired or retired');
    }
    this.opts.onAuthenticated?.(found.system.id, found.hmac, now, found.keyId);
    return found.system;
  }

  /** A presented certificate decides: it must authenticate a system, and a key beside it must be that system's. */
  private async byCertificate(peer: PeerCertificate, creds: Credentials | undefined, client: string, path: string): Promise<SystemRecord> {
    const now = this.clock();
    // Audit and limits name what the certificate claims (its CN); the CN never authenticates.
    const cn = /^CN=(.*)$/m.exec(peer.cert.subject)?.[1];
    const attempt = { client, claimed: claimedIdentity(cn), path, scheme: 'certificate' as Scheme };
    const blocked = this.gate(attempt, now);
    if (blocked) await blocked;
    const id = this.opts.certificates
      ? await identify(peer, { trust: this.opts.certificates, certificates: this.store.certificates, byFingerprint: (f) => this.registry.byCertificate(f), get: (i) => this.registry.get(i) }, now)
      : { ok: false as const, reason: 'this hub checks no client certificates', subject: cn ?? '' };
    if (!id.ok) {
      await this.failed(attempt, now);
      throw new HubError('HUB_AUTH_INVALID', `The client certificate ${id.subject} does not authenticate a system: ${id.reason}`);
    }
    const key = creds ? await this.keyOwner(creds, now) : undefined;
    if (creds && key?.system.id !== id.system.id) {
      await this.failed(attempt, now);
      throw new HubError('HUB_AUTH_INVALID', `The client certificate authenticates ${id.system.id}; the key sent with it is not a valid key of that system`);
    }
    this.opts.onAuthenticated?.(id.system.id, key?.hmac, now, key?.keyId ?? null);
    return id.system;
  }

  /** The active system whose valid key these credentials carry (Basic's user must be that system). */
  private async keyOwner(creds: Credentials, now: number): Promise<{ system: SystemRecord; hmac: string; keyId: string | null } | undefined> {
    const key = creds.scheme === 'bearer' ? creds.token : creds.password;
    const claimed = creds.scheme === 'bearer' ? keySystemId(key) : creds.username;
    if (!key) return undefined;
    const digest = this.hmacs.digest(key);
    const hmac = this.hmacs.hmac(digest, key);
    // Validity is looked up every time (KeyCache: dropped on a change here, at most 1 s old for another instance's).
    const found = await this.keys.find(hmac);
    const system = found ? this.registry.get(found.systemId) : undefined;
    const expired = found?.validUntil ? (parseRfc3339(found.validUntil) ?? 0) <= now : false;
    if (!found || !system || system.status !== 'active' || expired || found.systemId !== claimed) return undefined;
    this.hmacs.keep(digest, hmac);
    return { system, hmac, keyId: found.keyId ?? null };
  }

  /**
   * The audit actor of an administrator's Bearer token: `admin` (the bootstrap token, until the first rotation's
   * overlap ends) or `admin:<tokenId>` (a rotated one, stored as an HMAC). Throws 401 otherwise (429 during a block).
   */
  /**
   * The system whose valid key these credentials carry, or undefined; nothing is recorded (no failure, no last
   * seen). For attributing a request refused before its handler ran (413) to the system that sent it.
   */
  async identify(creds: Credentials | undefined): Promise<string | undefined> {
    const key = !creds ? '' : creds.scheme === 'bearer' ? creds.token : creds.password;
    return key && (await this.validSystemKey(key, this.clock())) ? keySystemId(key) ?? undefined : undefined;
  }

  async admin(creds: Credentials | undefined, client: string, path: string): Promise<string> {
    const now = this.clock();
    // Credential-less requests claim nothing, on admin routes as elsewhere: one budget per client address.
    const attempt = { client, claimed: claimedIdentity(creds ? 'admin' : undefined), path, scheme: (creds?.scheme ?? 'none') as Scheme };
    const blocked = this.gate(attempt, now);
    if (blocked) await blocked;
    if (!creds) {
      await this.failed(attempt, now);
      throw new HubError('HUB_AUTH_MISSING', 'Send Authorization: Bearer <admin token>');
    }
    const actor = creds.scheme === 'bearer' ? await this.adminActor(creds.token, now) : undefined;
    if (!actor) {
      // A valid system key is a credential, just not this role's (api.md "Admin": 403 HUB_AUTHZ_ROLE); not a failure.
      if (creds.scheme === 'bearer' && (await this.validSystemKey(creds.token, now))) throw new HubError('HUB_AUTHZ_ROLE', 'A system key does not open the admin API');
      await this.failed(attempt, now);
      throw new HubError('HUB_AUTH_INVALID', 'The admin token is invalid, or was rotated and its overlap has ended');
    }
    return actor;
  }

  private async validSystemKey(key: string, now: number): Promise<boolean> {
    return !!(await this.keyOwner({ scheme: 'bearer', token: key }, now));
  }

  /** What a console session keeps to re-check the token it was opened with: its HMAC (or `bootstrap`), never the token. */
  adminRef(token: string): string {
    return sameSecret(token, this.adminToken) ? 'bootstrap' : keyHmac(this.keySecret, token);
  }

  /** Whether the token behind `adminRef` still opens the admin API (not rotated past its overlap). */
  async adminRefValid(ref: string, now = this.clock()): Promise<boolean> {
    return (await this.actorOfRef(ref, now)) !== undefined;
  }

  /** The audit actor of a token reference while the token is valid: `admin` (bootstrap) or `admin:<tokenId>`. */
  private async actorOfRef(ref: string, now: number): Promise<string | undefined> {
    if (ref === 'bootstrap') {
      const end = await this.store.admin.getSetting('admin.bootstrapValidUntil');
      return end === undefined || (parseRfc3339(end) ?? 0) > now ? 'admin' : undefined;
    }
    const found = await this.store.admin.findAdminToken(ref);
    return found && (!found.validUntil || (parseRfc3339(found.validUntil) ?? 0) > now) ? `admin:${found.tokenId}` : undefined;
  }

  private async adminActor(token: string, now: number): Promise<string | undefined> {
    if (!token) return undefined;
    const ref = this.adminRef(token);
    const actor = await this.actorOfRef(ref, now);
    if (!actor && ref === 'bootstrap') this.opts.onBootstrapIgnored?.();
    return actor;
  }

  /** Flushes the counted failures into the audit log (at shutdown, before the store closes). */
  close(): Promise<void> {
    this.limiter.close?.();
    return this.failures.close();
  }

  // During a block every attempt is refused before its credentials are looked at, so a correct key guessed in it
  // is worthless; the refusal is counted in the audit summary and does not move the window's end.
  // Undefined when not blocked, the common case: no promise to await on every request.
  private gate(a: { client: string; claimed: Claimed; path: string; scheme: Scheme }, now: number): Promise<void> | undefined {
    const retryAfter = this.limiter.blockedFor(limitKey(a.client, a.claimed), now);
    return retryAfter ? this.refuse(a, now, retryAfter) : undefined;
  }

  private async refuse(a: { client: string; claimed: Claimed; path: string; scheme: Scheme }, now: number, retryAfter: number): Promise<void> {
    if (a.claimed.target) this.opts.onFailed?.(a.claimed.target, now);
    await this.failures.record(a, now);
    throw new HubError('HUB_AUTH_RATE_LIMITED', `Too many failed authentication attempts; try again in ${retryAfter} s`, [], { retryAfter });
  }

  private async failed(a: { client: string; claimed: Claimed; path: string; scheme: Scheme }, now: number): Promise<void> {
    await this.limiter.fail(limitKey(a.client, a.claimed), now);
    if (a.claimed.target) this.opts.onFailed?.(a.claimed.target, now);
    await this.failures.record(a, now);
  }
}

const limitKey = (client: string, claimed: Claimed) => `${client}\u0000${claimed.key}`;
