// Issue 8, defect 1: no regular expression the hub runs can backtrack super-linearly. Every regex literal (and
// `new RegExp` with a literal source) in src/ and adapters/, and every `pattern` / `patternProperties` key of
// schemas/*.json (ajv compiles them with the `u` flag), goes through recheck, offline. The platform's native
// checker (the optional package npm installs beside recheck) takes well under a second per regex; without it the
// pure-JS backend runs in this process, several seconds per regex on a loaded machine, hence the timeout.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const hasNative = (() => {
  try {
    createRequire(import.meta.url).resolve(`recheck-${process.platform === 'darwin' ? 'macos' : process.platform}-${process.arch}/package.json`);
    return true;
  } catch {
    return false;
  }
})();
process.env.RECHECK_BACKEND = hasNative ? 'native' : 'pure';
const TIMEOUT_MS = hasNative ? 10_000 : 30_000;
const { check } = await import('recheck');

const ROOT = new URL('../../', import.meta.url).pathname;

interface Found {
  where: string;
  source: string;
  flags: string;
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : filesUnder(full, ext);
    return full.endsWith(ext) ? [full] : [];
  });
}

/** Regex literals and `new RegExp('literal', 'flags')` in a TypeScript file, found by the compiler's own parser. */
function regexesIn(file: string): Found[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Found[] = [];
  const where = (node: ts.Node) => `${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) {
      const text = node.text;
      const end = text.lastIndexOf('/');
      out.push({ where: where(node), source: text.slice(1, end), flags: text.slice(end + 1) });
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp' && node.arguments?.length) {
      const [src, flags] = node.arguments;
      if (src && ts.isStringLiteralLike(src)) {
        out.push({ where: where(node), source: src.text, flags: flags && ts.isStringLiteralLike(flags) ? flags.text : '' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** `pattern` values and `patternProperties` keys of a JSON Schema document. */
function patternsIn(file: string): Found[] {
  const out: Found[] = [];
  const visit = (value: unknown, at: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${at}/${i}`));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'pattern' && typeof v === 'string') out.push({ where: `${path.relative(ROOT, file)}#${at}/pattern`, source: v, flags: 'u' });
        if (k === 'patternProperties' && v && typeof v === 'object') {
          for (const p of Object.keys(v)) out.push({ where: `${path.relative(ROOT, file)}#${at}/patternProperties`, source: p, flags: 'u' });
        }
        visit(v, `${at}/${k}`);
      }
    }
  };
  visit(JSON.parse(readFileSync(file, 'utf8')), '');
  return out;
}

const found = [
  ...['src', 'adapters'].flatMap((d) => filesUnder(path.join(ROOT, d), '.ts')).flatMap(regexesIn),
  ...filesUnder(path.join(ROOT, 'schemas'), '.json').flatMap(patternsIn),
];

t.test('the scan finds the regexes (the extraction itself works)', async (t) => {
  t.ok(found.length > 50, `${found.length} regexes found`);
  t.ok(found.some((f) => f.where.startsWith('schemas/')), 'schema patterns are among them');
  t.ok(found.some((f) => f.where.startsWith('adapters/kit/xml.ts')), 'the XML kit is among them');
});

t.test('recheck finds no regex vulnerable to ReDoS', async (t) => {
  // Distinct (source, flags) once each; a few seconds at most per regex (most take milliseconds).
  const unique = new Map<string, Found[]>();
  for (const f of found) unique.set(`${f.flags} ${f.source}`, [...(unique.get(`${f.flags} ${f.source}`) ?? []), f]);
  for (const sites of unique.values()) {
    const { source, flags } = sites[0]!;
    const started = performance.now();
    const d = await check(source, flags, { timeout: TIMEOUT_MS, checker: 'auto' });
    const ms = performance.now() - started;
    const at = sites.map((s) => s.where).join(', ');
    if (d.status === 'vulnerable') t.fail(`/${source}/${flags} at ${at} is vulnerable (${d.complexity.summary}); attack: ${d.attack.pattern}`);
    else if (d.status === 'unknown') t.fail(`/${source}/${flags} at ${at} could not be checked: ${d.error.kind}`);
    else t.pass(`/${source}/${flags} safe (${d.complexity.summary}, ${ms.toFixed(0)} ms) at ${at}`);
  }
  t.comment(`backend ${process.env.RECHECK_BACKEND}, ${unique.size} distinct regexes`);
});
