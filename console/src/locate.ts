// Where a native path (mapping.md §3: a JSON Pointer for JSON, local names with 1-based indexes for XML) sits in
// the payload's text, so clicking an error selects it in the payload box. A missing value selects the nearest
// ancestor that exists (where the rule looked).

type Span = [number, number];

/** Spans of every value (and member: key through value) of a JSON text by pointer; null when it does not parse. */
function jsonSpans(text: string): Map<string, Span> | null {
  const spans = new Map<string, Span>();
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
  const value = (ptr: string): void => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') i++;
      else for (;;) {
        ws();
        const keyStart = i;
        const key = str();
        ws(); if (text[i] !== ':') throw new Error('colon'); i++;
        const child = `${ptr}/${esc(key)}`;
        value(child);
        spans.set(`${child}#member`, [keyStart, spans.get(child)![1]]);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; break; }
        throw new Error('object');
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') i++;
      else for (let n = 0; ; n++) {
        value(`${ptr}/${n}`);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; break; }
        throw new Error('array');
      }
    } else if (c === '"') str();
    else {
      const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) throw new Error('value');
      i += m[0].length;
    }
    spans.set(ptr, [start, i]);
  };
  try { value(''); return spans; } catch { return null; }
}

function xmlSpan(text: string, path: string): Span | null {
  const segs = path.split('/').filter(Boolean);
  let pos = 0;
  let found: Span | null = null;
  let last = '';
  const find = (name: string, from: number): Span | null => {
    const re = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s/>])`, 'g');
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return null;
    const close = text.indexOf('>', m.index);
    return [m.index, close < 0 ? m.index + m[0].length : close + 1];
  };
  for (const s of segs) {
    if (/^\d+$/.test(s)) {
      for (let n = 1; n < Number(s) && found; n++) found = find(last, found[1]);
    } else if (s.startsWith('@')) {
      const at = text.indexOf(`${s.slice(1)}=`, found ? found[0] : pos);
      if (at >= 0) {
        const q = text[at + s.length] ?? '"';
        const end = text.indexOf(q, at + s.length + 1);
        found = [at, end < 0 ? at + s.length : end + 1];
      }
    } else {
      const next = find(s, found ? found[1] : pos);
      if (!next) break;
      found = next;
      last = s;
    }
  }
  return found;
}

export function locate(payload: string, nativePath: string): Span | null {
  const t = payload.trimStart();
  if (t.startsWith('<')) return xmlSpan(payload, nativePath);
  const spans = jsonSpans(payload);
  if (!spans) return null;
  for (let p = nativePath; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const s = spans.get(`${p}#member`) ?? spans.get(p);
    if (s) return s;
    if (!p) return null;
  }
}

/** A line diff (longest common subsequence): rows of ' ' same, '-' only in a, '+' only in b. */
export function lineDiff(a: string, b: string): { op: ' ' | '-' | '+'; line: string }[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length, m = y.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = x[i] === y[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: { op: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { out.push({ op: ' ', line: x[i]! }); i++; j++; }
    else if (L[i + 1]![j]! >= L[i]![j + 1]!) out.push({ op: '-', line: x[i++]! });
    else out.push({ op: '+', line: y[j++]! });
  }
  while (i < n) out.push({ op: '-', line: x[i++]! });
  while (j < m) out.push({ op: '+', line: y[j++]! });
  return out;
}
