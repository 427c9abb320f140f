// Samples of a system on a built-in adapter (api.md "Samples": built-ins take samples too, approvedVersion the
// adapter's version) count in its conformance report like a mapping system's: each sample a `sample:<id>` check,
// the round trip through the adapter's own encode and decode, or `exempt` for an adapter listed so.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ADMIN_TOKEN, startHub } from '../helpers/hub.js';

const SAMPLES = new URL('../../../shared/spec/samples/', import.meta.url).pathname;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
type Check = { id: string; state: string; detail?: string };

t.test('a TN&MT system with an approved sample: sample and round-trip checks from the stored sample', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  await hub.register({ id: 'tnmt-x', adapter: 'tnmt-xml', agencies: ['000.00.15.H12'] });
  const saved = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems/tnmt-x/samples', headers: admin,
    payload: { name: 'goi-tin', contentType: 'application/xml', payload: readFileSync(`${SAMPLES}tnmt-goi-tin.xml`, 'utf8') } });
  t.equal(saved.statusCode, 201, saved.body.slice(0, 200));
  const report = (await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/tnmt-x/conformance', headers: admin })).json() as { checks: Check[] };
  const check = (id: string) => report.checks.find((c) => c.id === id);
  t.match(check(`sample:${saved.json().id}`), { state: 'pass' }, 'the sample reproduces its approved result');
  t.match(check('roundTrip'), { state: 'pass', detail: '2 of 2 sample items' }, 'both dossiers of the batch round-trip through encode and decode');
});

t.test('the Construction SOAP system: the round trip is exempt, the sample still checked', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  await hub.register({ id: 'xd-x', adapter: 'xay-dung-soap', agencies: ['000.00.17.H12'] });
  const body = readFileSync(`${SAMPLES}xay-dung-tiep-nhan.xml`, 'utf8');
  const saved = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems/xd-x/samples', headers: admin,
    payload: { name: 'tiep-nhan', contentType: 'text/xml', payload: body } });
  t.equal(saved.statusCode, 201, saved.body.slice(0, 200));
  const report = (await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/xd-x/conformance', headers: admin })).json() as { checks: Check[] };
  t.match(report.checks.find((c) => c.id === `sample:${saved.json().id}`), { state: 'pass' });
  t.match(report.checks.find((c) => c.id === 'roundTrip'), { state: 'pass', detail: 'exempt' });
});
