// The memo of presented keys' HMACs: the same HMAC as computed afresh, keyed by a digest (never the key), bounded,
// and only for keys that were kept (found valid). Validity itself is never memoised here (key-cache.test.ts).
import t from 'tap';
import { KeyHmacMemo, keyHmac } from '../../src/trust/keys.js';

t.test('the HMAC of a key, memoised by its digest', async (t) => {
  const secret = 'server-secret-0123456789';
  const memo = new KeyHmacMemo(secret, 2);
  const key = 'vpdk.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const d = memo.digest(key);
  t.notOk(d.includes(key.split('.')[1]!), 'the digest is not the key');
  t.equal(d, memo.digest(key));
  t.equal(memo.hmac(d, key), keyHmac(secret, key), 'a miss computes the HMAC');
  memo.keep(d, keyHmac(secret, key));
  t.equal(memo.hmac(d, key), keyHmac(secret, key), 'a hit answers the same HMAC');
  const other = 'vpdk.other';
  t.equal(memo.hmac(memo.digest(other), other), keyHmac(secret, other), 'another key, another HMAC');
  t.not(memo.digest(other), d);
  // Bounded: a third kept key empties the memo first; every answer stays the computed HMAC.
  memo.keep(memo.digest(other), keyHmac(secret, other));
  memo.keep(memo.digest('c.x'), keyHmac(secret, 'c.x'));
  for (const k of [key, other, 'c.x']) t.equal(memo.hmac(memo.digest(k), k), keyHmac(secret, k));
});
