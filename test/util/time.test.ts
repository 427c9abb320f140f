import t from 'tap';
import { parseLocal, parseRfc3339, formatVn, localDateCode } from '../../src/util/time.js';

t.test('parseLocal reads dd/MM/yyyy HH:mm:ss as +07:00 and refuses impossible dates', async (t) => {
  t.equal(formatVn(parseLocal('27/11/2026 08:30:00')!), '2026-11-27T08:30:00+07:00');
  t.equal(formatVn(parseLocal('7/1/2026')!), '2026-01-07T00:00:00+07:00');
  t.equal(formatVn(parseLocal('7/1/2026', 'endOfOfficeDay')!), '2026-01-07T17:00:00+07:00');
  t.equal(formatVn(parseLocal('2026-11-27T08:15:00')!), '2026-11-27T08:15:00+07:00');
  t.equal(formatVn(parseLocal('20261127081500')!), '2026-11-27T08:15:00+07:00');
  t.equal(parseLocal('31/02/2026'), null, '31 February does not exist');
  t.equal(parseLocal('27/11/2026 25:00'), null, 'hour 25 does not exist');
  t.equal(parseLocal('29/02/2027'), null);
  t.not(parseLocal('29/02/2028'), null, '2028 is a leap year');
});

t.test('RFC 3339 with offsets is converted to +07:00', async (t) => {
  t.equal(formatVn(parseRfc3339('2026-11-27T01:15:02.123Z')!), '2026-11-27T08:15:02.123+07:00');
  t.equal(parseRfc3339('2026-02-31T00:00:00+07:00'), null);
  t.equal(parseRfc3339('2026-11-27 08:00:00+07:00'), null, 'a space is not RFC 3339 here');
  t.equal(localDateCode(parseRfc3339('2026-11-26T17:30:00Z')!), '261127', 'local date after 17:00 UTC is the next day');
});
