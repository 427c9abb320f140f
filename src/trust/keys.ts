// API keys `<systemId>.<secret>` with a 256-bit random secret; the store keeps only HMAC-SHA-256(key) under the
// server secret (a slow KDF is for passwords, not for 256-bit random keys), compared in constant time by lookup
// of the HMAC itself (an index hit reveals nothing about the key) plus timingSafeEqual on the match.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomSecret } from './secrets.js';

export function newApiKey(systemId: string): string {
  return `${systemId}.${randomSecret(32)}`;
}

export function keyHmac(keySecret: string, apiKey: string): string {
  return createHmac('sha256', keySecret).update(apiKey).digest('hex');
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
