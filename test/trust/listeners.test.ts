// The process (src/server.ts) with TLS_PORT: an HTTP and an HTTPS listener over one set of services (a dossier
// posted over HTTPS with a client certificate is read over HTTP), the listener's pair issued by the hub CA into
// HUB_SECRETS_DIR (0600), and SIGTERM closing both listeners, then the services once (the exit is clean, the
// shutdown checkpoint of the audit chain signed).
import t from 'tap';
import https from 'node:https';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import Database from 'better-sqlite3';
import { freePort } from '../helpers/net.js';
import { ADMIN_TOKEN, dossier } from '../helpers/hub.js';
import { keyPem } from '../../src/trust/ca.js';
import { rsaCsr, rsaKey } from './helpers.js';

t.test('serve with TLS_PORT: two listeners, one hub', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-listeners-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const [port, tlsPort] = [await freePort(), await freePort()];
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env, PORT: String(port), TLS_PORT: String(tlsPort), HOST: '127.0.0.1', HUB_DATA_DIR: dataDir,
      HUB_CONFIG_DIR: path.join(dataDir, 'config'), HUB_RELAY: 'off', LOG_LEVEL: 'warn', HUB_ADMIN_TOKEN: ADMIN_TOKEN,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr.on('data', (c) => { stderr += String(c); });
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  t.teardown(() => { if (server.exitCode === null) server.kill('SIGKILL'); });

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the hub did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const adminJson = async (method: string, url: string, body: unknown) => {
    const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as Record<string, string>;
  };
  const { apiKey } = await adminJson('POST', '/v1/admin/systems', { id: 'sys-a', name: 'a', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null });
  const key = rsaKey();
  const { certificate } = await adminJson('POST', '/v1/admin/systems/sys-a/certificates', { csr: rsaCsr(key) });
  const caPem = await (await fetch(`${base}/v1/trust/ca.pem`)).text();

  const tlsPem = path.join(dataDir, 'secrets', 'tls.pem');
  t.equal(statSync(path.join(dataDir, 'secrets', 'tls.key')).mode & 0o777, 0o600, 'the generated listener key is 0600');
  t.ok(new X509Certificate(readFileSync(tlsPem)).checkIssued(new X509Certificate(caPem)), 'the listener certificate is the hub CA\'s');

  const code = '000.00.15.H12-261127-0301';
  const status = await new Promise<number>((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: tlsPort, method: 'POST', path: '/v1/inbound/sys-a', ca: caPem, cert: certificate, key: keyPem(key), agent: false,
      headers: { 'content-type': 'application/json' },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end(JSON.stringify(dossier({ code })));
  });
  t.equal(status, 202, 'posted over HTTPS with the client certificate, the server certificate verified against ca.pem');
  const read = await fetch(`${base}/v1/dossiers/${code}`, { headers: { authorization: `Bearer ${apiKey}` } });
  t.equal(read.status, 200, 'read over HTTP: one store behind both listeners');

  server.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM: listeners then services closed, a clean exit');
  t.notMatch(stderr, /error/i, 'nothing went wrong on the way down');
  const db = new Database(path.join(dataDir, 'hub.sqlite'), { readonly: true });
  const last = db.prepare('SELECT seq, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').get() as { seq: number; signature: string | null } | undefined;
  db.close();
  t.ok(last?.signature, 'the shutdown checkpoint was signed before the store closed');
});
