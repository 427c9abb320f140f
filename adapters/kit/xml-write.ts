// Writing XML (answers, Faults, pushes). The writer refuses to emit what is not well-formed (issue 8, item 6): a
// character XML 1.0 cannot carry (a control character from old stored data, a lone surrogate) or a bad name throws
// an AdapterError, so a delivery dead-letters with a clear reason instead of sending XML no parser accepts.
// Texts of the hub's own error answers go through `xmlSafeText` first, so that an answer is always well-formed.
import { AdapterError } from './contract.js';
import { codePointLabel } from './xml-scan.js';

// One character class each: linear on any input.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NOT_XML_ALL = new RegExp(NOT_XML.source, 'g');
// A QName as the hub writes them (ASCII names, one optional prefix).
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?$/;

/** Escape text for element content and attribute values (quotes included, so it is safe in both). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Text with every character XML 1.0 cannot carry written as `U+0001` (for the hub's own error texts). */
export function xmlSafeText(text: string): string {
  return text.replace(NOT_XML_ALL, (ch) => codePointLabel(ch));
}

/** An element to write: attributes with undefined values are left out; string children are text. */
export interface XmlOut {
  name: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  children?: (XmlOut | string | undefined)[];
}

/** Build an XmlOut (undefined children dropped), for readable encoders. */
export function el(name: string, attrs?: XmlOut['attrs'], ...children: (XmlOut | string | undefined)[]): XmlOut {
  return { name, attrs, children };
}

/** Serialise an element tree; `declaration` prefixes `<?xml version="1.0" encoding="UTF-8"?>`. Throws on what XML cannot hold. */
export function renderXml(node: XmlOut, opts: { declaration?: boolean } = {}): string {
  return (opts.declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '') + render(node, `/${node.name}`);
}

function text(value: string, path: string): string {
  const bad = NOT_XML.exec(value);
  if (bad) {
    throw new AdapterError('HUB_VALIDATION', `Cannot write ${path} as XML: it holds ${codePointLabel(bad[0])}, which XML 1.0 cannot carry`, [
      { path, message: `holds ${codePointLabel(bad[0])}, which XML 1.0 cannot carry` },
    ]);
  }
  return escapeXml(value);
}

function name(value: string, path: string): string {
  if (!NAME.test(value)) throw new AdapterError('HUB_INTERNAL', `Cannot write ${path} as XML: "${xmlSafeText(value).slice(0, 40)}" is not an XML name`);
  return value;
}

function render(node: XmlOut, path: string): string {
  let out = `<${name(node.name, path)}`;
  for (const [k, v] of Object.entries(node.attrs ?? {})) if (v !== undefined) out += ` ${name(k, `${path}/@${k}`)}="${text(String(v), `${path}/@${k}`)}"`;
  const kids = (node.children ?? []).filter((c): c is XmlOut | string => c !== undefined);
  if (!kids.length) return `${out}/>`;
  return `${out}>${kids.map((c) => (typeof c === 'string' ? text(c, path) : render(c, `${path}/${c.name}`))).join('')}</${node.name}>`;
}
