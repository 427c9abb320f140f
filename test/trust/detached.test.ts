// signDetached / verifyDetached of the hub (what the audit checkpoints will use): store and CA real, in a temp dir.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { Trust } from '../../src/trust/service.js';
import { loadOrCreateCa } from '../../src/trust/ca.js';
import { cmsSigner, signDetached } from '../../src/trust/cms.js';
import { opensslVerify } from './helpers.js';

t.test('the hub signs bytes detached; only the same bytes by a hub-CA signer verify', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-detached-'));
  const store = openSqliteStore(dir);
  t.teardown(async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); });
  const trust = new Trust({ secretsDir: path.join(dir, 'secrets'), configDir: path.join(dir, 'config'), signReceipts: false, store, log: pino({ level: 'silent' }) });
  const bytes = Buffer.from('{"checkpoint":100,"head":"ab12"}');
  const sig = await trust.signDetached(bytes);
  t.ok(opensslVerify(sig, bytes, await trust.caPem()), 'openssl agrees');
  t.equal((await trust.verifyDetached(sig, bytes)).valid, true);
  const other = Buffer.from(bytes);
  other[3] = 0x44;
  t.match(await trust.verifyDetached(sig, other), { valid: false, reason: /digest/ });
  t.match(await trust.verifyDetached('AAAA', bytes), { valid: false, reason: /not a base64 DER CMS/ });
  // Signed by a key whose certificate comes from another CA: the signature holds, the chain does not.
  const foreign = await loadOrCreateCa(path.join(dir, 'foreign'));
  const forged = await signDetached(await cmsSigner({ certPem: foreign.certPem, key: foreign.key }), bytes);
  t.match(await trust.verifyDetached(forged, bytes), { valid: false, reason: /chain/ });
});
