// Safe XML for untrusted bodies (api.md, "Inbound"; style.md: refusals before any parser).
// Order: strict UTF-8 → refuse DOCTYPE/ENTITY/external references on the text → the linear pre-parse scan
// (xml-scan.ts) → well-formedness with line info → parse (no entity expansion) → a small tree with namespaces
// resolved (an undeclared prefix is refused) and null-prototype attribute maps. Every step is linear in the body.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AdapterError } from './contract.js';
import { decodeUtf8 } from './bytes.js';
import { scanXml } from './xml-scan.js';

export { escapeXml, el, renderXml, xmlSafeText, type XmlOut } from './xml-write.js';

/** Deepest element nesting accepted; real gói tin and SOAP envelopes stay under 10. */
export const MAX_XML_DEPTH = 64;

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** Attributes whose VALUE some consumers use as an object key (`id`, `href`): a prototype name there is refused too. */
const KEY_LIKE_ATTRIBUTES = new Set(['id', 'href']);

/** One element: local name (namespace prefix dropped), attributes by local name, element children in order. */
export interface XmlElement {
  readonly name: string;
  /** The element's namespace URI ('' when it has none), from the declarations in scope. */
  readonly ns: string;
  /** Null-prototype map; values are entity-decoded and trimmed. */
  readonly attrs: Readonly<Record<string, string>>;
  /** Namespace URI of each attribute by local name ('' for unprefixed ones); null-prototype. */
  readonly attrNs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Direct text content, CDATA merged, entity-decoded, trimmed ('' when none). */
  readonly text: string;
  /** Offsets in `ParsedXml.text`: the element's own characters are `text.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
}

export interface ParsedXml {
  root: XmlElement;
  /** The decoded body (BOM dropped); offsets of elements point into it. */
  text: string;
}

export interface ParseXmlOptions {
  /** Nesting limit; defaults to MAX_XML_DEPTH. */
  maxDepth?: number;
}

/** XML white space (§2.3 S): space, tab, CR, LF. */
const isXmlSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Whether `text` holds the ASCII letters of `lower` at `at`, in any case (no slice: this runs once per `<!`). */
function lettersAt(text: string, at: number, lower: string): boolean {
  for (let j = 0; j < lower.length; j++) if ((text.charCodeAt(at + j) | 0x20) !== lower.charCodeAt(j)) return false;
  return true;
}

/** Index of the first `<!DOCTYPE` / `<!ENTITY` (any case, white space allowed after `<!`), or undefined. */
function findDeclaration(text: string): { index: number; length: number } | undefined {
  for (let i = text.indexOf('<!'); i !== -1; i = text.indexOf('<!', i + 2)) {
    let k = i + 2;
    while (isXmlSpace(text.charCodeAt(k))) k++; // a white-space run after `<!` ends before the next `<!`: linear
    if (lettersAt(text, k, 'doctype')) return { index: i, length: k + 7 - i };
    if (lettersAt(text, k, 'entity')) return { index: i, length: k + 6 - i };
  }
  return undefined;
}

/** Index of the first `SYSTEM` / `PUBLIC` keyword (case-sensitive, after a non-word character) followed by a quote. */
function findExternalId(text: string): { index: number; length: number } | undefined {
  let best: { index: number; length: number } | undefined;
  for (const keyword of ['SYSTEM', 'PUBLIC']) {
    for (let i = text.indexOf(keyword); i !== -1 && (best === undefined || i < best.index); i = text.indexOf(keyword, i + keyword.length)) {
      if (i > 0 && /\w/.test(text[i - 1]!)) continue;
      let k = i + keyword.length;
      while (isXmlSpace(text.charCodeAt(k))) k++;
      if (text[k] === '"' || text[k] === "'") {
        best = { index: i, length: k + 1 - i };
        break;
      }
    }
  }
  return best;
}

/**
 * Throws 400 HUB_REQUEST_DOCTYPE when the text declares a DOCTYPE or entity or names an external resource
 * (`SYSTEM "…"`, `PUBLIC '…'`). The keywords are case-sensitive in XML, so lower-case "public" in ordinary text is
 * not refused. Hand-written: the regex it replaces timed out in recheck (issue 8).
 */
