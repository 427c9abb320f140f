// The dossier page: look up by national code or a department's local number (GET /v1/admin/dossiers/{q}),
// then the canonical document, its timeline of revisions and deliveries, and the DVCQG view.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { ErrorBox } from './error.js';
import { formatDateTime, formatNumber, texts, type Lang } from './i18n.js';

interface Prov { adapter: string; version: number | string; sha256?: string }
interface Answer {
  code: string; matchedBy: 'code' | 'localCode'; system: string | null;
  dossier: { code: string; revision: number; status: number; procedure?: { code: string; name?: string }; agency?: { code: string; name?: string }; applicant?: { name?: string }; receivedAt?: string; dueAt?: string; updatedAt?: string; receiptNumber?: string; altCodes?: { system: string; code: string }[] };
  events: { revision: number; type: string; source: string; at: string; receiptId: string }[];
  revisions: { revision: number; type: string; source: string; at: string; receiptId: string; decodedBy: Prov | null }[];
  deliveries: { system: string; eventId: string; revision: number; state: string; attempts: { at: string; verdict: string; encodedBy: Prov | null }[] }[];
  dvcqg: unknown;
}
const prov = (p: Prov | null) => (p ? `${p.adapter} ${p.version}` : '—');

export function DossierPage({ lang, code }: { lang: Lang; code: string | null }) {
  const t = texts(lang);
  const [q, setQ] = useState(code ?? '');
  const [system, setSystem] = useState('');
  const [systems, setSystems] = useState<string[]>([]);
  const [data, setData] = useState<Answer | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => { api<{ items: { id: string }[] }>('GET', '/v1/admin/systems?status=all&limit=1000').then((r) => setSystems(r.items.map((s) => s.id)), () => {}); }, []);
  const load = async (what: string, sys: string) => {
    try {
      setData(await api<Answer>('GET', `/v1/admin/dossiers/${encodeURIComponent(what)}${sys ? `?system=${encodeURIComponent(sys)}` : ''}`));
      setErr(null);
    } catch (x) { setData(null); setErr(x); }
  };
  useEffect(() => { if (code) void load(code, ''); }, [code]);
  const submit = (e: Event) => { e.preventDefault(); void load(q.trim(), system); };
  const d = data?.dossier;
  // One timeline: each revision, then each delivery attempt, in time order.
  const rows = data ? [
    ...data.revisions.map((r) => ({ at: r.at, kind: `${t.revision} ${r.revision}`, what: r.type, who: r.source, how: prov(r.decodedBy) })),
    ...data.deliveries.flatMap((x) => x.attempts.map((a) => ({ at: a.at, kind: `${t.deliveries} → ${x.system}`, what: `${t.revision} ${x.revision}: ${a.verdict} (${x.state})`, who: x.system, how: prov(a.encodedBy) }))),
  ].sort((a, b) => (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0)) : [];
  return <section aria-labelledby="h-dossier">
    <h2 id="h-dossier">{t.dossiers}</h2>
    <form class="filters" onSubmit={submit}>
      <label>{t.lookupLabel} <input id="d-q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} required /></label>
      <label>{t.system} <select id="d-system" value={system} onChange={(e) => setSystem((e.target as HTMLSelectElement).value)}>
        <option value="">{t.anySystem}</option>{systems.map((s) => <option value={s}>{s}</option>)}</select></label>
      <button type="submit">{t.lookup}</button>
    </form>
    <ErrorBox err={err} />
    {data && d && <>
      <h3 data-testid="dossier-code">{data.code}</h3>
      <dl class="facts">
        <dt>{t.status}</dt><dd data-testid="dossier-status">{d.status}</dd>
        <dt>{t.revision}</dt><dd>{formatNumber(d.revision)}</dd>
        <dt>{t.procedure}</dt><dd>{d.procedure?.code} {d.procedure?.name ?? ''}</dd>
        <dt>{t.agency}</dt><dd>{d.agency?.code} {d.agency?.name ?? ''}</dd>
        <dt>{t.applicant}</dt><dd>{d.applicant?.name ?? '—'}</dd>
        <dt>{t.receipt}</dt><dd>{d.receiptNumber ?? '—'}</dd>
        <dt>{t.at}</dt><dd>{formatDateTime(d.receivedAt ?? null)}</dd>
        {d.altCodes?.length ? <><dt>{t.lookupLabel}</dt><dd>{d.altCodes.map((a) => `${a.system}: ${a.code}`).join('; ')}</dd></> : null}
      </dl>
      <h3>{t.timeline}</h3>
      <table data-testid="timeline"><thead><tr><th>{t.at}</th><th>{t.type}</th><th></th><th>{t.source}</th><th>{t.decodedBy}</th></tr></thead>
        <tbody>{rows.map((r) => <tr><td>{formatDateTime(r.at)}</td><td>{r.kind}</td><td>{r.what}</td><td>{r.who}</td><td><code>{r.how}</code></td></tr>)}</tbody></table>
      <div class="columns two">
        <div><h3>{t.canonical}</h3><pre data-testid="canonical">{JSON.stringify(d, null, 2)}</pre></div>
        <div><h3>{t.dvcqg}</h3><pre data-testid="dvcqg">{JSON.stringify(data.dvcqg, null, 2)}</pre></div>
      </div>
    </>}
  </section>;
}
