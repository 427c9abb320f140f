// Issue 11, shipped mapping systems (mapping.md §19): a registration with adapter mapping and "mapping": null reads
// <id>/mapping.json at first start, its samples are saved approved by hub; a later start keeps the store's version.
import t from 'tap';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, startHub } from '../helpers/hub.js';

const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;

t.test('first start registers the shipped mapping systems with their samples', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-shipped-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const configDir = path.join(dataDir, 'config');
  mkdirSync(path.join(configDir, 'systems'), { recursive: true });
  for (const [id, agency] of [['so-khdt', '000.00.10.H12'], ['so-tu-phap', '000.00.12.H12']] as const) {
    cpSync(path.join(SYSTEMS, id), path.join(configDir, 'systems', id), { recursive: true });
    writeFileSync(path.join(configDir, 'systems', `${id}.json`), JSON.stringify({ id, name: id, adapter: 'mapping', role: 'source', level: 'province',
      agencies: [agency], delivery: { mode: 'none' }, subscriptions: [], mapping: null, credentials: 'manual' }));
  }
  let hub = await startHub({ dataDir, configDir });
  for (const id of ['so-khdt', 'so-tu-phap']) {
    t.equal(hub.ctx.registry.get(id)?.adapter, 'mapping');
    t.equal((await hub.ctx.store.mappings.listVersions(id)).active, 1);
    const samples = await hub.ctx.store.mappings.listSamples(id);
    t.equal(samples.length, 3, `${id}: its three samples saved`);
    t.ok(samples.every((s) => s.createdBy === 'hub'));
  }
  await hub.close();
  // A later start with a changed shipped mapping: warned, not activated.
  const file = path.join(configDir, 'systems', 'so-khdt', 'mapping.json');
  const doc = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...doc, name: 'changed' }));
  hub = await startHub({ dataDir, configDir });
  t.equal((await hub.ctx.store.mappings.listVersions('so-khdt')).items.length, 1, 'not stored by itself');
  t.ok(hub.logs.some((l) => l.includes('shipped mapping differs')), 'warned');
  await hub.close();
});

t.test('a shipped sample that does not give its expected result fails the start with nothing stored', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-shipped-bad-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const configDir = path.join(dataDir, 'config');
  mkdirSync(path.join(configDir, 'systems'), { recursive: true });
  cpSync(path.join(SYSTEMS, 'so-khdt'), path.join(configDir, 'systems', 'so-khdt'), { recursive: true });
  writeFileSync(path.join(configDir, 'systems', 'so-khdt.json'), JSON.stringify({ id: 'so-khdt', name: 'so-khdt', adapter: 'mapping', role: 'source', level: 'province',
    agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null }));
  // The second sample in name order is broken, so a start that saved samples one by one would have saved the first.
  const expectedFile = path.join(configDir, 'systems', 'so-khdt', 'samples', 'khdt.expected.json');
  const good = readFileSync(expectedFile, 'utf8');
  const bad = JSON.parse(good);
  bad.items[0].change.receiptNumber = 'not-what-it-decodes';
  writeFileSync(expectedFile, JSON.stringify(bad));
  await t.rejects(startHub({ dataDir, configDir }), /so-khdt\/samples\/khdt\.json does not give its expected result/);
  t.notOk(existsSync(path.join(dataDir, 'keys', 'so-khdt.key')), 'no key handed out');
  // Fixed, the next start registers it whole: the system, its key file, both samples, the audit entry.
  writeFileSync(expectedFile, good);
  const hub = await startHub({ dataDir, configDir });
  t.teardown(() => hub.close());
  t.equal(hub.ctx.registry.get('so-khdt')?.adapter, 'mapping');
  const shipped = readdirSync(path.join(SYSTEMS, 'so-khdt', 'samples')).filter((f) => !f.endsWith('.expected.json')).length;
  t.equal((await hub.ctx.store.mappings.listSamples('so-khdt')).length, shipped, `all ${shipped} samples saved`);
  t.ok(existsSync(path.join(dataDir, 'keys', 'so-khdt.key')), 'key file written');
  const audit = await hub.app.inject({ url: '/v1/admin/audit?action=system.register', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  t.equal(audit.json().items.filter((e: { target: string }) => e.target === 'so-khdt').length, 1, 'registration audited once');
});
