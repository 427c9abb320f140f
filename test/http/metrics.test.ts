// /metrics: `promtool check metrics` passes on a real scrape (where promtool is installed; otherwise the same
// naming rules are checked here), the operator's gauges and counters count what they say, and every metric that
// docs/ops/alerts.yaml and docs/ops/grafana-dashboard.json name exists.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startHub, dossier } from '../helpers/hub.js';

const OPS = new URL('../../docs/ops/', import.meta.url).pathname;
const promtool = spawnSync('promtool', ['--version']).status === 0;

/** name → type, from the # TYPE lines. */
function types(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

t.test('a real scrape passes promtool, and the operator metrics count', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const base = await hub.app.listen({ port: 0, host: '127.0.0.1' });
  const key = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'] });
  await hub.register({ id: 'pull-sys', delivery: { mode: 'pull' }, agencies: ['000.00.16.H12'] });
  const post = (headers: Record<string, string>, body: string) => fetch(`${base}/v1/inbound/vpdk`, { method: 'POST', headers, body });
  t.equal((await post({ authorization: `Bearer ${key}`, 'content-type': 'application/json' }, JSON.stringify(dossier()))).status, 202);
  t.equal((await post({ authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, 'a,b')).status, 415);
  t.equal((await post({ authorization: `Bearer ${key}`, 'content-type': 'application/json' }, 'x'.repeat(2_000_000))).status, 413);
  t.equal((await post({ authorization: `Bearer ${key}`, 'content-type': 'application/json' }, '{"a":')).status, 400);
  t.equal((await post({ authorization: 'Bearer vpdk.wrong', 'content-type': 'application/json' }, '{}')).status, 401);
  t.equal((await post({ authorization: `Basic ${Buffer.from('nobody:x').toString('base64')}`, 'content-type': 'application/json' }, '{}')).status, 401);
  t.equal((await fetch(`${base}/v1/admin/systems`, { headers: { authorization: 'Bearer not-the-token-0123456789abcdef0123' } })).status, 401);
  await hub.ctx.store.relay.addDeadLetter({ systemId: 'pull-sys', eventId: 'e1', dossierCode: '000.00.15.H12-261127-0007', revision: 1, reason: 'HTTP 400', attempts: 3, lastResponse: null, event: '{}' });

  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  if (promtool) {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    t.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
  } else {
    t.comment('promtool not installed: checking the naming rules here');
    for (const [name, type] of types(text)) {
      if (type !== 'counter') t.notMatch(name, /_total$/, `${name}: only counters end in _total`);
      else t.match(name, /_total$/, `${name}: a counter ends in _total`);
    }
  }
  t.equal(sample(text, 'hub_broker_up'), 0, 'no broker (relay off)');
  t.ok(sample(text, 'hub_outbox_oldest_age_seconds')! >= 0 && sample(text, 'hub_outbox_backlog') === 1, 'one unrelayed change, its age');
  t.equal(sample(text, 'hub_dead_letters{system="pull-sys"}'), 1, 'dead letters by system');
  t.equal(sample(text, 'hub_dead_letters{system="vpdk"}'), 0, 'a system without dead letters shows 0');
  t.equal(sample(text, 'hub_mailbox_depth{system="pull-sys"}'), 0, 'mailbox depth by system');
  for (const status of ['400', '413', '415']) t.equal(sample(text, `hub_ingest_refused_total{system="vpdk",status="${status}"}`), 1, `refused ${status} counted`);
  t.equal(sample(text, 'hub_auth_failures_total{system="vpdk"}'), 1, 'failed login claiming vpdk');
  t.equal(sample(text, 'hub_auth_failures_total{system="unknown"}'), 1, 'an unregistered claim is "unknown"');
  t.equal(sample(text, 'hub_auth_failures_total{system="admin"}'), 1, 'a wrong admin token');
  t.ok(types(text).get('hub_delivery_latency_seconds') === 'histogram' && types(text).get('hub_delivery_attempts') === 'histogram', 'delivery latency and attempts');
});

t.test('every metric the alert rules and the dashboard name exists', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const text = (await hub.app.inject({ method: 'GET', url: '/metrics' })).body;
  const known = types(text);
  const exists = (n: string) => known.has(n) || (/_(bucket|sum|count)$/.test(n) && known.get(n.replace(/_(bucket|sum|count)$/, '')) === 'histogram');
  const rules = parse(readFileSync(`${OPS}alerts.yaml`, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const dashboard = JSON.parse(readFileSync(`${OPS}grafana-dashboard.json`, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  const exprs = [...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)), ...dashboard.panels.flatMap((p) => p.targets.map((x) => x.expr))];
  const names = new Set(exprs.flatMap((e) => e.match(/\bhub_[a-z0-9_]+/g) ?? []));
  t.ok(names.size >= 15, `${names.size} metric names used`);
  for (const n of names) t.ok(exists(n), `${n} is in /metrics`);
  if (promtool) {
    const check = spawnSync('promtool', ['check', 'rules', `${OPS}alerts.yaml`], { encoding: 'utf8' });
    t.equal(check.status, 0, `promtool check rules: ${check.stdout}${check.stderr}`);
  }
});
