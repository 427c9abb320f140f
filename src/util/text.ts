// Text normalisation shared by every adapter and the canonical pipeline (canonical.md, "Unicode").

// Zero-width characters that desk software and copy-paste leave behind: ZWSP, ZWNJ, ZWJ, word joiner, BOM.
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const WHITE_RUNS = /\s+/g;

// What the replacements below could change: a zero-width character, white space other than a plain space, two
// spaces in a row, a space at either end. Single characters and anchors only: linear on any input.
const NEEDS_WORK = /[\u200B-\u200D\u2060\uFEFF]|[^\S ]| {2}|^ | $/;

/** NFC, zero-width characters removed, trimmed, inner white-space runs collapsed to one space. */
export function normaliseText(value: string): string {
  const nfc = value.normalize('NFC');
  return NEEDS_WORK.test(nfc) ? nfc.replace(ZERO_WIDTH, '').replace(WHITE_RUNS, ' ').trim() : nfc;
}

/** Multi-line free text (notes, summaries): NFC and zero-width removal, trimmed, inner runs of spaces kept. */
export function normaliseNote(value: string): string {
  return value.normalize('NFC').replace(ZERO_WIDTH, '').trim();
}

/** Phone and id numbers are kept as digits only, a leading '+' kept. */
export function digitsOnly(value: string): string {
  const trimmed = normaliseText(value);
  const plus = trimmed.startsWith('+') ? '+' : '';
  return plus + trimmed.replace(/\D+/g, '');
}

/** Key for matching status names whatever the form the source used: NFC, lower case, single spaces. */
export function foldForMatch(value: string): string {
  return normaliseText(value).toLocaleLowerCase('vi');
}

/** True when the string holds a lone UTF-16 surrogate (text that did not come from valid UTF-8). */
export function hasLoneSurrogate(value: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}
