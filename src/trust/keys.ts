// API keys `<systemId>.<secret>` with a 256-bit random secret; the store keeps only HMAC-SHA-256(key) under the
// server secret (a slow KDF is for passwords, not for 256-bit random keys), compared in constant time by lookup
// of the HMAC itself (an index hit reveals nothing about the key) plus timingSafeEqual on the match.
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomSecret } from './secrets.js';

export function newApiKey(systemId: string): string {
  return `${systemId}.${randomSecret(32)}`;
}

export function keyHmac(keySecret: string, apiKey: string): string {
  return createHmac('sha256', keySecret).update(apiKey).digest('hex');
}

/**
 * The HMACs of keys presented and found valid, by a plain SHA-256 of the key (a one-shot hash costs a fifth of
 * an HMAC's set-up; issue 13). The HMAC of a key is a fixed function of it and of the server secret, which never
 * changes while the process runs, so an entry is never stale: whether the key is still valid (revoked, rotated,
 * retired) is the KeyCache's and the store's question, asked as before. Only valid keys are kept (a guesser
 * fills nothing); bounded, emptied when full.
 */
export class KeyHmacMemo {
  private readonly byDigest = new Map<string, string>();

  constructor(private readonly keySecret: string, private readonly max = 10_000) {}

  /** What the memo is keyed by: SHA-256 of the presented key (never the key itself). */
  digest(apiKey: string): string {
    return hash('sha256', apiKey, 'hex');
  }

  hmac(digest: string, apiKey: string): string {
    return this.byDigest.get(digest) ?? keyHmac(this.keySecret, apiKey);
  }

  /** The key behind `digest` authenticated: its HMAC is worth keeping. */
  keep(digest: string, hmac: string): void {
    if (this.byDigest.has(digest)) return;
    if (this.byDigest.size >= this.max) this.byDigest.clear();
    this.byDigest.set(digest, hmac);
  }
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The system id a key claims (the part before the first dot), or undefined. */
export function keySystemId(apiKey: string): string | undefined {
  const dot = apiKey.indexOf('.');
  return dot > 0 ? apiKey.slice(0, dot) : undefined;
}

/** The public name of a key or token (api.md `keyId`, `tokenId`): random, so it says nothing about the secret. */
export function newKeyId(): string {
  return randomBytes(8).toString('hex');
}
