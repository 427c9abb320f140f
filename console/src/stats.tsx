// The on-time report as a chart (plain SVG: no chart library), by agency, month or procedure, with the API's
// filters and a CSV download.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { ErrorBox } from './error.js';
import { formatNumber, isoDate, texts, type Lang } from './i18n.js';

const BUCKETS = [['early', '#1b7f3b'], ['onTime', '#4caf50'], ['late', '#c62828'], ['inProgress', '#1565c0'], ['overdue', '#ef6c00']] as const;
type Counts = Record<(typeof BUCKETS)[number][0] | 'total', number>;
interface Report extends Counts { from: string | null; to: string; groups?: (Counts & { key: string })[] }

export function StatsPage({ lang }: { lang: Lang }) {
  const t = texts(lang);
  const [f, setF] = useState({ groupBy: 'agency', from: '', to: '', agency: '', procedure: '' });
  const [data, setData] = useState<Report | null>(null);
  const [err, setErr] = useState<unknown>(null);
  // Dates typed dd/mm/yyyy, sent yyyy-MM-dd.
  const query = new URLSearchParams(Object.entries(f).map(([k, v]) => [k, k === 'from' || k === 'to' ? isoDate(v) : v] as [string, string]).filter(([, v]) => v)).toString();
  useEffect(() => { api<Report>('GET', `/v1/admin/stats/ontime?${query}`).then((d) => { setData(d); setErr(null); }, setErr); }, [query]);
  const csv = async () => {
    const res = await fetch(`/v1/admin/stats/ontime?${query}`, { headers: { accept: 'text/csv' } });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob());
    a.download = 'ontime.csv';
    a.click();
  };
  const input = (k: keyof typeof f, label: string, date = false) => <label>{label}{date ? ' (dd/mm/yyyy)' : ''} <input placeholder={date ? 'dd/mm/yyyy' : undefined} value={f[k]} onChange={(e) => setF({ ...f, [k]: (e.target as HTMLInputElement).value })} /></label>;
  const groups = data?.groups ?? [];
  const max = Math.max(1, ...groups.map((g) => g.total));
  const rowH = 28;
  return <section aria-labelledby="h-stats">
    <h2 id="h-stats">{t.stats}</h2>
    <ErrorBox err={err} />
    <form class="filters" onSubmit={(e) => e.preventDefault()}>
      <label>{t.groupBy} <select value={f.groupBy} onChange={(e) => setF({ ...f, groupBy: (e.target as HTMLSelectElement).value })}>
        <option value="agency">{t.byAgency}</option><option value="month">{t.byMonth}</option><option value="procedure">{t.byProcedure}</option></select></label>
      {input('from', t.fromDate, true)}{input('to', t.toDate, true)}{input('agency', t.agencyCode)}{input('procedure', t.procedureCode)}
      <button type="button" onClick={() => void csv()}>{t.csv}</button>
    </form>
    {data && <p>{t.total}: <b data-testid="total">{formatNumber(data.total)}</b></p>}
    <svg role="img" aria-label={t.stats} data-testid="chart" width="1000" height={Math.max(1, groups.length) * rowH + 30}>
      {groups.map((g, i) => {
        let x = 220;
        return <g>
          <text x="0" y={i * rowH + 18} font-size="13">{g.key}</text>
          {BUCKETS.map(([b, color]) => { const w = (g[b] / max) * 700; const r = <rect x={x} y={i * rowH + 4} width={w} height={rowH - 8} fill={color}><title>{`${t[b]}: ${formatNumber(g[b])}`}</title></rect>; x += w; return r; })}
          <text x={x + 6} y={i * rowH + 18} font-size="13">{formatNumber(g.total)}</text>
        </g>;
      })}
      <g transform={`translate(220, ${Math.max(1, groups.length) * rowH + 12})`}>{BUCKETS.map(([b, color], i) => <g transform={`translate(${i * 140}, 0)`}><rect width="12" height="12" fill={color} /><text x="16" y="11" font-size="12">{t[b]}</text></g>)}</g>
    </svg>
  </section>;
}
