// The administrator console: sign-in, the overview (refreshing itself), the systems list, sign-out.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf } from './api.js';
import { ErrorBox } from './error.js';
import { AuditPage, DeadLettersPage, SystemsPage } from './pages.js';
import { StatsPage } from './stats.js';
import { MappingPage } from './mapping.js';
import { DossierPage } from './dossier.js';
import { RolloutPage } from './rollout.js';
import { SystemPage } from './system.js';
import { formatDateTime, formatNumber, formatPercent, statusText, texts, type Lang } from './i18n.js';
import './style.css';

interface Session { actor: string; csrfToken: string; expiresAt: string }
interface SystemRow { id: string; name: string; adapter: string; status: string; lastSeenAt: string | null; today: { accepted: number; refused: number; errorRate: number | null }; deliveries: { pending: number; failed: number }; mailbox: number }
interface Overview { generatedAt: string; store: string; broker: string; outbox: { count: number; oldestSeconds: number }; systems: SystemRow[] }

function SignIn({ lang, onIn }: { lang: Lang; onIn: (s: Session) => void }) {
  const t = texts(lang);
  const [token, setToken] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try { onIn(await api<Session>('POST', '/v1/console/session', { token })); } catch (x) { setErr(x); }
  };
  return <form class="card" onSubmit={submit}>
    <h1>{t.title}</h1>
    <label for="token">{t.token}</label>
    <input id="token" type="password" autocomplete="current-password" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} required />
    <button type="submit">{t.signIn}</button>
    <ErrorBox err={err} />
  </form>;
}

function OverviewPage({ lang }: { lang: Lang }) {
  const t = texts(lang);
  const [data, setData] = useState<Overview | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      try { const o = await api<Overview>('GET', '/v1/admin/overview'); if (!stop) { setData(o); setErr(null); } } catch (x) { if (!stop) setErr(x); }
    };
    void load();
    const timer = setInterval(load, 5000);
    return () => { stop = true; clearInterval(timer); };
  }, []);
  return <section aria-labelledby="h-overview">
    <h2 id="h-overview">{t.overview}</h2>
    <ErrorBox err={err} />
    {data && <>
      <p class="tiles">
        <span>{t.store}: <b data-testid="store">{data.store}</b></span>
        <span>{t.broker}: <b data-testid="broker">{data.broker}</b></span>
        <span>{t.outbox}: <b>{formatNumber(data.outbox.count)}</b> ({t.oldest} {formatNumber(data.outbox.oldestSeconds)} {t.seconds})</span>
        <span>{t.refreshed} {formatDateTime(data.generatedAt)}</span>
      </p>
      <table>
        <thead><tr><th>{t.system}</th><th>{t.state}</th><th>{t.lastSeen}</th><th>{t.today}</th><th>{t.errorRate}</th><th>{t.pending}</th><th>{t.failed}</th><th>{t.mailbox}</th></tr></thead>
        <tbody>{data.systems.map((s) => <tr data-system={s.id}>
          <th scope="row"><a href={`#/systems/${encodeURIComponent(s.id)}`}>{s.id}</a></th><td>{statusText(lang, s.status)}</td><td>{s.lastSeenAt ? formatDateTime(s.lastSeenAt) : t.never}</td>
          <td class="today">{formatNumber(s.today.accepted)}</td><td>{formatPercent(s.today.errorRate)}</td>
          <td>{formatNumber(s.deliveries.pending)}</td><td>{formatNumber(s.deliveries.failed)}</td><td>{formatNumber(s.mailbox)}</td>
        </tr>)}</tbody>
      </table>
    </>}
  </section>;
}

/** Hash routes: #/systems, #/systems/<id>, #/mapping/new, #/mapping/<id>, #/rollout, #/dossiers[/<code>], … */
function page(route: string, lang: Lang) {
  const [, head = '', arg] = /^#\/([a-z-]*)(?:\/(.+))?$/.exec(route) ?? [];
  const param = arg === undefined ? null : decodeURIComponent(arg);
  switch (head) {
    case 'systems': return param ? <SystemPage key={param} lang={lang} id={param} /> : <SystemsPage lang={lang} />;
    case 'mapping': return <MappingPage key={param ?? 'new'} lang={lang} systemId={param === 'new' ? null : param} />;
    case 'rollout': return <RolloutPage lang={lang} />;
    case 'dossiers': return <DossierPage key={param ?? ''} lang={lang} code={param} />;
    case 'dead-letters': return <DeadLettersPage lang={lang} />;
    case 'audit': return <AuditPage lang={lang} />;
    case 'stats': return <StatsPage lang={lang} />;
    default: return <OverviewPage lang={lang} />;
  }
}

function App() {
  const [lang, setLang] = useState<Lang>((localStorage.getItem('lang') as Lang) ?? 'vi');
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [route, setRoute] = useState(location.hash || '#/');
  useEffect(() => { const f = () => setRoute(location.hash || '#/'); addEventListener('hashchange', f); return () => removeEventListener('hashchange', f); }, []);
  const t = texts(lang);
  useEffect(() => { document.documentElement.lang = lang; localStorage.setItem('lang', lang); }, [lang]);
  useEffect(() => { api<Session>('GET', '/v1/console/session').then(signedIn, () => setSession(null)); }, []);
  function signedIn(s: Session) { setCsrf(s.csrfToken); setSession(s); }
  const signOut = async () => { await api('DELETE', '/v1/console/session'); setSession(null); };
  const toggle = <button type="button" class="link" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>{t.language}</button>;
  if (session === undefined) return null;
  if (!session) return <main>{toggle}<SignIn lang={lang} onIn={signedIn} /></main>;
  return <>
    <header><strong>{t.title}</strong><nav><a href="#/">{t.overview}</a> <a href="#/systems">{t.systems}</a> <a href="#/mapping/new">{t.mapping}</a> <a href="#/rollout">{t.rollout}</a> <a href="#/dossiers">{t.dossier}</a> <a href="#/dead-letters">{t.deadLetters}</a> <a href="#/stats">{t.stats}</a> <a href="#/audit">{t.audit}</a></nav><span>{session.actor}</span>{toggle}<button type="button" onClick={signOut}>{t.signOut}</button></header>
    <main>{page(route, lang)}</main>
  </>;
}

render(<App />, document.getElementById('app')!);
