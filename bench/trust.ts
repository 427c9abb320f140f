// The cost of trust per request: ingest over HTTP with HUB_SIGN_RECEIPTS off beside on (same script, same load),
// then in-process timings of one receipt signature and one X-Signature check (CMS digest, signature, chain).
// Run from the project root: npx tsx bench/trust.ts [connections] [seconds]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const payload = JSON.parse(readFileSync(path.join(SHARED_BENCH, 'dossier.json'), 'utf8'));
const ADMIN = 'bench-admin-token-0123456789abcdef0123456789';

function requests(headers: Record<string, string>): autocannon.Request[] {
  let i = 0;
  return [{
    method: 'POST' as const, path: '/v1/inbound/bench-src', headers: { 'content-type': 'application/json', ...headers },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...payload, code: codeFor(i++) }) }),
  }];
}

async function ingest(sign: 'off' | 'on'): Promise<LoadResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-trust-'));
  const hub = await startProcess('node', ['--import', 'tsx', 'src/server.ts'], {
    PORT: '3903', HUB_DATA_DIR: dataDir, HUB_ADMIN_TOKEN: ADMIN, HUB_CONFIG_DIR: path.join(dataDir, 'config'), LOG_LEVEL: 'warn',
    HUB_RELAY: 'off', HUB_SIGN_RECEIPTS: sign,
  }, 'http://127.0.0.1:3903/healthz');
  try {
    const reg = await fetch('http://127.0.0.1:3903/v1/admin/systems', {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'bench-src', name: 'bench', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null }),
    });
    const { apiKey } = (await reg.json()) as { apiKey: string };
    return await load({ url: 'http://127.0.0.1:3903', connections, duration, requests: requests({ authorization: `Bearer ${apiKey}` }) });
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
console.log(row('ingest, HUB_SIGN_RECEIPTS=off', off));
const on = await ingest('on');
console.log(row('ingest, HUB_SIGN_RECEIPTS=on', on, off));
await micro();
