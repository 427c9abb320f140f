// Issue 8, defect 1: every pre-parse step over untrusted XML runs in linear time. Hostile bodies are built from
// the fragments that made the old regex scan backtrack (`<a<a…`, `<!--…`, unclosed quotes, `&&&…`), repeated
// and randomly mixed (seeded: a failure names its seed), up to the default body limit (1 MiB).
import t from 'tap';
import { XMLValidator } from 'fast-xml-parser';
import { decodeUtf8 } from '../../adapters/kit/bytes.js';
import { parseXmlText, refuseDangerousXml, MAX_XML_DEPTH } from '../../adapters/kit/xml.js';
import { scanXml } from '../../adapters/kit/xml-scan.js';
import { prng } from '../helpers/prng.js';
import { timed } from '../helpers/timing.js';

const LIMIT = 1_048_576; // HUB_BODY_LIMIT's default

const ATOMS = ['<a', '<a ', '<!--', '<![CDATA[', '&', '&#', '&#x', '"', "'", '<?', '</', '<a b="', ' ', '=', 'SYSTEM ', '<!', '-->',
  ']]>', '<a b="1" ', 'xmlns:p="u" ', '<p:a>', '<a>', '<a/>', '>', 'x', '\n', '<!DOCTYPE', 'encoding='];

/** One fragment repeated to `size` characters (the worst shape for a backtracking scan). */
const repeated = (atom: string, size: number) => atom.repeat(Math.ceil(size / atom.length)).slice(0, size);

/** Random fragments to `size`, after an optional well-formed start, from a seeded generator. */
function mixed(seed: number, size: number): string {
  const rnd = prng(seed);
  const parts: string[] = [rnd() < 0.5 ? '<?xml version="1.0" encoding="UTF-8"?><r>' : '<r>'];
  let length = parts[0]!.length;
  while (length < size) {
    const atom = ATOMS[Math.floor(rnd() * ATOMS.length)]!;
    const piece = atom.repeat(1 + Math.floor(rnd() * 200));
    parts.push(piece);
    length += piece.length;
  }
  return parts.join('').slice(0, size);
}

/** Hostile bodies that pass the scan and reach the validator and parser: as many elements and attributes as allowed. */
const wellFormed = (size: number) => {
  const item = '<b c="1" d="2"/>';
  return `<r>${item.repeat(Math.min(Math.floor((size - 7) / item.length), 49_000))}</r>`;
};


const STEPS: Record<string, (text: string) => void> = {
  decodeUtf8: (text) => decodeUtf8(Buffer.from(text)),
  refuseDangerousXml: (text) => refuseDangerousXml(text),
  scanXml: (text) => scanXml(text, MAX_XML_DEPTH),
};

t.test('each pre-parse step takes under 200 ms on hostile bodies up to the body limit', async (t) => {
  const bodies: [string, string][] = [
    ...ATOMS.map((a): [string, string] => [`repeated ${JSON.stringify(a)}`, repeated(a, LIMIT)]),
    ...[1, 2, 3, 4, 5, 6].map((seed): [string, string] => [`mixed seed ${seed}`, mixed(seed, LIMIT)]),
  ];
  for (const [name, text] of bodies) {
    for (const [step, fn] of Object.entries(STEPS)) {
      const ms = timed(() => fn(text));
      t.ok(ms < 200, `${step} on ${name}: ${ms.toFixed(1)} ms`);
    }
  }
  const body = wellFormed(LIMIT);
  t.doesNotThrow(() => scanXml(body, MAX_XML_DEPTH), 'the well-formed body passes the scan');
  // The validator is the library's, run only on what passed the scan and its caps (measured 40–120 ms on a
  // loaded 2-core machine for this body); its bound leaves room for a slower one.
  const ms = timed(() => XMLValidator.validate(body));
  t.ok(ms < 500, `the validator on ${body.length} characters that pass the scan: ${ms.toFixed(1)} ms`);
});

t.test('the old backtracking shapes are refused, fast, with line and column', async (t) => {
  for (const text of ['<a' + '<a'.repeat(4096), '<a>' + '<!--'.repeat(2048), '<a b="' + '<a'.repeat(4096)]) {
    const started = performance.now();
    t.throws(() => parseXmlText(text), { code: 'HUB_REQUEST_MALFORMED', message: /line 1, column \d+/ });
    t.ok(performance.now() - started < 200, `${text.slice(0, 12)}…: refused in ${(performance.now() - started).toFixed(1)} ms`);
  }
});

t.test('doubling a hostile body about doubles the time of the whole parse', async (t) => {
  const shapes: [string, (size: number) => string][] = [
    ['<a<a…', (n) => repeated('<a', n)],
    ['<!--…', (n) => '<r>' + repeated('<!--', n)],
    ['unclosed attribute', (n) => '<r a="' + repeated('&amp;<', n)],
    ['&&&…', (n) => '<r>' + repeated('&', n)],
    ['mixed', (n) => mixed(7, n)],
    ['well-formed, many elements', (n) => wellFormed(n)],
  ];
  for (const [name, make] of shapes) {
    const small = make(LIMIT / 8);
    const large = make(LIMIT / 4);
    // Warm up once so that the first measurement does not carry the compilation.
    // Interleaved runs, the fastest of each: a garbage collection that lands in one run does not decide the ratio.
    timed(() => parseXmlText(small));
    let a = Infinity;
    let b = Infinity;
    for (let i = 0; i < 7; i++) {
      a = Math.min(a, timed(() => parseXmlText(small), 1));
      b = Math.min(b, timed(() => parseXmlText(large), 1));
    }
    // Linear: about 2×. A quadratic scan gives 4×, the old cubic one 8× (and seconds); 50 ms of slack absorbs timer
    // and garbage-collection noise on a loaded machine.
    t.ok(b < 3.5 * a + 50, `${name}: ${a.toFixed(1)} ms → ${b.toFixed(1)} ms for twice the size`);
  }
});
