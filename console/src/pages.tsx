// The list pages over the admin API: systems (register, rotate a key shown once, retire), dead letters (replay,
// discard), the audit log with the chain verification.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { ErrorBox } from './error.js';
import { formatDateTime, statusText, texts, type Lang } from './i18n.js';
import { checkMapping } from './mapping.js';

export function useLoad<T>(url: string): { data: T | null; err: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => { api<T>('GET', url).then((d) => { setData(d); setErr(null); }, setErr); }, [url, n]);
  return { data, err, reload: () => setN(n + 1) };
}

interface Sys { id: string; name: string; adapter: string; role: string; status: string; lastSeenAt: string | null }
const ADAPTERS = ['canonical', 'xay-dung-soap', 'tnmt-xml', 'undp-motcua', 'mapping'];
export function SystemsPage({ lang }: { lang: Lang }) {
  const t = texts(lang);
  const { data, err, reload } = useLoad<{ items: Sys[] }>('/v1/admin/systems?status=all');
  const [actErr, setActErr] = useState<unknown>(null);
  const [shownKey, setShownKey] = useState<{ id: string; key: string } | null>(null);
  const [form, setForm] = useState({ id: '', name: '', agencies: '', adapter: 'canonical', level: 'province', mode: 'none', url: '', mapping: '' });
  const act = async (f: () => Promise<void>) => { try { await f(); setActErr(null); reload(); } catch (x) { setActErr(x); } };
  const mappingCheck = form.adapter === 'mapping' ? checkMapping(form.mapping) : null;
  const register = (e: Event) => { e.preventDefault(); void act(async () => {
    if (mappingCheck && mappingCheck.parsed === undefined) throw new Error(`${t.invalidJson}: ${mappingCheck.syntax ?? ''}`);
    const delivery = form.mode === 'push' ? { mode: 'push', url: form.url.trim() } : { mode: form.mode };
    const r = await api<{ apiKey: string }>('POST', '/v1/admin/systems', {
      id: form.id, name: form.name.normalize('NFC'), adapter: form.adapter, role: 'source', level: form.level,
      agencies: form.agencies.split(',').map((s) => s.trim()).filter(Boolean), delivery,
      subscriptions: form.mode === 'none' ? [] : [{ events: ['dossier.received', 'dossier.status-changed', 'dossier.transferred'], scope: 'own' }],
      mapping: mappingCheck ? mappingCheck.parsed : null,
    });
    setShownKey({ id: form.id, key: r.apiKey });
  }); };
  const field = (k: 'id' | 'name' | 'agencies' | 'url', label: string) => <p><label for={`f-${k}`}>{label}</label> <input id={`f-${k}`} value={form[k]} onInput={(e) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value })} /></p>;
  const choice = (k: 'adapter' | 'level' | 'mode', label: string, options: [string, string][]) => <p><label for={`f-${k}`}>{label}</label> <select id={`f-${k}`} value={form[k]} onChange={(e) => setForm({ ...form, [k]: (e.target as HTMLSelectElement).value })}>{options.map(([v, l]) => <option value={v}>{l}</option>)}</select></p>;
  return <section aria-labelledby="h-systems">
    <h2 id="h-systems">{t.systems}</h2>
    <ErrorBox err={err ?? actErr} />
    {shownKey && <KeyOnce lang={lang} id={shownKey.id} apiKey={shownKey.key} />}
    <table><thead><tr><th>ID</th><th>{t.name}</th><th>{t.adapter}</th><th>{t.state}</th><th>{t.lastSeen}</th><th></th></tr></thead>
      <tbody>{data?.items.map((s) => <tr data-system={s.id}><th scope="row"><a href={`#/systems/${encodeURIComponent(s.id)}`}>{s.id}</a></th><td>{s.name}</td><td>{s.adapter}</td><td>{statusText(lang, s.status)}</td><td>{formatDateTime(s.lastSeenAt)}</td>
        <td>{s.status === 'active' && <>
          <a href={`#/systems/${encodeURIComponent(s.id)}`}>{t.edit}</a>{' '}
          {s.adapter === 'mapping' && <><a href={`#/mapping/${encodeURIComponent(s.id)}`}>{t.mapping}</a>{' '}</>}
          <button type="button" onClick={() => void act(async () => { const r = await api<{ apiKey: string }>('POST', `/v1/admin/systems/${s.id}/keys`, {}); setShownKey({ id: s.id, key: r.apiKey }); })}>{t.rotate}</button>{' '}
          <button type="button" onClick={() => { if (confirm(`${t.confirmRetireOf} ${s.id}?`)) void act(async () => { await api('DELETE', `/v1/admin/systems/${s.id}`); }); }}>{t.retire}</button></>}</td></tr>)}</tbody></table>
    <form onSubmit={register}><h3>{t.register}</h3>{field('id', 'ID')}{field('name', t.name)}{field('agencies', t.agencies)}
      {choice('adapter', t.adapter, ADAPTERS.map((a) => [a, a]))}
      {choice('level', t.level, [['province', t.province], ['commune', t.commune]])}
      {choice('mode', t.delivery, [['none', 'none'], ['push', 'push'], ['pull', 'pull']])}
      {form.mode === 'push' && field('url', t.url)}
      {form.adapter === 'mapping' && <p><label for="f-mapping">{t.mappingDoc}</label> (<a href="#/mapping/new">{t.openEditor}</a>)<br />
        <textarea id="f-mapping" rows={8} spellcheck={false} value={form.mapping} onInput={(e) => setForm({ ...form, mapping: (e.target as HTMLTextAreaElement).value })} />
        {mappingCheck?.syntax && <span class="bad">{t.invalidJson}: {mappingCheck.syntax}</span>}
        {mappingCheck && mappingCheck.errors.length > 0 && <ul class="bad">{mappingCheck.errors.map((e) => <li><code>{e.path || '/'}</code>: {e.message}</li>)}</ul>}</p>}
      <button type="submit">{t.register}</button></form>
  </section>;
}

