// Vietnamese numbers (§5.3) and digit strings (§5.4), scanned character by character.
export interface NumberSpec { readonly group: string; readonly decimal: string; readonly integer: boolean }

const isDigits = (s: string) => s.length > 0 && [...s].every((c) => c >= '0' && c <= '9');

/** A number written with these separators, or undefined when it is not one. */
export function parseNumber(value: string, spec: NumberSpec): number | undefined {
  const parts = value.split(spec.decimal);
  if (parts.length > 2 || (parts.length === 2 && spec.integer)) return undefined;
  const [intPart, frac] = parts as [string, string?];
  if (frac !== undefined && !isDigits(frac)) return undefined;
  let digits: string;
  if (spec.group !== '' && intPart.includes(spec.group)) {
    const groups = intPart.split(spec.group);
    if (groups[0]!.length < 1 || groups[0]!.length > 3 || !isDigits(groups[0]!)) return undefined;
    for (let i = 1; i < groups.length; i++) if (groups[i]!.length !== 3 || !isDigits(groups[i]!)) return undefined;
    digits = groups.join('');
  } else {
    if (!isDigits(intPart)) return undefined;
    digits = intPart;
  }
  const whole = Number(digits);
  if (!Number.isSafeInteger(whole)) return undefined;
  return frac === undefined ? whole : Number(`${digits}.${frac}`);
}

/** Grouped by threes with `group`, decimals with `decimal` (§10). */
export function formatNumber(n: number, spec: NumberSpec): string {
  const [intPart, frac] = String(n).split('.') as [string, string?];
  const neg = intPart.startsWith('-') ? '-' : '';
  const digits = neg ? intPart.slice(1) : intPart;
  let grouped = digits;
  if (spec.group !== '') {
    const out: string[] = [];
    for (let end = digits.length; end > 0; end -= 3) out.unshift(digits.slice(Math.max(0, end - 3), end));
    grouped = out.join(spec.group);
  }
  return neg + grouped + (frac !== undefined ? spec.decimal + frac : '');
}

const STRICT_OK = new Set([' ', '.', '-', '(', ')']);

/** Digits only (a leading + kept when `plus`); a string is the reason of a refusal. */
export function keepDigits(value: string, opts: { strict: boolean; lengths?: readonly number[]; plus: boolean }): { value: string } | string {
  const plus = value.startsWith('+');
  let digits = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c >= '0' && c <= '9') digits += c;
    else if (opts.strict && !STRICT_OK.has(c) && !(c === '+' && i === 0)) return `"${value}" holds "${c}", which is not a digit, space, ".", "-", "(", ")" or a leading "+"`;
  }
  if (digits === '') return `"${value}" holds no digit`;
  if (opts.lengths && !opts.lengths.includes(digits.length)) return `"${value}" has ${digits.length} digits; expected ${opts.lengths.join(' or ')}`;
  return { value: (plus && opts.plus ? '+' : '') + digits };
}
