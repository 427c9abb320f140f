// Pure parts of the relay: recipients of an event, tier names, AMQP properties.
import t from 'tap';
import { recipients, eventProperties, fromCloudEvent } from '../../src/relay/envelope.js';
import { tierName } from '../../src/relay/topology.js';
import { toCloudEvent } from '../../src/canonical/cloudevent.js';
import type { SystemRecord } from '../../src/store/types.js';
import type { Dossier } from '../../src/canonical/types.js';
import { dossier } from '../helpers/hub.js';

const sys = (id: string, over: Partial<SystemRecord> = {}): SystemRecord => ({
  id, name: id, adapter: 'canonical', role: 'source', level: 'province', agencies: [], delivery: { mode: 'push', url: 'http://x/' },
  subscriptions: [{ events: ['dossier.received', 'dossier.transferred'], scope: 'own' }], mapping: null, status: 'active',
  createdAt: '2026-11-27T08:00:00+07:00', updatedAt: '2026-11-27T08:00:00+07:00', ...over,
});
const agency = (code: string) => [{ code, level: 'province' as const }];
const d = { ...dossier(), revision: 2, updatedAt: '2026-11-27T09:00:00+07:00', routing: { origin: 'a', holder: 'b', transfers: [{ at: '2026-11-27T09:00:00+07:00', fromAgency: '000.00.15.H12', toAgency: '000.00.16.H12' }] } } as unknown as Dossier;
const ce = toCloudEvent({ eventId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', type: 'dossier.transferred', source: 'a', time: d.updatedAt, correlationId: 'c1', revision: 2, previousStatus: 2, dossier: d, transfer: d.routing!.transfers[0]! });

t.test('recipients: subscribed, in scope as of the revision, active, with a delivery mode, never the source', async (t) => {
  const systems = [
    sys('a', { agencies: agency('000.00.15.H12') }), // the source
    sys('b', { agencies: agency('000.00.16.H12') }), // new holder
    sys('origin-pull', { agencies: agency('000.00.15.H12'), delivery: { mode: 'pull' } }),
    sys('other', { agencies: agency('000.00.99.H12') }), // outside the scope
    sys('platform', { role: 'platform', subscriptions: [{ events: ['dossier.transferred'], scope: 'all' }] }),
    sys('none', { agencies: agency('000.00.16.H12'), delivery: { mode: 'none' } }),
    sys('retired', { agencies: agency('000.00.16.H12'), status: 'retired' }),
    sys('kinds', { agencies: agency('000.00.16.H12'), subscriptions: [{ events: ['dossier.updated'], scope: 'own' }] }),
  ];
  t.same(recipients(systems, ce, 'dossier.transferred', 'a').map((s) => s.id), ['b', 'origin-pull', 'platform']);
});

t.test('tier names and the envelope', async (t) => {
  t.same([1000, 5000, 30_000, 120_000, 600_000, 250, 3_600_000].map(tierName), ['1s', '5s', '30s', '2m', '10m', '250ms', '1h']);
  const props = eventProperties({
    seq: 7, eventId: ce.id, dossierCode: d.code, revision: 2, type: 'dossier.transferred', source: 'a', correlationId: 'c1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', event: JSON.stringify(ce), createdAt: 1_795_000_000_123,
  }, '000.00.16.H12');
  t.match(props, {
    messageId: ce.id, contentType: 'application/cloudevents+json', timestamp: 1_795_000_000, persistent: true, mandatory: true,
    headers: { 'x-dossier-code': d.code, 'x-agency': '000.00.16.H12', 'x-source-system': 'a', 'x-revision': 2, traceparent: /^00-/ },
  });
  const back = fromCloudEvent(ce);
  t.match(back, { eventId: ce.id, type: 'dossier.transferred', source: 'a', revision: 2, previousStatus: 2, correlationId: 'c1', transfer: { toAgency: '000.00.16.H12' } });
});
