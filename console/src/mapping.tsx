// The mapping editor (issue 15): the lgsp-mapping/1 document validated as you type against
// schemas/mapping.v1.schema.json (Ajv's standalone validator, built with the console, with the hub's own
// sentences and pointers), a sample payload beside it, and the dry-run's answer beside both: each item's
// canonical change, each error with its canonical field, native path and rule (clicking one selects the spot in
// the payload), the unread native fields, the re-encoded preview. For a registered system: save as a new
// version, approve samples, roll back to an earlier version, a line diff between two versions. For a new one:
// register the system with the document as its version 1.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ErrorObject } from 'ajv';
import { api } from './api.js';
import { ErrorBox } from './error.js';
import { formatDateTime, texts, type Lang } from './i18n.js';
import { lineDiff, locate } from './locate.js';
import { KeyOnce } from './pages.js';
import validateMapping from './generated/mapping-validate.js';
import { translateAjv } from '../../adapters/kit/mapping/ajv-messages.js';

interface DryError { code: string; canonical: string | null; native: string | null; rule: string | null; value?: string; message: string }
interface DryItem {
  index: number; ok: boolean; ref?: Record<string, string>; change?: unknown; errors: DryError[]; unread?: string[];
  encoded?: { contentType: string; body: string }; roundTrip?: { equal: boolean; lost: string[]; diff: unknown[] };
}
interface DryAnswer {
  mapping: { sha256?: string; warnings?: { path: string; message: string }[] }; batch: boolean;
  refused?: { code: string; status: number; detail: string; errors: { path: string; message: string }[] };
  items: DryItem[]; samples?: { id: string; name: string; reproduces: boolean }[];
}
interface Version { version: number; sha256: string; createdAt: string; createdBy: string; note: string | null; active: boolean }
interface Sample { id: string; name: string; approvedVersion: string; ok: boolean; reproduces: boolean }

/** The editor's texts outlive a page change (a new system's draft becomes the registered system's). */
const drafts = new Map<string, { doc: string; payload: string; contentType: string }>();
/** The API key of a system just registered here, shown once on its editor page. */
const newKeys = new Map<string, string>();

