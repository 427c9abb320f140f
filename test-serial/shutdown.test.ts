// SIGTERM finishes the requests in flight: the process exits 0, every request that got a 202 is in the store after
// a restart, and no request is answered with a server error while the hub closes.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dossier } from '../test/helpers/hub.js';
import { freePort } from '../test/helpers/net.js';

const ADMIN = 'shutdown-admin-token-0123456789abcdef012345';

async function startHubProcess(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: String(port), HUB_DATA_DIR: dataDir, HUB_CONFIG_DIR: path.join(dataDir, 'config'), HUB_ADMIN_TOKEN: ADMIN, HUB_RELAY: 'off', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('hub did not start');
}

t.test('SIGTERM during a burst: the process drains and exits cleanly, and every 202 survives a restart', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-shutdown-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let hub = await startHubProcess(dataDir, port);
  t.teardown(() => { if (hub.exitCode === null) hub.kill('SIGKILL'); });
  const reg = await fetch(`${base}/v1/admin/systems`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'tnmt', name: 'tnmt', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null }),
  });
  const { apiKey } = await reg.json() as { apiKey: string };

  const results: { code: string; status: number | 'refused' }[] = [];
  const send = async (i: number) => {
    const code = `000.00.15.H12-261127-${String(i + 1).padStart(4, '0')}`;
    try {
      const res = await fetch(`${base}/v1/inbound/tnmt`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(dossier({ code })) });
      await res.text();
      results.push({ code, status: res.status });
    } catch {
      results.push({ code, status: 'refused' });
    }
  };
  const burst = Array.from({ length: 300 }, (_, i) => new Promise<void>((r) => setTimeout(() => void send(i).then(r), i)));
  await new Promise((r) => setTimeout(r, 120));
  hub.kill('SIGTERM');
  const [code] = await once(hub, 'exit');
  await Promise.all(burst);
  t.equal(code, 0, 'the process exits cleanly');
  const accepted = results.filter((r) => r.status === 202);
  t.ok(accepted.length > 0, `some requests were accepted before the signal (${accepted.length})`);
  t.ok(results.every((r) => r.status === 202 || r.status === 503 || r.status === 'refused'), 'every answer is 202, 503 while closing, or a refused connection (never a 5xx from a cut request)');

  hub = await startHubProcess(dataDir, port);
  for (const r of accepted) {
    const res = await fetch(`${base}/v1/dossiers/${r.code}`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (res.status !== 200) t.fail(`${r.code} got a 202 but is missing after the restart`);
  }
  t.pass(`all ${accepted.length} accepted dossiers are there after the restart`);
  hub.kill('SIGTERM');
  await once(hub, 'exit');
});
