import t from 'tap';
import { parseXml, parseXmlText, refuseDangerousXml, escapeXml, el, renderXml, child, childrenNamed, attr, MAX_XML_DEPTH } from '../../adapters/kit/xml.js';
import { AdapterError } from '../../adapters/kit/contract.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof AdapterError ? e.code : `not an AdapterError: ${(e as Error).message}`;
  }
  return undefined;
};

t.test('prefixes, BOM, CRLF, CDATA and entities', async (t) => {
  const text = '\uFEFF<?xml version="1.0"?>\r\n<t:A xmlns:t="urn:x" t:x="1 &amp; 2" y="&#x41;&#66;">\r\n <B>hi &amp; <![CDATA[<c>]]> there</B><!-- no --><C q=" 1 "/>\r\n<t:B>two</t:B></t:A>';
  const { root, text: decoded } = parseXml(Buffer.from(text, 'utf8'));
  t.equal(root.name, 'A');
  t.equal(attr(root, 'x'), '1 & 2');
  t.equal(attr(root, 'y'), 'AB');
  t.equal(attr(root, 'toString'), undefined, 'attributes are own properties only');
  t.equal(Object.getPrototypeOf(root.attrs), null);
  t.equal(child(root, 'B')?.text, 'hi & <c> there', 'CDATA merged, spaces between pieces kept');
  t.equal(attr(child(root, 'C')!, 'q'), '1', 'attribute values trimmed');
  t.same(childrenNamed(root, 'B').map((b) => b.text), ['hi & <c> there', 'two']);
  const b = child(root, 'B')!;
  t.equal(decoded.slice(b.start, b.end), '<B>hi &amp; <![CDATA[<c>]]> there</B>', 'offsets give the element as written');
  t.equal(decoded.slice(root.start, root.end).endsWith('</t:A>'), true);
  t.equal(decoded.startsWith('<?xml'), true, 'BOM dropped');
});

t.test('dangerous constructs are refused before parsing', async (t) => {
  t.equal(code(() => refuseDangerousXml('<!DOCTYPE a [<!ENTITY x "y">]><a/>')), 'HUB_REQUEST_DOCTYPE');
  t.equal(code(() => refuseDangerousXml('<!doctype a><a/>')), 'HUB_REQUEST_DOCTYPE');
  t.equal(code(() => refuseDangerousXml('<!ENTITY x SYSTEM "file:///etc/passwd">')), 'HUB_REQUEST_DOCTYPE');
  t.equal(code(() => refuseDangerousXml('<a b=\'SYSTEM "x"\'/>')), 'HUB_REQUEST_DOCTYPE');
  t.equal(code(() => refuseDangerousXml('<a>Công ty public "ABC"</a>')), undefined, 'lower-case public in text is fine');
  t.equal(code(() => parseXmlText('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><a>&lol;</a>')), 'HUB_REQUEST_DOCTYPE');
});

t.test('malformed XML names the line', async (t) => {
  try {
    parseXmlText('<a>\n<b></a>');
    t.fail('should throw');
  } catch (e) {
    t.equal((e as AdapterError).code, 'HUB_REQUEST_MALFORMED');
    t.match((e as AdapterError).message, /line 2/);
  }
  t.equal(code(() => parseXmlText('')), 'HUB_REQUEST_MALFORMED');
  t.equal(code(() => parseXmlText('not xml')), 'HUB_REQUEST_MALFORMED');
  t.equal(code(() => parseXmlText('<a/><b/>')), 'HUB_REQUEST_MALFORMED');
});

t.test('depth limit', async (t) => {
  const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
  t.equal(code(() => parseXmlText(nest(MAX_XML_DEPTH))), undefined);
  t.equal(code(() => parseXmlText(nest(MAX_XML_DEPTH + 1))), 'HUB_REQUEST_MALFORMED');
  const t0 = performance.now();
  t.equal(code(() => parseXmlText(nest(200_000))), 'HUB_REQUEST_MALFORMED');
  t.ok(performance.now() - t0 < 500, 'refused quickly');
});

t.test('prototype names and key-like values', async (t) => {
  for (const x of ['<a><__proto__/></a>', '<a><p:constructor xmlns:p="u"/></a>', '<a prototype="1"/>', '<a x:__proto__="1"/>', '<a id="__proto__"/>', '<a href=" constructor "/>']) {
    t.equal(code(() => parseXmlText(x)), 'HUB_REQUEST_FORBIDDEN_KEY', x);
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.equal(code(() => parseXmlText('<a id="ok" href="constructor-x"/>')), undefined);
});

t.test('strict UTF-8', async (t) => {
  t.equal(code(() => parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]))), 'HUB_REQUEST_ENCODING');
});

t.test('escape and build', async (t) => {
  t.equal(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
  const xml = renderXml(el('K', { a: 'x"<', b: undefined, n: 3 }, el('H'), 'tx&', undefined), { declaration: true });
  t.equal(xml, '<?xml version="1.0" encoding="UTF-8"?>\n<K a="x&quot;&lt;" n="3"><H/>tx&amp;</K>');
  t.equal(child(parseXmlText(xml).root, 'H')?.name, 'H', 'what we write, we read');
});
