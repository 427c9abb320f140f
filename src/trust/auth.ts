// Who is calling: a registered system (Bearer key, Basic system-id/key, or WS-Security inside a SOAP envelope)
// or the administrator (Bearer admin token). Failures are rate-limited per client address and audited.
import { HubError } from '../errors.js';
import type { Store, SystemRecord } from '../store/types.js';
import type { Registry } from '../systems/registry.js';
import { keyHmac, keySystemId, sameSecret } from './keys.js';
import { parseRfc3339 } from '../util/time.js';

export type Credentials = { scheme: 'bearer'; token: string } | { scheme: 'basic'; username: string; password: string };

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

/** A fixed window of failed attempts per client address (bounded map, oldest windows dropped first). */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly max = 20, private readonly windowMs = 60_000, private readonly capacity = 10_000) {}

  blocked(client: string, now = Date.now()): boolean {
    const w = this.windows.get(client);
    return !!w && now - w.start < this.windowMs && w.count >= this.max;
  }

  fail(client: string, now = Date.now()): void {
    const w = this.windows.get(client);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size >= this.capacity) this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(client, { start: now, count: 1 });
    } else w.count++;
  }
}

export class Authenticator {
  readonly limiter = new FailureLimiter();

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly keySecret: string,
    private readonly adminToken: string,
  ) {}

  /** The calling system; throws 401 (missing or bad credentials) or 429 (too many failures). */
  async system(creds: Credentials | undefined, client: string, path: string): Promise<SystemRecord> {
    if (!creds) throw new HubError('HUB_AUTH_MISSING', 'Send Authorization: Bearer <key> or HTTP Basic with the system id and key');
    const key = creds.scheme === 'bearer' ? creds.token : creds.password;
    const claimed = creds.scheme === 'basic' ? creds.username : keySystemId(key);
    const found = key ? await this.store.findKey(keyHmac(this.keySecret, key)) : undefined;
    const system = found ? this.registry.get(found.systemId) : undefined;
    const expired = found?.validUntil ? (parseRfc3339(found.validUntil) ?? 0) <= Date.now() : false;
    if (!found || !system || system.status !== 'active' || expired || found.systemId !== claimed) {
      await this.failed(client, path, claimed);
      throw new HubError('HUB_AUTH_INVALID', 'The key is invalid, unknown, expired or retired');
    }
    return system;
  }

  /** Throws 401 unless the Bearer token is the administrator's. */
  async admin(creds: Credentials | undefined, client: string, path: string): Promise<void> {
    if (!creds) throw new HubError('HUB_AUTH_MISSING', 'Send Authorization: Bearer <admin token>');
    if (creds.scheme !== 'bearer' || !sameSecret(creds.token, this.adminToken)) {
      await this.failed(client, path, 'admin');
      throw new HubError('HUB_AUTH_INVALID', 'The admin token is invalid');
    }
  }

  // Only failures are limited: valid credentials from an address that other callers (a shared NAT) got blocked still
  // work. Past the limit, failures are neither audited nor answered with 401 any more, so a flood costs no writes.
  private async failed(client: string, path: string, claimed: string | undefined): Promise<void> {
    if (this.limiter.blocked(client)) throw new HubError('HUB_AUTH_RATE_LIMITED', 'Too many failed authentication attempts; try again later');
    this.limiter.fail(client);
    await this.store.audit({ actor: `client:${client}`, action: 'auth.failed', target: path, detail: { claimed: claimed?.slice(0, 64) ?? null } });
  }
}
