// ULIDs: 26 Crockford base32 characters, the time first, strictly increasing within a millisecond, and distinct
// across many pool refills of the random part.
import t from 'tap';
import { ulid } from '../../src/util/id.js';

t.test('format, order and uniqueness', async (t) => {
  const at = Date.UTC(2026, 11, 2);
  const first = ulid(at);
  t.match(first, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  t.equal(first.slice(0, 10), ulid(at).slice(0, 10), 'the same millisecond, the same time part');
  const ids: string[] = [];
  for (let i = 0; i < 3000; i++) ids.push(ulid(at + 1 + i));
  t.equal(new Set(ids).size, ids.length, 'no two alike over several refills of the random pool');
  t.same([...ids].sort(), ids, 'ordered by time');
  const same = Array.from({ length: 50 }, () => ulid(at + 5000));
  t.same([...same].sort(), same, 'monotonic within one millisecond');
  t.equal(new Set(same).size, same.length);
});
