// Signed receipts (HUB_SIGN_RECEIPTS=on): a detached CMS over the receipt's JCS bytes, checked by openssl
// against /v1/trust/ca.pem, by POST /v1/receipts/verify, and offline by verifyReceiptFile.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, dossier } from '../helpers/hub.js';
import { receiptBytes } from '../../src/trust/receipts.js';
import { verifyReceiptFile } from '../../src/trust/verify-receipt.js';
import { opensslVerify } from './helpers.js';

t.test('with signing on, every JSON receipt is signed; openssl and the route agree; one byte changed fails', async (t) => {
  const hub = await startHub({ config: { signReceipts: true } });
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'] });
  const caPem = (await hub.app.inject({ method: 'GET', url: '/v1/trust/ca.pem' })).body;

  const res = await hub.post('vpdk', key, dossier());
  t.equal(res.statusCode, 202, res.body);
  const receipt = res.json();
  t.type(receipt.signature, 'string');
  t.ok(opensslVerify(receipt.signature, receiptBytes(receipt), caPem), 'openssl cms -verify against ca.pem');
  const bytes = receiptBytes(receipt);
  const changed = Buffer.from(bytes);
  const at = changed.indexOf('"revision":') + 11;
  changed[at] = changed[at]! ^ 1;
  t.notOk(opensslVerify(receipt.signature, changed, caPem), 'one byte of the content changed: openssl refuses');
  const sig = Buffer.from(receipt.signature, 'base64');
  sig[sig.length - 5] = sig[sig.length - 5]! ^ 1;
  t.notOk(opensslVerify(sig.toString('base64'), bytes, caPem), 'one byte of the signature changed: openssl refuses');

  const ok = await hub.app.inject({ method: 'POST', url: '/v1/receipts/verify', payload: receipt });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().valid, true, ok.body);
  t.match(ok.json().signer.subject, /CN=lgsp-hub receipts/);
  t.ok(ok.json().signedAt);
  const bad = await hub.app.inject({ method: 'POST', url: '/v1/receipts/verify', payload: { ...receipt, status: receipt.status + 1 } });
  t.same([bad.json().valid, typeof bad.json().reason], [false, 'string']);
  t.equal((await hub.app.inject({ method: 'POST', url: '/v1/receipts/verify', payload: { ...receipt, signature: undefined } })).json().valid, false, 'no signature');

  const dup = await hub.post('vpdk', key, dossier());
  t.equal(dup.json().duplicate, true);
  t.not(dup.json().signature, receipt.signature, 'a duplicate is signed anew');
  t.equal((await hub.app.inject({ method: 'POST', url: '/v1/receipts/verify', payload: dup.json() })).json().valid, true, 'over duplicate: true');

  // Offline, as `lgsp-hub verify-receipt --receipt r.json --ca ca.pem` does.
  const dir = mkdtempSync(path.join(tmpdir(), 'receipt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'r.json'), JSON.stringify(receipt));
  writeFileSync(path.join(dir, 'ca.pem'), caPem);
  t.equal((await verifyReceiptFile({ receipt: path.join(dir, 'r.json'), ca: path.join(dir, 'ca.pem') })).valid, true);
  writeFileSync(path.join(dir, 'r.json'), JSON.stringify({ ...receipt, dossierCode: receipt.dossierCode.replace(/7$/, '8') }));
  t.equal((await verifyReceiptFile({ receipt: path.join(dir, 'r.json'), ca: path.join(dir, 'ca.pem') })).valid, false);
});

t.test('off by default: receipts carry no signature', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'] });
  const res = await hub.post('vpdk', key, dossier());
  t.equal(res.statusCode, 202);
  t.notOk('signature' in res.json());
});

t.test('native answers (TN&MT XML) carry no signature, also with signing on', async (t) => {
  const SYSTEMS = new URL('../../config/systems/', import.meta.url).pathname;
  const SAMPLES = new URL('../../../shared/spec/samples/', import.meta.url).pathname;
  const { readdirSync, readFileSync } = await import('node:fs');
  const reg = readdirSync(SYSTEMS).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(SYSTEMS, f), 'utf8'))).find((s) => s.adapter === 'tnmt-xml');
  const hub = await startHub({ config: { signReceipts: true } });
  t.teardown(() => hub.close());
  const key = await hub.register(reg);
  const res = await hub.post(reg.id, key, readFileSync(path.join(SAMPLES, 'tnmt-goi-tin.xml'), 'utf8'), { 'content-type': 'application/xml' });
  t.equal(res.statusCode, 202);
  t.match(res.body, /bienNhan="/, 'accepted, with its receipt ids');
  t.notMatch(res.body, /signature|MII/i, 'no CMS in the native answer');
});
