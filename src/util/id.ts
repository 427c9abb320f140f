import { randomFillSync } from 'node:crypto';

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

// Random bytes drawn from a pool filled 4 KiB at a time: one call into the CSPRNG per 409 ids instead of one per id
// (a ULID is made for every request: its correlation id, issue 13).
const pool = new Uint8Array(new ArrayBuffer(4096));
let poolAt = pool.length;

function randomTen(): Uint8Array<ArrayBuffer> {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 10;
  return pool.slice(poolAt - 10, poolAt);
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
  lastRandom = randomTen();
  return encodeTime(now) + encodeRandom(lastRandom);
}
