// normaliseChange in one walk (issue 13): the same answers as the two passes it replaced — refused characters
// first, in document order, with their JSON Pointers (escaped, a refused key named by code point); then
// surrogates and dates; the printable-ASCII fast path returns exactly what normaliseText would. Pure, no I/O.
import t from 'tap';
import { forbiddenCharErrors, normaliseChange } from '../../src/dossiers/normalise.js';
import { normaliseText } from '../../src/util/text.js';
import { HubError } from '../../src/errors.js';

function refusal(value: unknown): HubError {
  try {
    normaliseChange(value);
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('not refused');
}

t.test('text is normalised; ASCII text comes back as it was', async (t) => {
  const out = normaliseChange({
    code: '000.00.15.H12-261127-0001', note: '  Nguye\u0302\u0303n   Va\u0306n\u200B A ', applicant: { phone: '090 311-1234', idNumber: ' 0790 1234 5678 ' },
    receivedAt: '2026-11-27T01:15:00Z', tags: ['a  b', 'plain'],
  });
  t.same(out, {
    code: '000.00.15.H12-261127-0001', note: 'Nguyễn Văn A', applicant: { phone: '0903111234', idNumber: '079012345678' },
    receivedAt: '2026-11-27T08:15:00+07:00', tags: ['a b', 'plain'],
  });
});

t.test('the fast path agrees with normaliseText on every kind of string', async (t) => {
  const samples = ['', 'x', 'a b', 'a  b', ' a', 'a ', '\tA', 'A\n', 'Hồ sơ', 'e\u0301', '\u00a0x', 'x\u200b', '~/~1', '  ', 'ABC-123.45/6'];
  for (const s of samples) t.equal(normaliseChange({ name: s }).name, normaliseText(s), JSON.stringify(s));
});

t.test('refused characters win over every other error, in document order, with escaped pointers', async (t) => {
  const err = refusal({ receivedAt: 'not a date', 'a/b': { 'c~d': 'x\u0001' }, list: ['ok', 'y\u0002'], ['bad\u0003key']: 'v' });
  t.equal(err.code, 'HUB_VALIDATION');
  t.same(err.errors.map((e) => e.path), ['/a~1b/c~0d', '/list/1', '/badU+0003key']);
  const doc = { receivedAt: 'not a date', 'a/b': { 'c~d': 'x\u0001' }, list: ['ok', 'y\u0002'], ['bad\u0003key']: 'v' };
  t.same(err.errors, forbiddenCharErrors(doc), 'the same list as forbiddenCharErrors');
  t.notOk(err.message.includes('\u0001'), 'the character is never echoed raw');
});

t.test('dates and surrogates after that, with their fields', async (t) => {
  const date = refusal({ steps: [{ at: '2026-02-30T08:00:00+07:00' }] });
  t.equal(date.code, 'HUB_DATE_INVALID');
  t.same(date.errors.map((e) => e.path), ['/steps/0/at']);
  const lone = refusal({ applicant: { name: 'A\uD800' } });
  t.equal(lone.code, 'HUB_VALIDATION');
  t.same(lone.errors, [{ path: '/applicant/name', message: 'must be well-formed Unicode (a lone surrogate was sent)' }]);
});
