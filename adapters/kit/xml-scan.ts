// The pre-parse scan of untrusted XML text (issue 8: no single caller can freeze the event loop). One hand-written
// pass in linear time: every position is looked at a bounded number of times, skips jump with indexOf from the
// current position, and no regular expression can backtrack over the body. It refuses before the validator or the
// parser runs: a declared encoding other than UTF-8, characters XML 1.0 does not allow (raw or as references),
// undefined entities, broken tag syntax (`<a<a<a…`), unterminated comments/CDATA/PIs, too many attributes,
// over-long names, and nesting deeper than the limit.
import { AdapterError } from './contract.js';

/** Attributes on one element; real gói tin and envelopes carry under 15 (namespace declarations included). */
export const MAX_XML_ATTRIBUTES = 100;
/**
 * Elements in one document. A 1 MiB gói tin of real dossiers holds under 20,000; 260,000 empty `<b/>` fit in the
 * body limit and cost the parser seconds (linear, but a large constant), so the count is capped before it runs.
 */
export const MAX_XML_ELEMENTS = 50_000;
/** Attributes in one document, for the same reason (a real 500-item gói tin carries about 20,000). */
export const MAX_XML_ATTRIBUTES_TOTAL = 100_000;
/** Longest element or attribute name; real names are under 40 characters. */
export const MAX_XML_NAME = 256;

/** U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF: not XML 1.0 characters (one class: linear). */
export const NON_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// A lone surrogate cannot come out of strict UTF-8, but decoded text from elsewhere (parseXmlText) may hold one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `U+0001`: how a character the hub refuses is written in a message (never echoed raw). */
export const codePointLabel = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function position(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: index - lineStart + 1 };
}

export function malformedAt(text: string, index: number, msg: string): AdapterError {
  const { line, col } = position(text, index);
  return new AdapterError('HUB_REQUEST_MALFORMED', `The body is not well-formed XML: ${msg} (line ${line}, column ${col})`, [
    { path: '', message: `line ${line}, column ${col}: ${msg}` },
  ]);
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
// Name characters, loosely (XML 1.0 §2.3 allows most of Unicode): anything that ends a name is excluded.
const endsName = (c: number) => isSpace(c) || c === 0x3e /* > */ || c === 0x2f /* / */ || c === 0x3d /* = */ || c === 0x3c /* < */
  || c === 0x22 || c === 0x27 || c === 0x26 /* & */ || Number.isNaN(c);

const NAMED_REFS = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);

function allowedCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Checks the reference starting at `text[at] === '&'`; returns the index after its `;`. */
function checkReference(text: string, at: number): number {
  // The longest legal reference is `&#x10FFFF;` / `&#1114111;` (leading zeros aside): the `;` is looked for in a
  // bounded window, never with indexOf over the rest of the body (`&&&&…` would be quadratic).
  let semi = -1;
  for (let k = at + 1; k < text.length && k <= at + 12; k++) {
    if (text.charCodeAt(k) === 0x3b) {
      semi = k;
      break;
    }
  }
  if (semi === -1) throw malformedAt(text, at, "'&' must start a reference (write &amp;)");
  const ref = text.slice(at + 1, semi);
  if (NAMED_REFS.has(ref)) return semi + 1;
  let cp = NaN;
  if (ref.startsWith('#x')) cp = /^[0-9a-fA-F]{1,8}$/.test(ref.slice(2)) ? parseInt(ref.slice(2), 16) : NaN;
  else if (ref.startsWith('#')) cp = /^[0-9]{1,10}$/.test(ref.slice(1)) ? parseInt(ref.slice(1), 10) : NaN;
  else throw malformedAt(text, at, `undefined entity &${ref.slice(0, 20)}; (only &lt; &gt; &amp; &quot; &apos; are defined)`);
  if (Number.isNaN(cp)) throw malformedAt(text, at, 'malformed character reference');
  if (!allowedCodePoint(cp)) throw malformedAt(text, at, `the character reference names U+${cp.toString(16).toUpperCase().padStart(4, '0')}, which XML 1.0 does not allow`);
  return semi + 1;
}

/** Skips `<!--…-->`, `<![CDATA[…]]>` or `<?…?>` opening at `at`; returns the index after it. */
function skipTo(text: string, at: number, open: number, close: string, what: string): number {
  const end = text.indexOf(close, at + open);
  if (end === -1) throw malformedAt(text, at, `unterminated ${what}`);
  if (what === 'comment' && text.slice(at + 4, end).includes('--')) throw malformedAt(text, at, "'--' inside a comment");
  return end + close.length;
}

