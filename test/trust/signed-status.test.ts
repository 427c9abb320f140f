// X-Signature on the platform routes that store a change (api.md "Signed payloads"): the status route checks the
// exact JSON bytes as sent; a refused one stores nothing; an accepted one is kept and shown in /events.
import t from 'tap';
import { startHub, dossier } from '../helpers/hub.js';
import { configWithAnchor, opensslSign, rsaKey } from './helpers.js';

t.test('a signed status change: checked over the exact bytes, kept with the change', async (t) => {
  const { configDir, gov } = configWithAnchor(t);
  const signerKey = rsaKey();
  const signerPem = gov.issue({ cn: 'vpdk signer', key: signerKey });
  const hub = await startHub({ configDir });
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'], signature: { mode: 'optional', signers: [signerPem] } });
  const code = '000.00.15.H12-261127-0501';
  t.equal((await hub.post('vpdk', key, dossier({ code }))).statusCode, 202);

  const status = (body: Buffer, sig: string) => hub.app.inject({
    method: 'POST', url: `/v1/dossiers/${code}/status`, payload: body,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-signature': sig },
  });
  // Key order and spacing as the sender wrote them: the signature covers these bytes, not a re-serialisation.
  const body = Buffer.from('{ "status": 4,  "at": "2026-11-27T10:00:00+07:00", "note": "Chuyển xử lý" }');
  const changed = Buffer.from(body.toString().replace('Chuyển', 'Chuyen'));
  const bad = await status(changed, opensslSign(body, signerPem, signerKey));
  t.equal(bad.statusCode, 401, 'one byte changed');
  t.equal(bad.json().code, 'HUB_SIGNATURE_INVALID');
  t.equal((await hub.get(`/v1/dossiers/${code}/events`, key)).json().items.length, 1, 'nothing stored');
  const ok = await status(body, opensslSign(body, signerPem, signerKey));
  t.equal(ok.statusCode, 202, ok.body);
  const items = (await hub.get(`/v1/dossiers/${code}/events`, key)).json().items;
  t.equal(items.length, 2);
  t.match(items.at(-1).signature, { signer: { subject: /vpdk signer/ } }, 'the signature is kept with the status change');
});
