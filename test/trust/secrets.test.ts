// HUB_SECRETS_DIR holds the key-HMAC secret and a generated admin token beside the CA; a data dir from before it
// was set keeps working: what is found only in <dataDir>/secrets is copied over, never rewritten.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSecrets } from '../../src/trust/secrets.js';
import { loadConfig } from '../../src/config.js';

t.test('secrets follow HUB_SECRETS_DIR; the old data-dir files are copied over once', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'hub-secrets-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  mkdirSync(path.join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dataDir, 'secrets', 'key-hmac.secret'), 'old-secret\n', { mode: 0o600 });
  writeFileSync(path.join(dataDir, 'secrets', 'admin-token'), 'old-token-0123456789abcdef0123456789\n', { mode: 0o600 });
  const secretsDir = path.join(root, 'mounted');
  const s = loadSecrets(dataDir, undefined, secretsDir);
  t.equal(s.keySecret, 'old-secret', 'the keys issued before stay valid');
  t.equal(s.adminToken, 'old-token-0123456789abcdef0123456789', 'the handed-over token stays');
  t.equal(s.adminTokenFile, path.join(secretsDir, 'admin-token'));
  t.equal(statSync(path.join(secretsDir, 'key-hmac.secret')).mode & 0o777, 0o600);
  writeFileSync(path.join(dataDir, 'secrets', 'key-hmac.secret'), 'changed\n');
  t.equal(loadSecrets(dataDir, undefined, secretsDir).keySecret, 'old-secret', 'once copied, the secrets folder decides');
  const fresh = path.join(root, 'fresh');
  const n = loadSecrets(path.join(root, 'data2'), 'x'.repeat(32), fresh);
  t.equal(readFileSync(path.join(fresh, 'key-hmac.secret'), 'utf8').trim(), n.keySecret, 'a new installation writes into the secrets folder');
});

t.test('TLS configuration: the port validated, certificate and key both or neither', async (t) => {
  t.equal(loadConfig({ TLS_PORT: '8443' }).tlsPort, 8443);
  t.equal(loadConfig({}).tlsPort, undefined, 'unset: no HTTPS listener');
  t.throws(() => loadConfig({ TLS_PORT: '70000' }), /tlsPort/);
  t.throws(() => loadConfig({ HUB_TLS_CERT: '/x/cert.pem' }), /tlsKey/, 'a certificate without its key');
  t.equal(loadConfig({ HUB_TLS_CERT: 'c.pem', HUB_TLS_KEY: 'k.pem' }).tlsKey, path.resolve('k.pem'));
});
