// mTLS (api.md "Trust"): an HTTPS listener on the same services as the HTTP one, asking for client certificates.
// A certificate authenticates a system only when the hub CA issued it to that system or its fingerprint is
// registered (and it chains to a config/trust anchor); it decides even beside a good key. Real sockets throughout.
import t from 'tap';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { buildApp } from '../../src/app.js';
import { keyPem } from '../../src/trust/ca.js';
import { fingerprintSha256 } from '../../src/trust/pki.js';
import { startHub, dossier, ADMIN_TOKEN } from '../helpers/hub.js';
import { configWithAnchor, ecCsr, rsaCsr, rsaKey, testCa } from './helpers.js';

interface Answer { status: number; body: Record<string, unknown> }

t.test('client certificates over the HTTPS listener', async (t) => {
  const { configDir, gov } = configWithAnchor(t);

  const hub = await startHub({ configDir });
  const listenerPair = await hub.ctx.trust.listenerPair('127.0.0.1');
  const { app: tls } = await buildApp({ config: hub.ctx.config, hub: hub.services, https: listenerPair });
  await tls.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await tls.close();
    await hub.close();
  });
  t.equal(hub.services.ctx, hub.ctx, 'both listeners serve one set of services');
  const port = (tls.server.address() as AddressInfo).port;
  const caPem = await hub.ctx.trust.caPem();

  const call = (method: string, url: string, opts: { cert?: string; key?: KeyObject; apiKey?: string; body?: unknown }): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
      const req = https.request({
        host: '127.0.0.1', port, method, path: url, ca: caPem, servername: 'localhost', agent: false,
        ...(opts.cert && opts.key ? { cert: opts.cert, key: keyPem(opts.key) } : {}),
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const admin = (method: string, url: string, body?: unknown) =>
    hub.app.inject({ method: method as 'POST', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(body ? { payload: body as object } : {}) });

  const keyA = await hub.register({ id: 'sys-a', agencies: ['000.00.15.H12'] });
  const keyB = await hub.register({ id: 'sys-b', agencies: ['000.00.16.H12'] });

  // A CSR (node-forge) issued through the API, then used over mTLS to post a dossier.
  const clientKey = rsaKey();
  const issued = await admin('POST', '/v1/admin/systems/sys-a/certificates', { csr: rsaCsr(clientKey, { cn: 'sys-b' }) });
  t.equal(issued.statusCode, 201);
  const certA = issued.json().certificate as string;
  const code = '000.00.15.H12-261127-0101';
  const posted = await call('POST', '/v1/inbound/sys-a', { cert: certA, key: clientKey, body: dossier({ code }) });
  t.equal(posted.status, 202, 'the hub-CA certificate authenticates sys-a (its CN says sys-b: the CN counts for nothing)');
  t.equal((posted.body as { dossierCode?: string }).dossierCode, code);
  t.equal((await hub.get(`/v1/dossiers/${code}`, keyA)).statusCode, 200, 'stored, readable over HTTP by its key');
  t.equal((await call('POST', '/v1/inbound/sys-a', { cert: certA, key: clientKey, apiKey: keyA, body: dossier({ code }) })).status, 202, 'certificate and key of one system');

  const other = await call('POST', '/v1/inbound/sys-b', { cert: certA, key: clientKey, body: dossier({ code: '000.00.16.H12-261127-0001', agency: { code: '000.00.16.H12', name: 'x', level: 'province' } }) });
  t.equal(other.status, 403, 'the same certificate on another system\'s path');

  const mixed = await call('POST', '/v1/inbound/sys-a', { cert: certA, key: clientKey, apiKey: keyB, body: dossier({ code }) });
  t.equal(mixed.status, 401, 'a certificate and a key of different systems');
  t.equal(mixed.body.code, 'HUB_AUTH_INVALID');
  t.equal((await call('POST', '/v1/inbound/sys-a', { apiKey: keyA, body: dossier({ code }) })).status, 202, 'no certificate: the key authenticates as on HTTP');

  // Weak CSRs: 422.
  for (const [what, csr] of [['1024-bit', rsaCsr(rsaKey(1024))], ['SHA-1', rsaCsr(rsaKey(), { hash: 'sha1' })], ['EC', ecCsr()]] as const) {
    const res = await admin('POST', '/v1/admin/systems/sys-a/certificates', { csr });
    t.equal(res.statusCode, 422, `${what} CSR`);
    t.equal(res.json().code, 'HUB_CSR_WEAK', what);
  }

  // A config/trust CA's certificate that no system registered: 401, even with a good key beside it.
  const govKey = rsaKey();
  const govCert = gov.issue({ cn: 'sys-b', key: govKey });
  const unregistered = await call('POST', '/v1/inbound/sys-b', { cert: govCert, key: govKey, apiKey: keyB, body: dossier({ code: '000.00.16.H12-261127-0002', agency: { code: '000.00.16.H12', name: 'x', level: 'province' } }) });
  t.equal(unregistered.status, 401, 'an anchor\'s certificate named sys-b but not registered: 401 despite the good key');
  t.equal(unregistered.body.code, 'HUB_AUTH_INVALID');

  // Registered by fingerprint: it authenticates sys-b; the same fingerprint for another system is 409.
  const fp = fingerprintSha256(new X509Certificate(govCert));
  t.equal((await admin('PATCH', '/v1/admin/systems/sys-b', { certificates: [fp] })).statusCode, 200);
  const byFingerprint = await call('GET', `/v1/dossiers/${code}`, { cert: govCert, key: govKey });
  t.equal(byFingerprint.status, 404, 'sys-b authenticated by its registered certificate; the dossier is outside its scope');
  const taken = await admin('PATCH', '/v1/admin/systems/sys-a', { certificates: [fp] });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'HUB_SYSTEM_CERTIFICATE_TAKEN');
  // A registered fingerprint of a certificate that chains to no anchor does not authenticate.
  const stranger = testCa('Unknown CA');
  const strangerKey = rsaKey();
  const strangerCert = stranger.issue({ cn: 'x', key: strangerKey });
  t.equal((await admin('PATCH', '/v1/admin/systems/sys-b', { certificates: [fp, fingerprintSha256(new X509Certificate(strangerCert))] })).statusCode, 200);
  t.equal((await call('GET', `/v1/dossiers/${code}`, { cert: strangerCert, key: strangerKey })).status, 401, 'registered but chaining to no anchor');

  // Revoked: refused at once, on the next request of the same certificate.
  const serial = issued.json().serial as string;
  t.equal((await admin('DELETE', `/v1/admin/systems/sys-a/certificates/${serial}`)).statusCode, 200);
  const revoked = await call('POST', '/v1/inbound/sys-a', { cert: certA, key: clientKey, apiKey: keyA, body: dossier({ code }) });
  t.equal(revoked.status, 401, 'a revoked certificate is refused even beside a good key');
  t.match(revoked.body.detail, /revoked/);
});