/** A start tag at `text[at] === '<'`; returns the index after its `>` and whether it closes itself. */
function scanStartTag(text: string, at: number): { next: number; empty: boolean; attributes: number } {
  let k = at + 1;
  const nameStart = k;
  while (!endsName(text.charCodeAt(k))) k++;
  if (k === nameStart) throw malformedAt(text, at, "'<' must start a tag (write &lt;)");
  if (k - nameStart > MAX_XML_NAME) throw malformedAt(text, at, `a name longer than ${MAX_XML_NAME} characters`);
  let attributes = 0;
  for (;;) {
    const spaceFrom = k;
    while (isSpace(text.charCodeAt(k))) k++;
    const c = text.charCodeAt(k);
    if (c === 0x3e) return { next: k + 1, empty: false, attributes };
    if (c === 0x2f) {
      if (text.charCodeAt(k + 1) !== 0x3e) throw malformedAt(text, k, "'/' in a tag must be followed by '>'");
      return { next: k + 2, empty: true, attributes };
    }
    if (Number.isNaN(c)) throw malformedAt(text, at, 'unterminated tag');
    if (k === spaceFrom) throw malformedAt(text, k, 'white space expected between attributes');
    // An attribute: Name S? '=' S? quoted value without '<', references checked.
    const attrStart = k;
    while (!endsName(text.charCodeAt(k))) k++;
    if (k === attrStart) throw malformedAt(text, k, `unexpected '${text[k]}' in a tag`);
    if (k - attrStart > MAX_XML_NAME) throw malformedAt(text, attrStart, `a name longer than ${MAX_XML_NAME} characters`);
    if (++attributes > MAX_XML_ATTRIBUTES) throw malformedAt(text, attrStart, `more than ${MAX_XML_ATTRIBUTES} attributes on one element`);
    while (isSpace(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) !== 0x3d) throw malformedAt(text, k, "an attribute needs '=' and a quoted value");
    k++;
    while (isSpace(text.charCodeAt(k))) k++;
    const q = text[k];
    if (q !== '"' && q !== "'") throw malformedAt(text, k, 'an attribute value must be quoted');
    const end = text.indexOf(q, k + 1);
    if (end === -1) throw malformedAt(text, k, 'unterminated attribute value');
    for (let v = k + 1; v < end;) {
      const vc = text.charCodeAt(v);
      if (vc === 0x3c) throw malformedAt(text, v, "'<' inside an attribute value");
      v = vc === 0x26 ? checkReference(text, v) : v + 1;
      if (v > end) throw malformedAt(text, k, "'&' must start a reference (write &amp;)");
    }
    k = end + 1;
  }
}

const ENCODING = /\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/;

/** The XML declaration, when there is one: only UTF-8 may be declared (the body was decoded as UTF-8). */
function checkDeclaration(text: string): void {
  if (!text.startsWith('<?xml') || !(isSpace(text.charCodeAt(5)) || text[5] === '?')) return;
  const end = text.indexOf('?>');
  if (end === -1) throw malformedAt(text, 0, 'unterminated XML declaration');
  const m = ENCODING.exec(text.slice(0, end));
  const encoding = m ? (m[1] ?? m[2] ?? '') : undefined;
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new AdapterError('HUB_REQUEST_ENCODING', `The XML declares encoding "${encoding.slice(0, 40)}"; only UTF-8 is accepted`, [
      { path: '', message: `declared encoding "${encoding.slice(0, 40)}", expected UTF-8` },
    ]);
  }
}

/**
 * The linear pre-parse scan; throws AdapterError 400 (HUB_REQUEST_ENCODING for a declared non-UTF-8 encoding,
 * HUB_REQUEST_MALFORMED otherwise). What it lets through still goes to the validator and the parser.
 */
export function scanXml(text: string, maxDepth: number): void {
  checkDeclaration(text);
  const bad = NON_XML_CHAR.exec(text) ?? LONE_SURROGATE.exec(text);
  if (bad) throw malformedAt(text, bad.index, `${codePointLabel(bad[0])} is not allowed in XML 1.0`);
  let depth = 0;
  let elements = 0;
  let attributes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x26) {
      i = checkReference(text, i);
      continue;
    }
    if (c !== 0x3c) {
      i++;
      continue;
    }
    if (text.startsWith('<!--', i)) i = skipTo(text, i, 4, '-->', 'comment');
    else if (text.startsWith('<![CDATA[', i)) i = skipTo(text, i, 9, ']]>', 'CDATA section');
    else if (text.startsWith('<?', i)) i = skipTo(text, i, 2, '?>', 'processing instruction');
    else if (text.startsWith('<!', i)) throw malformedAt(text, i, "'<!' starts no comment or CDATA section");
    else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i + 2);
      if (end === -1) throw malformedAt(text, i, 'unterminated end tag');
      depth--;
      i = end + 1;
    } else {
      const tag = scanStartTag(text, i);
      if (++elements > MAX_XML_ELEMENTS) throw malformedAt(text, i, `more than ${MAX_XML_ELEMENTS} elements in one document`);
      attributes += tag.attributes;
      if (attributes > MAX_XML_ATTRIBUTES_TOTAL) throw malformedAt(text, i, `more than ${MAX_XML_ATTRIBUTES_TOTAL} attributes in one document`);
      if (!tag.empty && ++depth > maxDepth) {
        throw new AdapterError('HUB_REQUEST_MALFORMED', `The body nests deeper than ${maxDepth} levels`, [{ path: '', message: 'nested too deep' }]);
      }
      i = tag.next;
    }
  }
}