/** A key (or certificate) shown this once, with a copy button. */
export function KeyOnce({ lang, id, apiKey }: { lang: Lang; id: string; apiKey: string }) {
  const t = texts(lang);
  const [copied, setCopied] = useState(false);
  return <div role="status" class="key"><p>{t.keyOnce} <b>{id}</b>:</p><code data-testid="api-key">{apiKey}</code>{' '}
    <button type="button" onClick={() => void navigator.clipboard?.writeText(apiKey).then(() => setCopied(true), () => setCopied(false))}>{t.copy}</button>{copied ? ' ✓' : ''}</div>;
}

interface Dead { id: string; system: string; dossierCode: string; reason: string; attempts: number; lastResponse: string | null; failedAt: string }
export function DeadLettersPage({ lang }: { lang: Lang }) {
  const t = texts(lang);
  const { data, err, reload } = useLoad<{ items: Dead[] }>('/v1/admin/dead-letters');
  const [actErr, setActErr] = useState<unknown>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const bulk = async (method: 'POST' | 'DELETE') => {
    try {
      for (const id of picked) await api(method, method === 'POST' ? `/v1/admin/dead-letters/${id}/replay` : `/v1/admin/dead-letters/${id}`, method === 'POST' ? {} : undefined);
      setActErr(null);
    } catch (x) { setActErr(x); }
    setPicked(new Set()); reload();
  };
  return <section aria-labelledby="h-dead">
    <h2 id="h-dead">{t.deadLetters}</h2>
    <ErrorBox err={err ?? actErr} />
    <p><button type="button" onClick={reload}>{t.refresh}</button> <button type="button" disabled={!picked.size} onClick={() => void bulk('POST')}>{t.replay}</button> <button type="button" disabled={!picked.size} onClick={() => void bulk('DELETE')}>{t.discard}</button></p>
    <table><thead><tr><th></th><th>{t.system}</th><th>{t.dossier}</th><th>{t.reason}</th><th>{t.attempts}</th><th>{t.lastResponse}</th><th>{t.failedAt}</th></tr></thead>
      <tbody>{data?.items.map((d) => <tr data-dead={d.id}>
        <td><input type="checkbox" aria-label={`${t.pick} ${d.id}`} checked={picked.has(d.id)} onChange={() => { const n = new Set(picked); if (n.has(d.id)) n.delete(d.id); else n.add(d.id); setPicked(n); }} /></td>
        <td>{d.system}</td><td>{d.dossierCode}</td><td>{d.reason}</td><td>{d.attempts}</td><td><code>{d.lastResponse ?? '—'}</code></td><td>{formatDateTime(d.failedAt)}</td></tr>)}</tbody></table>
  </section>;
}

interface Entry { seq: number; at: string; actor: string; action: string; target: string | null; from: string | null }
export function AuditPage({ lang }: { lang: Lang }) {
  const t = texts(lang);
  const [filter, setFilter] = useState({ actor: '', action: '' });
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString();
  const { data, err } = useLoad<{ items: Entry[] }>(`/v1/admin/audit?limit=200${q ? `&${q}` : ''}`);
  const verify = useLoad<{ ok: boolean; entries: number; firstBad?: { seq: number; problem: string } }>('/v1/admin/audit/verify');
  return <section aria-labelledby="h-audit">
    <h2 id="h-audit">{t.audit}</h2>
    <ErrorBox err={err ?? verify.err} />
    {verify.data && <p role="status" data-testid="verify">{verify.data.ok ? `${t.chainOk} (${verify.data.entries})` : `${t.chainBad}: #${verify.data.firstBad?.seq} ${verify.data.firstBad?.problem}`}</p>}
    <p><label for="a-actor">{t.actor}</label> <input id="a-actor" value={filter.actor} onChange={(e) => setFilter({ ...filter, actor: (e.target as HTMLInputElement).value })} />{' '}
      <label for="a-action">{t.action}</label> <input id="a-action" value={filter.action} onChange={(e) => setFilter({ ...filter, action: (e.target as HTMLInputElement).value })} /></p>
    <table><thead><tr><th>#</th><th>{t.time}</th><th>{t.actor}</th><th>{t.action}</th><th>{t.target}</th><th>{t.from}</th></tr></thead>
      <tbody>{data?.items.map((e) => <tr><td>{e.seq}</td><td>{formatDateTime(e.at)}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.target ?? '—'}</td><td>{e.from ?? '—'}</td></tr>)}</tbody></table>
  </section>;
}