/** Local check as you type: JSON syntax, then the mapping schema; errors as the hub words them (mapping.md §14). */
export function checkMapping(text: string): { parsed?: unknown; syntax?: string; errors: { path: string; message: string }[] } {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch (e) { return { syntax: (e as Error).message, errors: [] }; }
  if (validateMapping(parsed)) return { parsed, errors: [] };
  return { parsed, errors: translateAjv((validateMapping.errors ?? []) as ErrorObject[]) };
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export function MappingPage({ lang, systemId }: { lang: Lang; systemId: string | null }) {
  const t = texts(lang);
  const key = systemId ?? '';
  const draft = drafts.get(key) ?? { doc: '', payload: '', contentType: 'application/json' };
  const [doc, setDoc] = useState(draft.doc);
  const [payload, setPayload] = useState(draft.payload);
  const [contentType, setContentType] = useState(draft.contentType);
  const [answer, setAnswer] = useState<DryAnswer | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [reg, setReg] = useState({ id: '', name: '', agencies: '', level: 'province' });
  const [versions, setVersions] = useState<{ active: number | null; items: Version[] } | null>(null);
  const [samples, setSamples] = useState<Sample[]>([]);
  const [note, setNote] = useState('');
  const [sampleName, setSampleName] = useState('');
  const [cmp, setCmp] = useState<{ a: string; b: string; rows: ReturnType<typeof lineDiff> | null }>({ a: '', b: '', rows: null });
  const [n, setN] = useState(0);
  const [shownKey] = useState(() => { const k = newKeys.get(key); newKeys.delete(key); return k ?? null; });
  const payloadBox = useRef<HTMLTextAreaElement>(null);
  const runSeq = useRef(0);
  const reload = () => setN(n + 1);
  useEffect(() => { drafts.set(key, { doc, payload, contentType }); }, [key, doc, payload, contentType]);

  // A registered system: its versions, the active document (unless a draft is open), its samples.
  useEffect(() => {
    if (!systemId) return;
    void (async () => {
      try {
        const list = await api<{ active: number | null; items: Version[] }>('GET', `/v1/admin/systems/${systemId}/mappings`);
        setVersions(list);
        if (!drafts.get(key)?.doc && list.active !== null) {
          const v = await api<{ document: unknown }>('GET', `/v1/admin/systems/${systemId}/mappings/${list.active}`);
          setDoc(pretty(v.document));
        }
        setSamples((await api<{ items: Sample[] }>('GET', `/v1/admin/systems/${systemId}/samples`)).items);
      } catch (x) { setErr(x); }
    })();
  }, [systemId, n]);

  const local = checkMapping(doc);
  const localOk = !local.syntax && local.errors.length === 0 && doc.trim() !== '';

  const run = async () => {
    const seq = ++runSeq.current;
    if (!localOk || !payload.trim()) return;
    try {
      const body: Record<string, unknown> = { mapping: local.parsed, contentType, payload, options: { encode: true } };
      if (systemId) body.system = systemId;
      const a = await api<DryAnswer>('POST', '/v1/admin/adapters/dry-run', body);
      if (seq === runSeq.current) { setAnswer(a); setErr(null); }
    } catch (x) { if (seq === runSeq.current) { setAnswer(null); setErr(x); } }
  };
  // As you type: the dry-run follows the last edit of either box, once the document passes the local check.
  useEffect(() => { const h = setTimeout(() => void run(), 700); return () => clearTimeout(h); }, [doc, payload, contentType]);

  // Reloaded after a refusal too: a version that failed its activation suite is stored, inactive.
  const act = async (f: () => Promise<string>) => { try { setStatus(await f()); setErr(null); } catch (x) { setErr(x); setStatus(''); } reload(); };
  const select = (native: string | null) => {
    const box = payloadBox.current;
    if (!box || native === null) return;
    const span = locate(box.value, native);
    if (!span) return;
    box.focus();
    box.setSelectionRange(span[0], span[1]);
    // Bring the selection into view: the line's share of the box's height.
    const line = box.value.slice(0, span[0]).split('\n').length;
    box.scrollTop = Math.max(0, (line - 3) * (box.scrollHeight / Math.max(1, box.value.split('\n').length)));
  };

  const register = (e: Event) => { e.preventDefault(); void act(async () => {
    if (!localOk) throw new Error(t.schemaErrors);
    const id = reg.id.trim();
    const r = await api<{ apiKey: string }>('POST', '/v1/admin/systems', {
      id, name: reg.name.normalize('NFC'), adapter: 'mapping', role: 'source', level: reg.level,
      agencies: reg.agencies.split(',').map((s) => s.trim()).filter(Boolean), delivery: { mode: 'none' }, subscriptions: [], mapping: local.parsed,
    });
    drafts.set(id, { doc, payload, contentType });
    newKeys.set(id, r.apiKey);
    location.hash = `#/mapping/${encodeURIComponent(id)}`;
    return `${t.registered}: ${id}`;
  }); };
  const save = () => void act(async () => {
    const r = await api<{ version: number }>('PUT', `/v1/admin/systems/${systemId}/mapping`, { mapping: local.parsed, ...(note ? { note: note.normalize('NFC') } : {}) });
    return `${t.saved}: ${t.version} ${r.version}`;
  });
  const approve = () => void act(async () => {
    const r = await api<{ id: string; name: string }>('POST', `/v1/admin/systems/${systemId}/samples`, { name: (sampleName || `mẫu ${new Date().toISOString()}`).normalize('NFC'), contentType, payload });
    return `${t.saved}: ${r.name}`;
  });
  const compare = () => void act(async () => {
    const get = async (v: string) => pretty((await api<{ document: unknown }>('GET', `/v1/admin/systems/${systemId}/mappings/${v}`)).document);
    setCmp({ ...cmp, rows: lineDiff(await get(cmp.a), await get(cmp.b)) });
    return '';
  });

  const errorsOf = (items: DryItem[]) => items.flatMap((it) => it.errors.map((e) => ({ ...e, index: it.index })));
  const itemErrors = answer ? errorsOf(answer.items) : [];
  return <section aria-labelledby="h-mapping" class="mapping">
    <h2 id="h-mapping">{t.mappingEditor}{systemId ? `: ${systemId}` : ` — ${t.newMappingSystem}`}</h2>
    <ErrorBox err={err} />
    {status && <p role="status" data-testid="status">{status}</p>}
    {shownKey && systemId && <KeyOnce lang={lang} id={systemId} apiKey={shownKey} />}
    {!systemId && <form class="inline" onSubmit={register} aria-label={t.register}>
      <label>ID <input id="m-id" value={reg.id} onInput={(e) => setReg({ ...reg, id: (e.target as HTMLInputElement).value })} required /></label>
      <label>{t.name} <input id="m-name" value={reg.name} onInput={(e) => setReg({ ...reg, name: (e.target as HTMLInputElement).value })} required /></label>
      <label>{t.agencies} <input id="m-agencies" value={reg.agencies} onInput={(e) => setReg({ ...reg, agencies: (e.target as HTMLInputElement).value })} /></label>
      <label>{t.level} <select value={reg.level} onChange={(e) => setReg({ ...reg, level: (e.target as HTMLSelectElement).value })}><option value="province">{t.province}</option><option value="commune">{t.commune}</option></select></label>
      <button type="submit" disabled={!localOk}>{t.register}</button>
    </form>}
    <div class="columns">
      <div>
        <label for="m-doc">{t.mappingDoc}</label>
        <textarea id="m-doc" spellcheck={false} value={doc} onInput={(e) => setDoc((e.target as HTMLTextAreaElement).value)} />
        <div data-testid="schema-check" aria-live="polite">
          {local.syntax ? <p class="bad">{t.invalidJson}: {local.syntax}</p>
            : local.errors.length ? <><p class="bad">{t.schemaErrors} ({local.errors.length})</p><ul>{local.errors.map((e) => <li><code>{e.path || '/'}</code>: {e.message}</li>)}</ul></>
            : doc.trim() ? <p class="good">✓ {t.valid}</p> : null}
        </div>
      </div>
      <div>
        <label for="m-payload">{t.payload}</label>
        <textarea id="m-payload" ref={payloadBox} spellcheck={false} value={payload} onInput={(e) => setPayload((e.target as HTMLTextAreaElement).value)} />
        <p><label>{t.contentType} <select value={contentType} onChange={(e) => setContentType((e.target as HTMLSelectElement).value)}>
          {['application/json', 'text/plain', 'application/xml', 'text/xml'].map((c) => <option value={c}>{c}</option>)}</select></label>{' '}
          <button type="button" onClick={() => void run()} disabled={!localOk || !payload.trim()}>{t.dryRun}</button></p>
      </div>
      <div class="result" data-testid="dry-run" aria-live="polite">
        <h3>{t.dryRunResult}</h3>
        {answer?.refused && <div class="error" data-testid="refused"><strong>{answer.refused.code}</strong> {t.refused}: {answer.refused.detail}
          <ul>{answer.refused.errors.map((e) => <li><code>{e.path}</code>: {e.message}</li>)}</ul></div>}
        {answer && answer.items.map((it) => <div class={it.ok ? 'item item-ok' : 'item item-bad'} data-item={it.index} data-ok={String(it.ok)}>
          <p><b class={it.ok ? 'good' : 'bad'}>{t.item} {it.index + 1}: {it.ok ? `✓ ${t.itemOk}` : `✗ ${t.itemErrors}`}</b> {it.ref && <code>{JSON.stringify(it.ref)}</code>}</p>
          {it.errors.length > 0 && <ol class="errors">{it.errors.map((e) => <li data-native={e.native ?? ''}>
            <code class="bad">{e.code}</code> {e.message}{e.value !== undefined ? <> (<code>{JSON.stringify(e.value)}</code>)</> : null}
            <dl><dt>{t.canonicalField}</dt><dd><code>{e.canonical ?? '—'}</code></dd>
              <dt>{t.nativePath}</dt><dd>{e.native !== null ? <button type="button" class="link" onClick={() => select(e.native)}>{e.native}</button> : '—'}</dd>
              <dt>{t.rule}</dt><dd><code>{e.rule ?? '—'}</code></dd></dl></li>)}</ol>}
          <details open={it.ok}><summary>{t.change}</summary><pre data-testid="change">{pretty(it.change ?? null)}</pre></details>
          <p data-testid="unread">{t.unread}: {it.unread?.length ? it.unread.map((u) => <><button type="button" class="link" onClick={() => select(u)}>{u}</button>{' '}</>) : t.none}</p>
          {it.roundTrip && <p>{t.roundTrip}: {it.roundTrip.equal ? `✓ ${t.yes}` : `✗ ${t.no}`}{it.roundTrip.lost.length ? ` (${it.roundTrip.lost.join(', ')})` : ''}</p>}
          {it.encoded && <details><summary>{t.encoded} ({it.encoded.contentType})</summary><pre data-testid="encoded">{prettyBody(it.encoded.body)}</pre></details>}
        </div>)}
        {answer?.mapping.warnings?.length ? <><p>{t.warnings}</p><ul>{answer.mapping.warnings.map((w) => <li><code>{w.path}</code>: {w.message}</li>)}</ul></> : null}
        {answer?.samples && <><p>{t.samples}</p><ul>{answer.samples.map((s) => <li>{s.name}: {t.reproduces} {s.reproduces ? t.yes : t.no}</li>)}</ul></>}
        {answer && <p class="sr-only" data-testid="error-count">{itemErrors.length}</p>}
      </div>
    </div>
    {systemId && <div class="columns two">
      <div>
        <h3>{t.versions}</h3>
        <p><label>{t.note} <input id="m-note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} /></label>{' '}
          <button type="button" onClick={save} disabled={!localOk}>{t.saveVersion}</button></p>
        <table><thead><tr><th>{t.version}</th><th>{t.createdAt}</th><th>{t.createdBy}</th><th>{t.note}</th><th></th></tr></thead>
          <tbody>{versions?.items.map((v) => <tr data-version={v.version}><td>{v.version}{v.active ? ` (${t.active})` : ''}</td><td>{formatDateTime(v.createdAt)}</td><td>{v.createdBy}</td><td>{v.note ?? ''}</td>
            <td>{!v.active && <button type="button" onClick={() => void act(async () => {
              await api('POST', `/v1/admin/systems/${systemId}/mappings/${v.version}/activate`, {});
              drafts.delete(key); setDoc(pretty((await api<{ document: unknown }>('GET', `/v1/admin/systems/${systemId}/mappings/${v.version}`)).document));
              return `${t.activate}: ${t.version} ${v.version}`;
            })}>{v.version < (versions.active ?? 0) ? t.rollBack : t.activate}</button>}</td></tr>)}</tbody></table>
        <h3>{t.diff}</h3>
        <p><label>A <select id="m-diff-a" value={cmp.a} onChange={(e) => setCmp({ ...cmp, a: (e.target as HTMLSelectElement).value })}><option value="">—</option>{versions?.items.map((v) => <option value={String(v.version)}>{v.version}</option>)}</select></label>{' '}
          <label>B <select id="m-diff-b" value={cmp.b} onChange={(e) => setCmp({ ...cmp, b: (e.target as HTMLSelectElement).value })}><option value="">—</option>{versions?.items.map((v) => <option value={String(v.version)}>{v.version}</option>)}</select></label>{' '}
          <button type="button" disabled={!cmp.a || !cmp.b} onClick={compare}>{t.compare}</button></p>
        {cmp.rows && <pre class="diff" data-testid="diff">{cmp.rows.filter((r, i, all) => r.op !== ' ' || all.slice(Math.max(0, i - 2), i + 3).some((x) => x.op !== ' ')).map((r) => <div class={r.op === '+' ? 'add' : r.op === '-' ? 'del' : ''}>{r.op} {r.line}</div>)}</pre>}
      </div>
      <div>
        <h3>{t.samples}</h3>
        <p><label>{t.sampleName} <input id="m-sample" value={sampleName} onInput={(e) => setSampleName((e.target as HTMLInputElement).value)} /></label>{' '}
          <button type="button" onClick={approve} disabled={!payload.trim()}>{t.approveSample}</button></p>
        <table><thead><tr><th>{t.sampleName}</th><th>{t.version}</th><th>{t.itemOk}</th><th>{t.reproduces}</th><th></th></tr></thead>
          <tbody>{samples.map((s) => <tr data-sample={s.id}><td>{s.name}</td><td>{s.approvedVersion}</td><td>{s.ok ? t.yes : t.no}</td><td>{s.reproduces ? t.yes : t.no}</td>
            <td><button type="button" onClick={() => void act(async () => { await api('POST', `/v1/admin/systems/${systemId}/samples/${s.id}/approve`, {}); return `${t.reapprove}: ${s.name}`; })}>{t.reapprove}</button></td></tr>)}</tbody></table>
      </div>
    </div>}
  </section>;
}

function prettyBody(body: string): string {
  try { return pretty(JSON.parse(body)); } catch { return body; }
}
