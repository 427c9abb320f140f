// The rollout page: the departments in their order with derived state, target date, successor and traffic;
// an entry's target date, system, successor and note changed through PATCH /v1/admin/rollout (linking a system
// is what moves a department from planned on), and the conformance report of its system.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { ErrorBox } from './error.js';
import { formatDate, formatDateTime, formatNumber, isoDate, texts, type Lang } from './i18n.js';

interface Entry {
  id: string; order: number; department: string; successor: string | null; systemId: string | null; targetDate: string | null; note: string | null;
  state: string; stateDetail: string; traffic: { windowDays: number; accepted: number; refused: number; lastSeenAt: string | null; total: { accepted: number; refused: number } };
}
interface Report { system: string; pass: boolean; generatedAt: string; checks: { id: string; state: 'pass' | 'fail' | 'pending'; detail?: string }[] }

const STATES: Record<Lang, Record<string, string>> = {
  vi: { planned: 'Kế hoạch', 'mapping-draft': 'Đang soạn ánh xạ', 'dry-run-ok': 'Chạy thử đạt', 'conformance-ok': 'Tuân thủ đạt', live: 'Đang vận hành' },
  en: { planned: 'Planned', 'mapping-draft': 'Mapping draft', 'dry-run-ok': 'Dry-run ok', 'conformance-ok': 'Conformance ok', live: 'Live' },
};

export function RolloutPage({ lang }: { lang: Lang }) {
  const t = texts(lang);
  const [data, setData] = useState<{ source: string | null; items: Entry[] } | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [picked, setPicked] = useState<Entry | null>(null);
  const [form, setForm] = useState({ targetDate: '', systemId: '', successor: '', note: '' });
  const [report, setReport] = useState<Report | null>(null);
  const [repErr, setRepErr] = useState<unknown>(null);
  const load = async () => { try { setData(await api('GET', '/v1/admin/rollout')); setErr(null); } catch (x) { setErr(x); } };
  useEffect(() => { void load(); }, []);
  useEffect(() => {
    setReport(null); setRepErr(null);
    if (picked?.systemId) api<Report>('GET', `/v1/admin/systems/${encodeURIComponent(picked.systemId)}/conformance`).then(setReport, setRepErr);
  }, [picked?.id, picked?.systemId]);
  const pick = (e: Entry) => { setPicked(e); setForm({ targetDate: formatDate(e.targetDate).replace('—', ''), systemId: e.systemId ?? '', successor: e.successor ?? '', note: e.note ?? '' }); };
  const save = async (ev: Event) => {
    ev.preventDefault();
    if (!picked) return;
    const orNull = (s: string) => (s.trim() ? s.trim().normalize('NFC') : null);
    try {
      const targetDate = isoDate(form.targetDate);
      const r = await api<{ source: string | null; items: Entry[] }>('PATCH', '/v1/admin/rollout', {
        entries: [{ id: picked.id, ...(targetDate ? { targetDate } : {}), systemId: orNull(form.systemId), successor: orNull(form.successor), note: orNull(form.note) }],
      });
      setData(r); setErr(null);
      const again = r.items.find((x) => x.id === picked.id);
      if (again) setPicked(again);
    } catch (x) { setErr(x); }
  };
  const stateText: Record<string, string> = { pass: t.pass, fail: t.fail, pending: t.pendingState };
  return <section aria-labelledby="h-rollout">
    <h2 id="h-rollout">{t.rollout}</h2>
    <ErrorBox err={err} />
    {data?.source && <p>{data.source}</p>}
    <table data-testid="rollout"><thead><tr><th>{t.order}</th><th>{t.department}</th><th>{t.state}</th><th>{t.targetDate}</th><th>{t.successor}</th><th>{t.systemId}</th><th>{t.traffic}</th><th></th></tr></thead>
      <tbody>{data?.items.map((e) => <tr data-entry={e.id} class={picked?.id === e.id ? 'picked' : ''}>
        <td>{e.order}</td><th scope="row">{e.department}</th><td><span class={`state ${e.state}`}>{(STATES[lang][e.state] ?? e.state)} (<code>{e.state}</code>)</span> <small>{e.stateDetail}</small></td>
        <td>{formatDate(e.targetDate)}</td><td>{e.successor ?? '—'}</td><td>{e.systemId ?? '—'}</td>
        <td>{formatNumber(e.traffic.accepted)} {t.accepted} / {formatNumber(e.traffic.refused)} {t.refusedN} ({e.traffic.windowDays} {t.windowDays}){e.traffic.lastSeenAt ? `, ${formatDateTime(e.traffic.lastSeenAt)}` : ''}</td>
        <td><button type="button" aria-label={`${t.edit} ${e.department}`} onClick={() => pick(e)}>{t.edit}</button></td></tr>)}</tbody></table>
    {picked && <div class="columns two">
      <form onSubmit={save} aria-label={t.updateEntry}>
        <h3>{picked.order}. {picked.department}</h3>
        <p><label for="r-target">{t.targetDate}</label> <input id="r-target" placeholder="dd/mm/yyyy" inputMode="numeric" value={form.targetDate} onInput={(e) => setForm({ ...form, targetDate: (e.target as HTMLInputElement).value })} /></p>
        <p><label for="r-system">{t.systemId}</label> <input id="r-system" value={form.systemId} onInput={(e) => setForm({ ...form, systemId: (e.target as HTMLInputElement).value })} /></p>
        <p><label for="r-successor">{t.successor}</label> <select id="r-successor" value={form.successor} onChange={(e) => setForm({ ...form, successor: (e.target as HTMLSelectElement).value })}>
          <option value="">—</option>{data?.items.filter((x) => x.id !== picked.id).map((x) => <option value={x.id}>{x.order}. {x.department}</option>)}</select></p>
        <p><label for="r-note">{t.note}</label> <input id="r-note" value={form.note} onInput={(e) => setForm({ ...form, note: (e.target as HTMLInputElement).value })} /></p>
        <button type="submit">{t.updateEntry}</button> <button type="button" class="link" onClick={() => setPicked(null)}>{t.close}</button>
      </form>
      <div data-testid="conformance">
        <h3>{t.conformance}{picked.systemId ? `: ${picked.systemId}` : ''}</h3>
        <ErrorBox err={repErr} />
        {report && <><p><b>{report.pass ? t.pass : t.fail}</b> ({formatDateTime(report.generatedAt)})</p>
          <table><thead><tr><th>{t.check}</th><th>{t.result}</th><th></th></tr></thead>
            <tbody>{report.checks.map((c) => <tr data-check={c.id}><td><code>{c.id}</code></td><td class={`state ${c.state}`}>{stateText[c.state] ?? c.state}</td><td>{c.detail ?? ''}</td></tr>)}</tbody></table></>}
      </div>
    </div>}
  </section>;
}
