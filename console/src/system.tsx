// One system: edit its registration (a JSON merge patch, from the form or written by hand), rotate its key
// (shown once, with copy), retire it (confirmed), and its client certificates (api.md "Trust": list, issue
// from a CSR, revoke).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { ErrorBox } from './error.js';
import { KeyOnce } from './pages.js';
import { formatDateTime, statusText, texts, type Lang } from './i18n.js';

interface Agency { code: string; name?: string }
interface Sys {
  id: string; name: string; adapter: string; role: string; level: string; status: string; agencies: (string | Agency)[];
  delivery: { mode: string; url?: string; timeoutMs?: number }; keys: { keyId: string; createdAt: string; validUntil: string | null; lastUsedAt: string | null }[];
  lastSeenAt: string | null; mapping: { activeVersion: number | null; versions: number } | null;
}
interface Cert { serial: string; notBefore: string; notAfter: string; fingerprintSha256: string; revokedAt: string | null }

export function SystemPage({ lang, id }: { lang: Lang; id: string }) {
  const t = texts(lang);
  const [sys, setSys] = useState<Sys | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [form, setForm] = useState({ name: '', agencies: '', mode: 'none', url: '' });
  const [patch, setPatch] = useState('');
  const [overlap, setOverlap] = useState('86400');
  const [shownKey, setShownKey] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [certs, setCerts] = useState<Cert[]>([]);
  const [csr, setCsr] = useState('');
  const [days, setDays] = useState('365');
  const [issued, setIssued] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const base = `/v1/admin/systems/${encodeURIComponent(id)}`;
  const show = (s: Sys) => {
    setSys(s);
    setForm({ name: s.name, agencies: s.agencies.map((a) => (typeof a === 'string' ? a : a.code)).join(', '), mode: s.delivery.mode, url: s.delivery.url ?? '' });
  };
  const load = async () => {
    try { show(await api<Sys>('GET', base)); setCerts((await api<{ items: Cert[] }>('GET', `${base}/certificates`)).items); setErr(null); } catch (x) { setErr(x); }
  };
  useEffect(() => { void load(); }, [id]);
  const act = async (f: () => Promise<string>) => { try { setStatus(await f()); setErr(null); await load(); } catch (x) { setErr(x); setStatus(''); } };
  const merge = (body: unknown) => act(async () => { show(await api<Sys>('PATCH', base, body, 'application/merge-patch+json')); return t.saved; });
  const saveForm = (e: Event) => {
    e.preventDefault();
    if (!sys) return;
    const codes = form.agencies.split(',').map((s) => s.trim()).filter(Boolean);
    const before = sys.agencies.map((a) => (typeof a === 'string' ? a : a.code)).join(',');
    const body: Record<string, unknown> = {};
    if (form.name.normalize('NFC') !== sys.name) body.name = form.name.normalize('NFC');
    if (codes.join(',') !== before) body.agencies = codes.map((c) => sys.agencies.find((a) => typeof a !== 'string' && a.code === c) ?? c);
    if (form.mode !== sys.delivery.mode || (form.mode === 'push' && form.url.trim() !== (sys.delivery.url ?? ''))) body.delivery = form.mode === 'push' ? { mode: 'push', url: form.url.trim() } : { mode: form.mode };
    void merge(body);
  };
  const applyPatch = () => {
    let body: unknown;
    try { body = JSON.parse(patch); } catch (x) { setErr(new Error(`${t.invalidJson}: ${(x as Error).message}`)); return; }
    void merge(body);
  };
  const retired = sys?.status === 'retired';
  return <section aria-labelledby="h-system">
    <h2 id="h-system">{t.editSystem}: {id}</h2>
    <ErrorBox err={err} />
    {status && <p role="status">{status}</p>}
    {shownKey && <KeyOnce lang={lang} id={id} apiKey={shownKey} />}
    {sys && <>
      <p>{t.adapter}: <b>{sys.adapter}</b>{sys.mapping && <> — <a href={`#/mapping/${encodeURIComponent(id)}`}>{t.mappingEditor}</a> ({t.version} {sys.mapping.activeVersion ?? '—'})</>} · {t.role}: {sys.role} · {t.level}: {sys.level} · {t.state}: <b data-testid="system-status">{statusText(lang, sys.status)}</b> · {t.lastSeen}: {formatDateTime(sys.lastSeenAt)}</p>
      <div class="columns two">
        <form onSubmit={saveForm} aria-label={t.editSystem}>
          <p><label for="s-name">{t.name}</label> <input id="s-name" value={form.name} disabled={retired} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} /></p>
          <p><label for="s-agencies">{t.agencies}</label> <input id="s-agencies" value={form.agencies} disabled={retired} onInput={(e) => setForm({ ...form, agencies: (e.target as HTMLInputElement).value })} /></p>
          <p><label for="s-mode">{t.delivery}</label> <select id="s-mode" value={form.mode} disabled={retired} onChange={(e) => setForm({ ...form, mode: (e.target as HTMLSelectElement).value })}>{['none', 'push', 'pull'].map((m) => <option value={m}>{m}</option>)}</select></p>
          {form.mode === 'push' && <p><label for="s-url">{t.url}</label> <input id="s-url" value={form.url} disabled={retired} onInput={(e) => setForm({ ...form, url: (e.target as HTMLInputElement).value })} /></p>}
          <button type="submit" disabled={retired}>{t.save}</button>
          <p><label for="s-patch">{t.mergePatch}</label><br /><textarea id="s-patch" rows={4} spellcheck={false} value={patch} disabled={retired} onInput={(e) => setPatch((e.target as HTMLTextAreaElement).value)} /></p>
          <button type="button" disabled={retired || !patch.trim()} onClick={applyPatch}>{t.apply}</button>
        </form>
        <div>
          <h3>{t.keys}</h3>
          <table><thead><tr><th>ID</th><th>{t.createdAt}</th><th>{t.validUntil}</th><th>{t.lastUsed}</th></tr></thead>
            <tbody>{sys.keys.map((k) => <tr><td><code>{k.keyId}</code></td><td>{formatDateTime(k.createdAt)}</td><td>{formatDateTime(k.validUntil)}</td><td>{formatDateTime(k.lastUsedAt)}</td></tr>)}</tbody></table>
          <p><label for="s-overlap">{t.overlap}</label> <input id="s-overlap" type="number" min="0" max="2592000" value={overlap} disabled={retired} onInput={(e) => setOverlap((e.target as HTMLInputElement).value)} />{' '}
            <button type="button" disabled={retired} onClick={() => void act(async () => { const r = await api<{ apiKey: string }>('POST', `${base}/keys`, { overlapSeconds: Number(overlap) }); setShownKey(r.apiKey); return t.rotate; })}>{t.rotate}</button></p>
          <p>{!confirm ? <button type="button" disabled={retired} onClick={() => setConfirm(true)}>{t.retire}</button>
            : <><button type="button" class="danger" onClick={() => void act(async () => { setConfirm(false); await api('DELETE', base); return t.retire; })}>{t.confirmRetire}</button> <button type="button" class="link" onClick={() => setConfirm(false)}>{t.close}</button></>}</p>
        </div>
      </div>
      <h3>{t.certificates}</h3>
      <table><thead><tr><th>{t.serial}</th><th>{t.notBefore}</th><th>{t.notAfter}</th><th>{t.fingerprint}</th><th>{t.revokedAt}</th><th></th></tr></thead>
        <tbody>{certs.map((c) => <tr data-serial={c.serial}><td><code>{c.serial}</code></td><td>{formatDateTime(c.notBefore)}</td><td>{formatDateTime(c.notAfter)}</td><td><code class="wrap">{c.fingerprintSha256}</code></td><td>{formatDateTime(c.revokedAt)}</td>
          <td>{!c.revokedAt && <button type="button" onClick={() => void act(async () => { await api('DELETE', `${base}/certificates/${c.serial}`); return `${t.revoke}: ${c.serial}`; })}>{t.revoke}</button>}</td></tr>)}</tbody></table>
      <p><label for="s-csr">{t.csr}</label><br /><textarea id="s-csr" rows={5} spellcheck={false} value={csr} disabled={retired} onInput={(e) => setCsr((e.target as HTMLTextAreaElement).value)} /></p>
      <p><label for="s-days">{t.validDays}</label> <input id="s-days" type="number" min="1" max="825" value={days} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />{' '}
        <button type="button" disabled={retired || !csr.trim()} onClick={() => void act(async () => { const r = await api<{ certificate: string; serial: string }>('POST', `${base}/certificates`, { csr, validDays: Number(days) }); setIssued(r.certificate); return `${t.certOnce}: ${r.serial}`; })}>{t.issue}</button></p>
      {issued && <div role="status" class="key"><p>{t.certOnce}</p><pre data-testid="certificate">{issued}</pre><button type="button" onClick={() => void navigator.clipboard?.writeText(issued)}>{t.copy}</button></div>}
    </>}
  </section>;
}