export function refuseDangerousXml(text: string): void {
  const found = [findDeclaration(text), findExternalId(text)].filter((f) => f !== undefined).sort((a, b) => a.index - b.index)[0];
  if (found) {
    const what = text.slice(found.index, found.index + found.length).replace(/\s+/g, ' ');
    throw new AdapterError('HUB_REQUEST_DOCTYPE', 'XML with a DOCTYPE, an entity declaration or an external reference is refused', [
      { path: '', message: `refused at character ${found.index}: ${what}` },
    ]);
  }
}

function forbiddenName(name: string, kind: 'element' | 'attribute'): AdapterError {
  return new AdapterError('HUB_REQUEST_FORBIDDEN_KEY', `The ${kind} name "${name}" is not allowed`, [{ path: '', message: `forbidden ${kind} name` }]);
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

function checkName(name: string, kind: 'element' | 'attribute'): string {
  if (FORBIDDEN_NAMES.has(localName(name))) throw forbiddenName(localName(name), kind);
  return name;
}

const parser = new XMLParser({
  preserveOrder: true, // keeps children in document order and gives per-node offsets
  captureMetaData: true,
  processEntities: false, // no DOCTYPE entities ever; the five XML entities and &#…; are decoded below
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false, // prefixes are resolved to namespaces below (an undeclared one is refused)
  parseTagValue: false,
  parseAttributeValue: false,
  // Trimming per text piece would glue "a <![CDATA[b]]> c" into "abc"; the joined text is trimmed instead.
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_XML_DEPTH,
  // Refuse with our code before the parser's own generic "[SECURITY]" error.
  transformTagName: (n: string) => checkName(n, 'element'),
  transformAttributeName: (n: string) => checkName(n, 'attribute'),
});
// The typings say `Symbol` (the wrapper type); at run time it is a plain symbol.
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode the five predefined entities and character references; anything else stays as written. */
export function decodeXmlEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? whole;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    const allowed = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0x10ffff && cp !== 0xfffe && cp !== 0xffff);
    return allowed ? String.fromCodePoint(cp) : whole;
  });
}

/** Parse a UTF-8 body (BOM allowed). Throws AdapterError 400 for encoding, DOCTYPE, malformed, deep or prototype names. */
export function parseXml(body: Buffer, opts: ParseXmlOptions = {}): ParsedXml {
  return parseXmlText(decodeUtf8(body), opts);
}

/** Parse already-decoded text; the same checks as parseXml except the UTF-8 one. */
export function parseXmlText(input: string, opts: ParseXmlOptions = {}): ParsedXml {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  refuseDangerousXml(text);
  const maxDepth = opts.maxDepth ?? MAX_XML_DEPTH;
  scanXml(text, maxDepth);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new AdapterError('HUB_REQUEST_MALFORMED', `The body is not well-formed XML: ${msg} (line ${line}, column ${col})`, [
      { path: '', message: `line ${line}, column ${col}: ${msg}` },
    ]);
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (err) {
    if (err instanceof AdapterError) throw err;
    const msg = (err as Error).message;
    if (msg.startsWith('[SECURITY]')) throw new AdapterError('HUB_REQUEST_FORBIDDEN_KEY', 'The body carries a forbidden name', [{ path: '', message: msg }]);
    throw new AdapterError('HUB_REQUEST_MALFORMED', `The body cannot be parsed as XML: ${msg}`, [{ path: '', message: msg }]);
  }
  const roots = Array.isArray(nodes) ? nodes.map((n) => toElement(n, 1, maxDepth, ROOT_SCOPE)).filter((e): e is XmlElement => e !== null) : [];
  const root = roots[0];
  if (!root || roots.length > 1) {
    throw new AdapterError('HUB_REQUEST_MALFORMED', 'The body must hold exactly one root element', [{ path: '', message: 'one root element expected' }]);
  }
  return { root, text };
}

type NodeMeta = { startIndex?: number; endIndex?: number };
type RawNode = Record<string | symbol, unknown>;

