// The cost of trust per request: ingest over HTTP with signing off beside on (same script, same load): receipts
// signed (HUB_SIGN_RECEIPTS=on), then receipts signed and every body's X-Signature verified (signature required),
// each printed as a ratio to off; then in-process timings of one receipt signature and one X-Signature check.
// The signed bodies are made before the load (a client signing inline would measure itself); [signed] of them.
// Run from the project root: npx tsx bench/trust.ts [connections] [seconds] [signed]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type autocannon from 'autocannon';
import { SHARED_BENCH, codeFor, load, row, startProcess, stop, type LoadResult } from './lib.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { Trust } from '../src/trust/service.js';
import { signDetached, cmsSigner } from '../src/trust/cms.js';
import { buildCertificate } from '../src/trust/issue.js';
import { newRsaKey } from '../src/trust/ca.js';
import type { SystemRecord } from '../src/store/types.js';

const connections = Number(process.argv[2] ?? 20);
const duration = Number(process.argv[3] ?? 15);
const signedBodies = Number(process.argv[4] ?? 6000);
const payload = JSON.parse(readFileSync(path.join(SHARED_BENCH, 'dossier.json'), 'utf8'));
const ADMIN = 'bench-admin-token-0123456789abcdef0123456789';

function requests(headers: Record<string, string>, bodies?: { body: string; sig: string }[]): autocannon.Request[] {
  let i = 0;
  return [{
    method: 'POST' as const, path: '/v1/inbound/bench-src', headers: { 'content-type': 'application/json', ...headers },
    setupRequest: (req: autocannon.Request) => {
      if (!bodies) return { ...req, body: JSON.stringify({ ...payload, code: codeFor(i++) }) };
      // Past the pre-signed set the bodies repeat (answered as duplicates, still verified): the count says so.
      const b = bodies[i++ % bodies.length]!;
      return { ...req, body: b.body, headers: { ...req.headers, 'x-signature': b.sig } };
    },
  }];
}

/** A CA of the bench's own in config/trust, a signer it issued, and that many distinct signed bodies. */
async function signedSet(configDir: string, n: number): Promise<{ signerPem: string; bodies: { body: string; sig: string }[] }> {
  const caKey = await newRsaKey();
  const now = Date.now();
  const ca = buildCertificate({ subject: { CN: 'bench CA' }, publicKey: caKey, signingKey: caKey, ca: true, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) }).pem;
  mkdirSync(path.join(configDir, 'trust'), { recursive: true });
  writeFileSync(path.join(configDir, 'trust', 'bench.pem'), ca);
  const key = await newRsaKey();
  const signerPem = buildCertificate({ subject: { CN: 'bench signer' }, issuerPem: ca, publicKey: key, signingKey: caKey, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) }).pem;
  const signer = await cmsSigner({ certPem: signerPem, key });
  const bodies = [];
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify({ ...payload, code: codeFor(i) });
    bodies.push({ body, sig: await signDetached(signer, Buffer.from(body)) });
  }
  return { signerPem, bodies };
}

async function ingest(mode: 'off' | 'receipts' | 'receipts+x-signature'): Promise<LoadResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-trust-'));
  const configDir = path.join(dataDir, 'config');
  const set = mode === 'receipts+x-signature' ? await signedSet(configDir, signedBodies) : undefined;
  const hub = await startProcess('node', ['--import', 'tsx', 'src/server.ts'], {
    PORT: '3903', HUB_DATA_DIR: dataDir, HUB_ADMIN_TOKEN: ADMIN, HUB_CONFIG_DIR: configDir, LOG_LEVEL: 'warn',
    HUB_RELAY: 'off', HUB_SIGN_RECEIPTS: mode === 'off' ? 'off' : 'on',
  }, 'http://127.0.0.1:3903/healthz');
  try {
    const reg = await fetch('http://127.0.0.1:3903/v1/admin/systems', {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'bench-src', name: 'bench', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null,
        ...(set ? { signature: { mode: 'required', signers: [set.signerPem] } } : {}),
      }),
    });
    const { apiKey } = (await reg.json()) as { apiKey: string };
    return await load({ url: 'http://127.0.0.1:3903', connections, duration, requests: requests({ authorization: `Bearer ${apiKey}` }, set?.bodies) });
  } finally {
    await stop(hub);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t) / n;
}

async function micro(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-trust-'));
  try {
    const store = openSqliteStore(dataDir);
    const trust = new Trust({ secretsDir: path.join(dataDir, 'secrets'), configDir: path.join(dataDir, 'config'), signReceipts: true, store, log: pino({ level: 'silent' }) });
    const { ca } = await trust.ready();
    const receipt = { receiptId: '01JD8X3YQ6ZB2M1N4P5R6S7T8V', dossierCode: '000.00.15.H12-261127-0007', revision: 3, status: 4, duplicate: false, payloadSha256: 'a'.repeat(64), canonicalSha256: 'b'.repeat(64), acceptedAt: '2026-11-27T08:15:02.123+07:00' };
    console.log(`sign one receipt (JCS + CMS): ${(await timeEach(300, () => trust.signReceipt(receipt))).toFixed(2)} ms`);
    const signed = await trust.signReceipt(receipt);
    console.log(`verify one receipt (POST /v1/receipts/verify work): ${(await timeEach(300, () => trust.verifyReceipt(signed))).toFixed(2)} ms`);
    // A system's signer, issued by the hub CA, registered by PEM; the body is the bench dossier.
    const key = await newRsaKey();
    const now = Date.now();
    const { pem } = buildCertificate({ subject: { CN: 'bench signer' }, issuerPem: ca.certPem, publicKey: key, signingKey: ca.key, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
    const body = Buffer.from(JSON.stringify(payload));
    const sig = await signDetached(await cmsSigner({ certPem: pem, key }), body);
    const system = { id: 'bench-src', signature: { mode: 'required', signers: [pem] } } as unknown as SystemRecord;
    console.log(`check one X-Signature (${body.length} B body): ${(await timeEach(300, () => trust.checkPayload(system, body, sig))).toFixed(2)} ms`);
    await store.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`trust benchmark: autocannon -c ${connections} -d ${duration}, a distinct dossier per request`);
const off = await ingest('off');
console.log(row('ingest, signing off', off));
const on = await ingest('receipts');
console.log(row('ingest, receipts signed', on, off));
const both = await ingest('receipts+x-signature');
console.log(`${row('ingest, receipts + X-Signature', both, off)}  (${Math.min(both.total, signedBodies)} distinct signed bodies)`);
await micro();
