import { randomBytes } from 'node:crypto';

// ULIDs (time-ordered, 26 characters of Crockford base32) for event, receipt and message ids:
// sortable by creation time, which makes logs and feeds easy to read. Monotonic within one millisecond.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom = new Uint8Array(10);

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters.
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    // Same millisecond (or clock went back): increment the random part so ids stay ordered.
    const next = new Uint8Array(lastRandom);
    for (let i = next.length - 1; i >= 0; i--) {
      next[i] = (next[i]! + 1) & 0xff;
      if (next[i] !== 0) break;
    }
    lastRandom = next;
    return encodeTime(lastTime) + encodeRandom(next);
  }
  lastTime = now;
  lastRandom = new Uint8Array(randomBytes(10));
  return encodeTime(now) + encodeRandom(lastRandom);
}
