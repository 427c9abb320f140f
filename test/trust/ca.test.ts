// The hub CA's files: created once under .ca.lock, never a key paired with another creator's certificate.
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateCa, keyPem } from '../../src/trust/ca.js';
import { buildCertificate } from '../../src/trust/issue.js';
import { rsaKey } from './helpers.js';

t.test('two creators at once end with one pair, and both hold it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-ca-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [a, b, c] = await Promise.all([loadOrCreateCa(dir), loadOrCreateCa(dir), loadOrCreateCa(dir)]);
  t.equal(a.certPem, b.certPem);
  t.equal(a.certPem, c.certPem);
  t.ok(b.cert.checkPrivateKey(a.key), "one creator's key belongs to another's certificate");
  t.same(readdirSync(dir).sort(), ['ca.key', 'ca.pem'], 'no lock or temporary folder left');
  t.equal(statSync(path.join(dir, 'ca.key')).mode & 0o777, 0o600);
  t.equal(statSync(dir).mode & 0o777, 0o700);
  t.ok(a.cert.ca, 'a CA certificate');
  const again = await loadOrCreateCa(dir);
  t.equal(again.certPem, a.certPem, 'a restart reads the same CA');
});

t.test('a creator that finds the lock held waits for the files instead of making its own', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-ca-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, '.ca.lock'), '');
  const waiting = loadOrCreateCa(dir);
  // Another instance finishes: its files appear and it drops the lock.
  const key = rsaKey();
  const now = Date.now();
  const { pem } = buildCertificate({ subject: { CN: 'other instance' }, publicKey: key, signingKey: key, ca: true, notBefore: new Date(now), notAfter: new Date(now + 86_400_000) });
  writeFileSync(path.join(dir, 'ca.key'), keyPem(key), { mode: 0o600 });
  writeFileSync(path.join(dir, 'ca.pem'), pem);
  rmSync(path.join(dir, '.ca.lock'));
  const got = await waiting;
  t.equal(got.certPem, pem, "the winner's certificate");
  t.ok(got.cert.checkPrivateKey(key));
});

t.test('an imported CA is used as it is; a key of another certificate is refused', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-ca-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(dir, { recursive: true });
  const key = rsaKey();
  const now = Date.now();
  const { pem } = buildCertificate({ subject: { CN: 'Imported CA', O: 'Sở TT&TT' }, publicKey: key, signingKey: key, ca: true, notBefore: new Date(now), notAfter: new Date(now + 86_400_000) });
  writeFileSync(path.join(dir, 'ca.pem'), pem);
  writeFileSync(path.join(dir, 'ca.key'), keyPem(rsaKey()), { mode: 0o600 });
  await t.rejects(loadOrCreateCa(dir), /does not belong/);
  writeFileSync(path.join(dir, 'ca.key'), keyPem(key), { mode: 0o600 });
  const ca = await loadOrCreateCa(dir);
  t.equal(ca.certPem, pem);
  t.match(ca.cert.subject, /O=Sở TT&TT/, 'UTF-8 names survive');
});
