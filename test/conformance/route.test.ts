// GET /v1/admin/systems/{id}/conformance on a real hub fed real traffic: an accepted dossier, one refused by
// scope, one with a foreign code, a body refused whole, a bad key. The counters survive the flush into the store.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, dossier, startHub } from '../helpers/hub.js';
import { DEFAULT_CRITERIA, loadCriteria } from '../../src/conformance/criteria.js';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
type Check = { id: string; state: string; [k: string]: unknown };

t.test('the report reads the traffic the hub counted', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'] });
  await hub.register({ id: 'other', agencies: ['000.00.16.H12'] });
  const read = async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/vpdk/conformance', headers: admin });
    t.equal(res.statusCode, 200, res.body);
    return res.json() as { pass: boolean; checks: Check[]; window: { from: string }; criteria: unknown; system: string; adapter: string; mapping: unknown };
  };
  const check = (r: { checks: Check[] }, id: string) => r.checks.find((c) => c.id === id)!;

  const before = await read();
  t.match(before, { system: 'vpdk', adapter: 'canonical', mapping: null, pass: false, criteria: { windowDays: 7, minSamples: 3 } });
  t.match(check(before, 'auth'), { state: 'pending' });
  t.match(before.window.from, /T00:00:00\+07:00$/);

  t.equal((await hub.post('vpdk', key, dossier({ status: 1, steps: [{ at: '2026-11-27T08:15:00+07:00', status: 4 }] }))).statusCode, 202);
  t.equal((await hub.post('vpdk', key, dossier({ status: 1, steps: [{ at: '2026-11-27T08:15:00+07:00', status: 4 }] }))).statusCode, 202, 'a duplicate');
  const scope = await hub.post('vpdk', key, dossier({ code: '000.00.16.H12-261127-0001', agency: { code: '000.00.16.H12', name: 'Khác', level: 'province' } }));
  t.equal(scope.statusCode, 403);
  t.equal(scope.json().code, 'HUB_AUTHZ_AGENCY_SCOPE');
  const foreign = await hub.post('vpdk', key, dossier({ code: '000.00.16.H12-261127-0002' }));
  t.equal(foreign.json().code, 'HUB_CODE_FOREIGN');
  t.equal((await hub.post('vpdk', key, '{"not json')).statusCode, 400, 'refused whole');
  t.equal((await hub.post('vpdk', key, `"${'x'.repeat(1_100_000)}"`)).statusCode, 413, 'refused before the handler');
  t.equal((await hub.post('vpdk', 'vpdk.not-the-key', `"${'x'.repeat(1_100_000)}"`)).statusCode, 413, 'not counted: not its key');
  t.equal((await hub.post('vpdk', 'vpdk.not-the-key', dossier())).statusCode, 401);

  for (const when of ['buffered', 'flushed']) {
    const r = await read();
    t.match(check(r, 'auth'), { state: 'pass', detail: /^last authenticated .*\+07:00 \(key [0-9a-f]+\)$/, succeeded: 5, failed: 1 }, when);
    t.same(check(r, 'codeRules'), { id: 'codeRules', state: 'fail', violations: [
      { rule: 'agencyScope', count: 1, example: '000.00.16.H12' },
      { rule: 'codeForeign', count: 1, example: '000.00.16.H12-261127-0002' },
    ] }, `${when}: the offending codes, no personal data`);
    t.same(check(r, 'errorRate'), { id: 'errorRate', state: 'pending', accepted: 2, refused: 4, rate: 0.667 }, `${when}: a duplicate is accepted; a request refused whole is one item`);
    t.match(check(r, 'statusesSeen'), { state: 'pending', seen: [1, 4], missing: [[9, 10]] });
    t.match(check(r, 'mapping'), { state: 'pass', adapter: 'canonical', version: String });
    t.match(check(r, 'samples'), { state: 'pending', detail: '0 approved samples, 0 that decode (3 needed)' });
    t.match(check(r, 'roundTrip'), { state: 'pending' });
    t.equal(r.pass, false);
    await hub.ctx.bookkeeping.flush();
  }
  t.notMatch(JSON.stringify(await read()), /079085001122|0903111222/, 'no personal data in the report');

  const other = await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/other/conformance', headers: admin });
  t.match(other.json().checks.find((c: Check) => c.id === 'auth'), { state: 'pending' }, 'counters are per system');
  const unknown = await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/nobody/conformance', headers: admin });
  t.equal(unknown.statusCode, 404);
  t.equal((await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/vpdk/conformance' })).statusCode, 401);
  const audit = await hub.app.inject({ method: 'GET', url: '/v1/admin/audit?action=conformance.read', headers: admin });
  t.ok(audit.json().items.length >= 4, 'audited conformance.read');
  t.match(audit.json().items[0], { action: 'conformance.read', target: 'vpdk', actor: 'admin' });
});

t.test('a system exempt from the round trip passes it with the detail exempt; a bad criteria file names the member', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  await hub.register({ id: 'so-xay-dung', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'] });
  const r = (await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/so-xay-dung/conformance', headers: admin })).json();
  t.match(r.checks.find((c: Check) => c.id === 'roundTrip'), { state: 'pass', detail: 'exempt' });
});

t.test('config/conformance.json: defaults, the shipped file, and a bad member named', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-criteria-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.same(loadCriteria(dir), DEFAULT_CRITERIA, 'no file: the defaults');
  t.same(loadCriteria(new URL('../../config/', import.meta.url).pathname), DEFAULT_CRITERIA, 'the shipped file holds the defaults');
  writeFileSync(path.join(dir, 'conformance.json'), JSON.stringify({ windowDays: 14 }));
  t.match(loadCriteria(dir), { windowDays: 14, minSamples: 3 });
  writeFileSync(path.join(dir, 'conformance.json'), JSON.stringify({ errorRate: { max: 2, minRequests: 20 } }));
  t.throws(() => loadCriteria(dir), /conformance\.json: errorRate\.max: must be <= 1/);
  writeFileSync(path.join(dir, 'conformance.json'), JSON.stringify({ windowDayz: 7 }));
  t.throws(() => loadCriteria(dir), /conformance\.json: unknown property "windowDayz"/);
  writeFileSync(path.join(dir, 'conformance.json'), '{');
  t.throws(() => loadCriteria(dir), /conformance\.json: malformed JSON/);
  await t.rejects(startHub({ configDir: dir, dataDir: path.join(dir, 'data') }), /conformance\.json/, 'the hub does not start');
});
