// Normalisation of a change before validation (canonical.md, "Unicode" and "Dates and times"):
// every text NFC, trimmed, inner white space collapsed, zero-width characters removed; ids and phones as digits;
// every date-time re-written with +07:00; impossible dates refused with the field named. Before any of it, a text
// holding a character XML 1.0 cannot carry (C0 controls other than TAB, LF, CR; U+FFFE; U+FFFF) is refused, so
// that nothing stored can later break an XML answer or push (issue 8, item 6).
import { HubError, type FieldError } from '../errors.js';
import { digitsOnly, hasLoneSurrogate, normaliseText } from '../util/text.js';
import { toVn } from '../util/time.js';

const DATE_FIELDS = new Set([
  'receivedAt', 'dueAt', 'finishedAt', 'returnedAt', 'at', 'deadlineAt', 'requestedAt', 'resubmittedAt', 'previousDueAt', 'newDueAt',
  'submittedAt', 'startedAt', 'paidAt',
]);
const DIGIT_FIELDS = new Set(['idNumber', 'phone']);

// One character class: linear on any input (test/hardening/redos.test.ts).
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** `U+0001`: how a refused character is named in a message (never echoed raw). */
export const codePointOf = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The refused character in a string, as `U+0001`, or undefined. */
export function forbiddenChar(value: string): string | undefined {
  const m = FORBIDDEN_CHAR.exec(value);
  return m ? codePointOf(m[0]) : undefined;
}

/**
 * Every string (and object key) of a JSON value that holds a refused character, with its JSON Pointer under `base`.
 * Used on canonical changes and on native JSON documents (UNDP), where the pointer is the native path.
 */
export function forbiddenCharErrors(value: unknown, base = ''): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      const ch = forbiddenChar(v);
      if (ch) errors.push({ path, message: `contains ${ch}, which XML 1.0 cannot carry (a control character or U+FFFE/U+FFFF): refused in any text` });
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}/${i}`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const keyPath = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const ch = forbiddenChar(k);
        if (ch) errors.push({ path: keyPath.replace(FORBIDDEN_CHAR_ALL, codePointOf), message: `the key contains ${ch}, which XML 1.0 cannot carry: refused` });
        else visit(x, keyPath);
      }
    }
  };
  visit(value, base);
  return errors;
}
const FORBIDDEN_CHAR_ALL = new RegExp(FORBIDDEN_CHAR.source, 'g');

/** Where a value sits, built into a JSON Pointer only when an error names it (most values never need it). */
type At = { up: At | undefined; seg: string | number } | undefined;
const pointer = (at: At): string => (at ? `${pointer(at.up)}/${typeof at.seg === 'number' ? at.seg : escapeSeg(at.seg)}` : '');
const escapeSeg = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * True when normaliseText would return the string unchanged and none of the checks can refuse it: printable
 * ASCII, single inner spaces, none at either end. Most codes, numbers and Latin names are; they skip the regexes.
 */
function plainAscii(v: string): boolean {
  const n = v.length;
  if (n === 0) return true;
  if (v.charCodeAt(0) === 32 || v.charCodeAt(n - 1) === 32) return false;
  let space = false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 32) {
      if (space) return false;
      space = true;
    } else if (c > 32 && c < 127) space = false;
    else return false;
  }
  return true;
}

/**
 * Returns a normalised deep copy; throws HubError HUB_DATE_INVALID or HUB_VALIDATION naming the field. One walk
 * (issue 13): the refused characters (forbiddenCharErrors' list, in its order) are collected beside the other
 * errors and win over them.
 */
export function normaliseChange<T>(value: T): T {
  const refused: FieldError[] = [];
  const errors: FieldError[] = [];
  const out = walk(value, undefined, undefined, refused, errors) as T;
  if (refused.length) throw new HubError('HUB_VALIDATION', `${refused[0]!.message} at ${refused[0]!.path}`, refused);
  if (errors.length) {
    const dateErr = errors.find((e) => e.message.startsWith('impossible'));
    throw new HubError(dateErr ? 'HUB_DATE_INVALID' : 'HUB_VALIDATION', errors[0]!.message + ` at ${errors[0]!.path}`, errors);
  }
  return out;
}

function walk(value: unknown, at: At, key: string | undefined, refused: FieldError[], errors: FieldError[]): unknown {
  if (typeof value === 'string') {
    const plain = plainAscii(value);
    if (!plain) {
      const ch = forbiddenChar(value);
      if (ch) {
        refused.push({ path: pointer(at), message: `contains ${ch}, which XML 1.0 cannot carry (a control character or U+FFFE/U+FFFF): refused in any text` });
        return value;
      }
      if (hasLoneSurrogate(value)) {
        errors.push({ path: pointer(at), message: 'must be well-formed Unicode (a lone surrogate was sent)' });
        return value;
      }
    }
    if (key && DIGIT_FIELDS.has(key)) return digitsOnly(value);
    if (key && DATE_FIELDS.has(key)) {
      const vn = toVn(value.trim());
      if (vn === null) {
        errors.push({ path: pointer(at), message: `impossible or malformed date-time "${value.slice(0, 40)}" (RFC 3339 with an offset)` });
        return value;
      }
      return vn;
    }
    return plain ? value : normaliseText(value);
  }
  if (Array.isArray(value)) return value.map((v, i) => walk(v, { up: at, seg: i }, undefined, refused, errors));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      const ch = plainAscii(k) ? undefined : forbiddenChar(k);
      if (ch) {
        const keyPath = `${pointer(at)}/${escapeSeg(k)}`;
        refused.push({ path: keyPath.replace(FORBIDDEN_CHAR_ALL, codePointOf), message: `the key contains ${ch}, which XML 1.0 cannot carry: refused` });
        continue;
      }
      out[k] = walk(v, { up: at, seg: k }, k, refused, errors);
    }
    return out;
  }
  return value;
}
