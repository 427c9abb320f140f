// Reading the department's elements with the path of every value kept, so that each refusal names the element
// as the sender wrote it (`/Envelope/Body/TiepNhanHoSo/HoSo/NgayNhan`), whatever the namespace prefixes were.
import { AdapterError } from '../kit/contract.js';
import { child, childrenNamed, type XmlElement } from '../kit/xml.js';
import type { ErrorCode } from '../../src/errors.js';
import { normaliseNote, normaliseText } from '../../src/util/text.js';
import { lookupCode, parseSoapDate, STATUS_BY_CODE } from './codes.js';
import { formatVn } from '../../src/util/time.js';

export function fail(code: ErrorCode, path: string, message: string): never {
  throw new AdapterError(code, `${path}: ${message}`, [{ path, message }]);
}

/** An element and the path it was found at. */
export class Node {
  constructor(
    readonly el: XmlElement,
    readonly path: string,
  ) {}

  /** The first child of this name, when present. */
  sub(name: string): Node | undefined {
    const c = child(this.el, name);
    return c ? new Node(c, `${this.path}/${name}`) : undefined;
  }

  need(name: string): Node {
    return this.sub(name) ?? fail('HUB_VALIDATION', `${this.path}/${name}`, 'required element is missing');
  }

  /** Every child of this name, indexed 0-based in the path (`…/Tep/1`). */
  list(name: string): Node[] {
    return childrenNamed(this.el, name).map((c, i) => new Node(c, `${this.path}/${name}/${i}`));
  }

  /** Normalised text of a child; undefined when the child is absent or empty. */
  opt(name: string, note = false): string | undefined {
    const c = child(this.el, name);
    if (!c) return undefined;
    // XML reads CR LF and a lone CR as LF (XML 1.0 §2.11); multi-line notes keep their line breaks.
    const value = note ? normaliseNote(c.text.replace(/\r\n?/g, '\n')) : normaliseText(c.text);
    return value === '' ? undefined : value;
  }

  req(name: string, note = false): string {
    return this.opt(name, note) ?? fail('HUB_VALIDATION', `${this.path}/${name}`, 'required value is missing or empty');
  }

  /** A `dd/MM/yyyy HH:mm:ss` child as RFC 3339 +07:00. */
  date(name: string, dateOnly: 'start' | 'endOfOfficeDay'): string | undefined {
    const value = this.opt(name);
    if (value === undefined) return undefined;
    const t = parseSoapDate(value, dateOnly);
    if (t === null) fail('HUB_DATE_INVALID', `${this.path}/${name}`, `"${value}" is not a possible dd/MM/yyyy HH:mm:ss date`);
    return formatVn(t);
  }

  reqDate(name: string, dateOnly: 'start' | 'endOfOfficeDay'): string {
    return this.date(name, dateOnly) ?? fail('HUB_VALIDATION', `${this.path}/${name}`, 'required date is missing or empty');
  }

  /** A TrangThai code as the canonical status number; unknown codes are refused, never guessed. */
  status(name: string): number {
    const value = this.req(name);
    return lookupCode(STATUS_BY_CODE, value) ?? fail('HUB_STATUS_UNKNOWN', `${this.path}/${name}`, `unknown status code "${value}"`);
  }

  /** A child parsed by `parse`, refused as HUB_VALIDATION when it does not parse. */
  parsed<T>(name: string, parse: (v: string) => T | null, what: string): T | undefined {
    const value = this.opt(name);
    if (value === undefined) return undefined;
    const out = parse(value);
    if (out === null) fail('HUB_VALIDATION', `${this.path}/${name}`, `"${value}" is not ${what}`);
    return out;
  }
}

/** Leave out the keys whose value is undefined (optional canonical fields are absent, never undefined). */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