/** Prefix → namespace URI in scope; `xml` is bound by definition (Namespaces in XML §3). */
type Scope = ReadonlyMap<string, string>;
const ROOT_SCOPE: Scope = new Map([['xml', 'http://www.w3.org/XML/1998/namespace'], ['', '']]);

function undeclared(prefix: string, name: string): AdapterError {
  return new AdapterError('HUB_REQUEST_MALFORMED', `The body is not namespace-well-formed XML: the prefix "${prefix}" of ${name} is not declared`, [
    { path: '', message: `undeclared namespace prefix "${prefix}"` },
  ]);
}

/** The scope of an element: its parent's, plus its own xmlns declarations. */
function scopeOf(rawAttrs: Record<string, unknown>, parent: Scope): Scope {
  let scope: Map<string, string> | undefined;
  for (const [key, value] of Object.entries(rawAttrs)) {
    const attr = key.startsWith('@_') ? key.slice(2) : key;
    if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) continue;
    scope ??= new Map(parent);
    scope.set(attr === 'xmlns' ? '' : attr.slice(6), decodeXmlEntities(String(value)).trim());
  }
  return scope ?? parent;
}

function resolve(qname: string, scope: Scope, isAttribute: boolean): { local: string; ns: string } {
  const colon = qname.indexOf(':');
  if (colon === -1) return { local: qname, ns: isAttribute ? '' : scope.get('') ?? '' };
  const prefix = qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined || ns === '') throw undeclared(prefix, qname);
  return { local: qname.slice(colon + 1), ns };
}

function toElement(node: unknown, depth: number, maxDepth: number, parentScope: Scope): XmlElement | null {
  if (node === null || typeof node !== 'object') return null;
  const raw = node as RawNode;
  const qname = Object.keys(raw).find((k) => k !== ':@' && k !== '#text');
  if (qname === undefined) return null;
  if (depth > maxDepth) throw new AdapterError('HUB_REQUEST_MALFORMED', `The body nests deeper than ${maxDepth} levels`, [{ path: '', message: 'nested too deep' }]);
  const rawAttrs = raw[':@'] && typeof raw[':@'] === 'object' ? (raw[':@'] as Record<string, unknown>) : {};
  const scope = scopeOf(rawAttrs, parentScope);
  const { local: name, ns } = resolve(qname, scope, false);
  if (FORBIDDEN_NAMES.has(name)) throw forbiddenName(name, 'element');
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  const attrNs: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(rawAttrs)) {
    const qattr = key.startsWith('@_') ? key.slice(2) : key;
    if (qattr === 'xmlns' || qattr.startsWith('xmlns:')) continue;
    const { local: attr, ns: attrNamespace } = resolve(qattr, scope, true);
    if (FORBIDDEN_NAMES.has(attr)) throw forbiddenName(attr, 'attribute');
    const decoded = decodeXmlEntities(String(value)).trim();
    if (KEY_LIKE_ATTRIBUTES.has(attr) && FORBIDDEN_NAMES.has(decoded)) {
      throw new AdapterError('HUB_REQUEST_FORBIDDEN_KEY', `The ${attr} "${decoded}" is not allowed`, [{ path: '', message: `forbidden ${attr} value` }]);
    }
    attrs[attr] = decoded;
    attrNs[attr] = attrNamespace;
  }
  const children: XmlElement[] = [];
  let text = '';
  const content = raw[qname];
  if (Array.isArray(content)) {
    for (const c of content) {
      if (c && typeof c === 'object' && '#text' in c) text += String((c as Record<string, unknown>)['#text']);
      else {
        const child = toElement(c, depth + 1, maxDepth, scope);
        if (child) children.push(child);
      }
    }
  }
  const meta = raw[META] as NodeMeta | undefined;
  const start = meta?.startIndex ?? 0;
  return { name, ns, attrs, attrNs, children, text: decodeXmlEntities(text).trim(), start, end: meta?.endIndex ?? start };
}

/** The first child element with this local name. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** All child elements with this local name, in document order. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The attribute value, or undefined when absent (never a prototype property). */
export function attr(el: XmlElement, name: string): string | undefined {
  return Object.hasOwn(el.attrs, name) ? el.attrs[name] : undefined;
}
