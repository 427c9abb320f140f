// Normalisation of a change before validation (canonical.md, "Unicode" and "Dates and times"):
// every text NFC, trimmed, inner white space collapsed, zero-width characters removed; ids and phones as digits;
// every date-time re-written with +07:00; impossible dates refused with the field named.
import { HubError, type FieldError } from '../errors.js';
import { digitsOnly, hasLoneSurrogate, normaliseText } from '../util/text.js';
import { toVn } from '../util/time.js';

const DATE_FIELDS = new Set([
  'receivedAt', 'dueAt', 'finishedAt', 'returnedAt', 'at', 'deadlineAt', 'requestedAt', 'resubmittedAt', 'previousDueAt', 'newDueAt',
  'submittedAt', 'startedAt', 'paidAt',
]);
const DIGIT_FIELDS = new Set(['idNumber', 'phone']);

/** Returns a normalised deep copy; throws HubError HUB_DATE_INVALID or HUB_VALIDATION naming the field. */
export function normaliseChange<T>(value: T): T {
  const errors: FieldError[] = [];
  const out = walk(value, '', undefined, errors) as T;
  if (errors.length) {
    const dateErr = errors.find((e) => e.message.startsWith('impossible'));
    throw new HubError(dateErr ? 'HUB_DATE_INVALID' : 'HUB_VALIDATION', errors[0]!.message + ` at ${errors[0]!.path}`, errors);
  }
  return out;
}

function walk(value: unknown, path: string, key: string | undefined, errors: FieldError[]): unknown {
  if (typeof value === 'string') {
    if (hasLoneSurrogate(value)) {
      errors.push({ path, message: 'must be well-formed Unicode (a lone surrogate was sent)' });
      return value;
    }
    if (key && DIGIT_FIELDS.has(key)) return digitsOnly(value);
    if (key && DATE_FIELDS.has(key)) {
      const vn = toVn(value.trim());
      if (vn === null) {
        errors.push({ path, message: `impossible or malformed date-time "${value.slice(0, 40)}" (RFC 3339 with an offset)` });
        return value;
      }
      return vn;
    }
    return normaliseText(value);
  }
  if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}/${i}`, undefined, errors));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, k, errors);
    return out;
  }
  return value;
}
