// Issue 11, shipped mapping systems (mapping.md §19): a registration with adapter mapping and "mapping": null reads
// <id>/mapping.json at first start, its samples are saved approved by hub; a later start keeps the store's version.
import t from 'tap';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub } from '../helpers/hub.js';

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
