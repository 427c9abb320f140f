// The outbox relay against the real broker: every accepted change is published once to `<p>.events` as a
// valid CloudEvent with the properties of amqp.md, in revision order per dossier.
import t from 'tap';
import { startHub, dossier } from '../helpers/hub.js';
import { validateDossier } from '../../src/canonical/validate.js';
import { brokerUp, cleanup, codeFor, observeEvents, waitFor } from './helpers.js';

const DOSSIERS = 1000;
const CHANGED = 200; // of which get a second and a third revision

t.test('1,000 dossiers → every event once, in revision order, valid', async (t) => {
  const hub = await startHub({ relay: true });
  t.teardown(cleanup(hub, []));
  const prefix = hub.ctx.config.amqpPrefix;
  const observer = await observeEvents(prefix);
  t.teardown(() => observer.close());
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  await brokerUp(hub);

  const post = async (body: Record<string, unknown>, traceparent?: string) => {
    const res = await hub.post('tnmt', key, body, traceparent ? { traceparent } : {});
    if (res.statusCode !== 202) throw new Error(`${res.statusCode} ${res.body}`);
  };
  const started = Date.now();
  for (let i = 0; i < DOSSIERS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, DOSSIERS - i) }, (_, j) => post(dossier({ code: codeFor(i + j + 1) }), i + j === 0 ? '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' : undefined)));
  }
  // Two more revisions of the first CHANGED dossiers, sent concurrently with each other's dossiers.
  for (const status of [4, 9]) {
    await Promise.all(Array.from({ length: CHANGED }, (_, i) => post(dossier({
      code: codeFor(i + 1), status,
      steps: [{ at: '2026-11-27T08:15:00+07:00', status: 2 }, { at: status === 4 ? '2026-11-28T09:00:00+07:00' : '2026-11-29T09:00:00+07:00', status }],
    }))));
  }
  const expected = DOSSIERS + 2 * CHANGED;
  await waitFor(`${expected} events`, () => observer.messages.length >= expected, 45_000);
  t.comment(`${expected} events in ${Date.now() - started} ms`);
  await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now

  const ids = new Set<string>();
  const lastRevision = new Map<string, number>();
  let outOfOrder = 0;
  let invalid = 0;
  for (const m of observer.messages) {
    const ce = JSON.parse(m.content.toString('utf8'));
    ids.add(ce.id);
    const code = ce.subject as string;
    if ((lastRevision.get(code) ?? 0) >= ce.data.revision) outOfOrder++;
    lastRevision.set(code, ce.data.revision);
    const envelopeOk = ce.specversion === '1.0' && typeof ce.id === 'string' && ce.source === '/lgsp-hub/systems/tnmt'
      && /^vn\.gov\.lgsp\.dossier\.(received|updated|status-changed|transferred)$/.test(ce.type) && ce.datacontenttype === 'application/json'
      && typeof ce.time === 'string' && ce.subject === ce.data.dossier.code && ce.data.revision === ce.data.dossier.revision
      && m.fields.routingKey === ce.type.slice('vn.gov.lgsp.'.length) && m.properties.messageId === ce.id
      && m.properties.contentType === 'application/cloudevents+json' && m.properties.deliveryMode === 2
      && typeof m.properties.timestamp === 'number' && m.properties.timestamp < 1e11
      && m.properties.headers?.['x-dossier-code'] === code && m.properties.headers?.['x-agency'] === '000.00.15.H12'
      && m.properties.headers?.['x-source-system'] === 'tnmt' && m.properties.headers?.['x-revision'] === ce.data.revision;
    if (!envelopeOk || validateDossier(ce.data.dossier).length) {
      if (invalid++ < 3) t.comment(JSON.stringify({ props: m.properties, fields: m.fields, errors: validateDossier(ce.data.dossier) }));
    }
  }
  t.equal(observer.messages.length, expected, 'no extra message');
  t.equal(ids.size, expected, 'every event id exactly once');
  t.equal(outOfOrder, 0, 'revision order per dossier');
  t.equal(invalid, 0, 'each a valid CloudEvent with a valid canonical dossier and the amqp.md properties');
  t.equal(lastRevision.get(codeFor(1)), 3);
  const first = observer.messages.find((m) => m.properties.headers?.['x-dossier-code'] === codeFor(1))!;
  t.equal(first.properties.headers?.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'traceparent travels');
  t.equal(first.fields.routingKey, 'dossier.received');

  await waitFor('outbox drained', async () => (await hub.ctx.store.outboxBacklog()).count === 0, 5000);
  const ready = await hub.app.inject({ method: 'GET', url: '/readyz' });
  t.same(ready.json(), { status: 'ready', store: 'up', broker: 'up', outboxBacklog: 0, oldestPendingSeconds: 0, calendar: { missingYears: [], provisionalDueDates: 0 } });
  const metrics = await hub.app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, new RegExp(`hub_relay_published_total\\{result="confirmed"\\} ${expected}\\b`));
  t.match(metrics.body, /hub_relay_confirm_latency_seconds_count \d+/);
});
