// Issue 8 item 11: the store holds personal data. hub.sqlite and its -wal/-shm are 0600, the data dir 0700, and
// the container's /data is created 0700.
import t from 'tap';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, dossier } from '../helpers/hub.js';

const mode = (f: string) => statSync(f).mode & 0o777;

t.test('a fresh data dir: 0700, the store and its WAL files 0600', async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'hub-files-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const dataDir = path.join(parent, 'data');
  const hub = await startHub({ dataDir });
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  t.equal((await hub.post('tnmt', key, dossier())).statusCode, 202);
  t.equal(mode(dataDir).toString(8), '700');
  for (const f of ['hub.sqlite', 'hub.sqlite-wal', 'hub.sqlite-shm']) {
    const file = path.join(dataDir, f);
    t.ok(existsSync(file), `${f} exists while the hub runs`);
    t.equal(mode(file).toString(8), '600', `${f} is 0600`);
  }
  await hub.close();
});

t.test('files an earlier version created 0644 in a 0755 dir are tightened at start', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-files-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  chmodSync(dataDir, 0o755);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'hub.sqlite'), '', { mode: 0o644 });
  chmodSync(path.join(dataDir, 'hub.sqlite'), 0o644);
  const hub = await startHub({ dataDir });
  t.equal(mode(dataDir).toString(8), '700');
  t.equal(mode(path.join(dataDir, 'hub.sqlite')).toString(8), '600');
  t.equal(mode(path.join(dataDir, 'hub.sqlite-wal')).toString(8), '600');
  await hub.close();
});

t.test('the Dockerfile creates /data 0700, owned by the user the hub runs as', async (t) => {
  const docker = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const run = docker.split('\n').find((l) => /^RUN .*\/data/.test(l)) ?? '';
  t.match(run, /chown node:node \/data/);
  t.match(run, /chmod 0?700 \/data/);
  t.match(docker, /^USER node$/m);
});
