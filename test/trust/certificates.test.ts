// Client certificates issued through the admin API from a CSR (api.md "Issuing"), checked with openssl.
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, ADMIN_TOKEN } from '../helpers/hub.js';
import { ecCsr, rsaCsr, rsaKey } from './helpers.js';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

t.test('a CSR in, a client certificate naming the system out; listed, revoked, audited', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  await hub.register({ id: 'vpdk-tinh', name: 'Văn phòng Đăng ký đất đai tỉnh' });
  const caRes = await hub.app.inject({ method: 'GET', url: '/v1/trust/ca.pem' });
  t.equal(caRes.statusCode, 200, 'public: no credentials');
  t.match(caRes.headers['content-type'], /application\/x-pem-file/);
  const ca = new X509Certificate(caRes.body);
  t.ok(ca.ca);

  const res = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems/vpdk-tinh/certificates', headers: admin, payload: { csr: rsaCsr(rsaKey(), { cn: 'someone-else' }), validDays: 30 } });
  t.equal(res.statusCode, 201, res.body);
  const issued = res.json();
  const cert = new X509Certificate(issued.certificate);
  t.ok(cert.verify(ca.publicKey), 'signed by the hub CA');
  t.match(cert.subject, /CN=vpdk-tinh/, 'the CSR subject is ignored: CN is the system id');
  t.match(cert.subject, /O=Văn phòng Đăng ký đất đai tỉnh/);
  t.match(cert.subjectAltName, 'URI:urn:lgsp-hub:system:vpdk-tinh');
  t.equal(issued.fingerprintSha256, cert.fingerprint256.replace(/:/g, '').toLowerCase());
  t.equal(issued.serial, cert.serialNumber.toLowerCase());
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  t.ok(days > 29.9 && days < 30.1, `valid 30 days (${days})`);

  const dir = mkdtempSync(path.join(tmpdir(), 'issued-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'ca.pem'), caRes.body);
  writeFileSync(path.join(dir, 'c.pem'), issued.certificate);
  t.match(execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), '-purpose', 'sslclient', path.join(dir, 'c.pem')]).toString(), /OK/, 'openssl: a client certificate of the hub CA');
  const text = execFileSync('openssl', ['x509', '-in', path.join(dir, 'c.pem'), '-noout', '-text']).toString();
  t.match(text, /TLS Web Client Authentication/);
  t.match(text, /Digital Signature, Key Encipherment/);

  const list = await hub.app.inject({ method: 'GET', url: '/v1/admin/systems/vpdk-tinh/certificates', headers: admin });
  t.same(list.json().items.map((c: { serial: string; revokedAt: unknown }) => [c.serial, c.revokedAt]), [[issued.serial, null]]);
  const del = await hub.app.inject({ method: 'DELETE', url: `/v1/admin/systems/vpdk-tinh/certificates/${issued.serial}`, headers: admin });
  t.equal(del.statusCode, 200);
  t.ok(del.json().revokedAt, 'revokedAt set');
  t.equal((await hub.app.inject({ method: 'DELETE', url: `/v1/admin/systems/vpdk-tinh/certificates/00ff`, headers: admin })).statusCode, 404);
  const audit = await hub.ctx.store.listAudit(0, 1000);
  t.ok(audit.some((e) => e.action === 'certificate.issue' && e.target === 'vpdk-tinh'), 'issue audited');
  t.ok(audit.some((e) => e.action === 'certificate.revoke' && e.target === 'vpdk-tinh'), 'revoke audited');
  t.equal((await hub.app.inject({ method: 'POST', url: '/v1/admin/systems/vpdk-tinh/certificates', payload: { csr: 'x' } })).statusCode, 401, 'admin only');
  // Audited under the token's own actor, as on every admin route: a rotated token is admin:<tokenId>.
  const rotated = (await hub.app.inject({ method: 'POST', url: '/v1/admin/token', headers: admin, payload: { overlapSeconds: 0 } })).json();
  const byNew = await hub.app.inject({ method: 'POST', url: '/v1/admin/systems/vpdk-tinh/certificates', headers: { authorization: `Bearer ${rotated.token}` }, payload: { csr: rsaCsr(rsaKey()), validDays: 30 } });
  t.equal(byNew.statusCode, 201, byNew.body);
  const last = (await hub.ctx.store.listAudit(0, 1000)).filter((e) => e.action === 'certificate.issue').at(-1);
  t.equal(last?.actor, `admin:${rotated.tokenId}`);
});

t.test('weak or unreadable CSRs are refused, naming why; nothing is stored', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  await hub.register({ id: 'sys-a' });
  const post = (csr: string) => hub.app.inject({ method: 'POST', url: '/v1/admin/systems/sys-a/certificates', headers: admin, payload: { csr } });
  const ec = await post(ecCsr());
  t.equal(ec.statusCode, 422);
  t.equal(ec.json().code, 'HUB_CSR_WEAK');
  t.equal(ec.json().detail, 'EC keys are not accepted');
  const small = await post(rsaCsr(rsaKey(1024)));
  t.equal(small.statusCode, 422);
  t.match(small.json().detail, /1024 bits/);
  const sha1 = await post(rsaCsr(rsaKey(), { hash: 'sha1' }));
  t.equal(sha1.statusCode, 422);
  t.match(sha1.json().detail, /SHA-1/);
  const junk = await post('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----');
  t.equal(junk.statusCode, 400);
  t.equal(junk.json().code, 'HUB_CSR_INVALID');
  t.equal((await post('hello')).json().code, 'HUB_CSR_INVALID');
  // A CSR whose signature was made by another key (the CSR's own key must sign it).
  const good = rsaCsr(rsaKey());
  const lines = good.split('\n');
  const tampered = lines.map((l, i) => (i === 3 ? l.slice(0, 10) + (l[10] === 'A' ? 'B' : 'A') + l.slice(11) : l)).join('\n');
  t.equal((await post(tampered)).statusCode, 400, 'a changed CSR fails its self-signature');
  t.same((await hub.ctx.store.certificates.list('sys-a')), [], 'nothing stored');
});
