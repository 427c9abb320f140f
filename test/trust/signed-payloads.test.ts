// X-Signature (api.md "Signed payloads"): a detached CMS by openssl over the exact body; each failed check is a
// 401 naming it, and nothing of a refused request is stored.
import t from 'tap';
import { startHub, dossier, ADMIN_TOKEN } from '../helpers/hub.js';
import { configWithAnchor, opensslSign, rsaCsr, rsaKey, testCa } from './helpers.js';

const DAY = 86_400_000;

t.test('signed bodies: accepted, kept in /events; every failing check refused with nothing stored', async (t) => {
  const { configDir, gov } = configWithAnchor(t);
  const stranger = testCa('Unknown CA');

  const signerKey = rsaKey();
  const signerPem = gov.issue({ cn: 'vpdk signer', key: signerKey });
  const expiredKey = rsaKey();
  const expiredPem = gov.issue({ cn: 'expired', key: expiredKey, notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
  const strangerKey = rsaKey();
  const strangerPem = stranger.issue({ cn: 'stranger', key: strangerKey });
  const otherKey = rsaKey();
  const otherPem = gov.issue({ cn: 'other system signer', key: otherKey });

  const hub = await startHub({ configDir });
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'], signature: { mode: 'required', signers: [signerPem, expiredPem, strangerPem] } });
  const otherApiKey = await hub.register({ id: 'other', agencies: ['000.00.16.H12'], signature: { mode: 'optional', signers: [otherPem] } });

  const refused = async (body: Buffer, sig: string | undefined, code: string, detail: RegExp, what: string) => {
    const res = await hub.post('vpdk', key, body, sig ? { 'x-signature': sig } : {});
    t.equal(res.statusCode, 401, `${what}: 401`);
    t.equal(res.json().code, code, what);
    t.match(res.json().detail, detail, what);
  };
  const code = (n: number) => `000.00.15.H12-261127-${String(n).padStart(4, '0')}`;
  const body = (n: number) => Buffer.from(JSON.stringify(dossier({ code: code(n) })));

  await refused(body(1), undefined, 'HUB_SIGNATURE_REQUIRED', /must sign/, 'missing where required');
  const changed = body(2);
  const sig2 = opensslSign(changed, signerPem, signerKey);
  changed[changed.indexOf('Lê')] = 0x4d;
  await refused(changed, sig2, 'HUB_SIGNATURE_INVALID', /digest/, 'one byte changed');
  await refused(body(3), opensslSign(body(3), expiredPem, expiredKey), 'HUB_SIGNATURE_INVALID', /validity/, 'expired signer');
  await refused(body(4), opensslSign(body(4), strangerPem, strangerKey), 'HUB_SIGNATURE_INVALID', /chain/, 'unknown CA');
  await refused(body(5), opensslSign(body(5), otherPem, otherKey), 'HUB_SIGNATURE_INVALID', /signer.*not registered to system vpdk/, "another system's signer");
  await refused(body(6), 'bm90IGEgY21z', 'HUB_SIGNATURE_INVALID', /format/, 'not a CMS');
  for (const n of [1, 2, 3, 4, 5, 6]) t.equal(await hub.ctx.store.getDossier(code(n)), undefined, `nothing stored (${n})`);

  const good = body(7);
  const ok = await hub.post('vpdk', key, good, { 'x-signature': opensslSign(good, signerPem, signerKey) });
  t.equal(ok.statusCode, 202, ok.body);
  const events = await hub.get(`/v1/dossiers/${code(7)}/events`, key);
  const sig = events.json().items[0].signature;
  t.match(sig.signer.subject, /CN=vpdk signer/);
  t.match(sig.signer.fingerprintSha256, /^[0-9a-f]{64}$/);
  t.ok(sig.signedAt, 'signingTime from openssl');
  t.notOk('cms' in sig, 'the CMS itself stays in the store');

  // A certificate the hub CA issued to the system signs too, until it is revoked.
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const hubKey = rsaKey();
  const issued = (await hub.app.inject({ method: 'POST', url: '/v1/admin/systems/vpdk/certificates', headers: admin, payload: { csr: rsaCsr(hubKey) } })).json();
  const b8 = body(8);
  t.equal((await hub.post('vpdk', key, b8, { 'x-signature': opensslSign(b8, issued.certificate, hubKey) })).statusCode, 202, 'issued by the hub CA to vpdk');
  const b9 = body(9);
  const wrong = await hub.post('other', otherApiKey, b9, { 'x-signature': opensslSign(b9, issued.certificate, hubKey) });
  t.equal(wrong.json().code, 'HUB_SIGNATURE_INVALID', "vpdk's hub certificate on another system");
  t.match(wrong.json().detail, /not registered to system other/);
  await hub.app.inject({ method: 'DELETE', url: `/v1/admin/systems/vpdk/certificates/${issued.serial}`, headers: admin });
  const b10 = body(10);
  await refused(b10, opensslSign(b10, issued.certificate, hubKey), 'HUB_SIGNATURE_INVALID', /revoked/, 'revoked at once');
  t.equal(await hub.ctx.store.getDossier(code(10)), undefined);
});
