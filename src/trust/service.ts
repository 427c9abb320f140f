// The hub's trust services (api.md "Trust"): the CA and its issued certificates, the trust anchors, signed
// receipts and the checks of X-Signature. Keys are loaded on first use (`ready()`; the process calls it at start),
// so a test hub that never signs creates none.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { AcceptedSignature, Store, SystemRecord } from '../store/types.js';
import type { Receipt } from '../../adapters/kit/contract.js';
import { formatVn } from '../util/time.js';
import { loadOrCreateCa, loadOrCreateServerPair, loadOrCreateSigner, type KeyPair } from './ca.js';
import { checkCsr } from './csr.js';
import { buildCertificate } from './issue.js';
import { CmsFailure, cmsSigner, signDetached, verifyDetached, type PreparedSigner } from './cms.js';
import { validateChain } from './chain.js';
import { receiptBytes, verifyReceipt, type ReceiptCheck } from './receipts.js';
import { fingerprintSha256, pemCertificates, serialHex, subjectLine } from './pki.js';

const DAY = 86_400_000;
export const systemUri = (id: string) => `urn:lgsp-hub:system:${id}`;

export interface IssuedCertificate { serial: string; certificate: string; notBefore: string; notAfter: string; fingerprintSha256: string }

export interface TrustOptions { secretsDir: string; configDir: string; signReceipts: boolean; store: Store; log: Logger }

export class Trust {
  private keys?: Promise<{ ca: KeyPair; signer: PreparedSigner; signerCert: X509Certificate }>;
  /** CA certificates of config/trust/*.pem (for example the Government CA's root). */
  readonly configAnchors: X509Certificate[];

  constructor(private readonly opts: TrustOptions) {
    this.configAnchors = loadAnchors(path.join(opts.configDir, 'trust'), opts.log);
  }

  get signsReceipts(): boolean {
    return this.opts.signReceipts;
  }

  /** Whether the keys were asked for (the process does at start): until then nothing is signed unasked. */
  get started(): boolean {
    return this.keys !== undefined;
  }

  /** The CA and the signing key, created under the lock at first use. */
  ready() {
    this.keys ??= (async () => {
      const ca = await loadOrCreateCa(this.opts.secretsDir);
      const pair = await loadOrCreateSigner(this.opts.secretsDir, ca);
      return { ca, signer: await cmsSigner(pair), signerCert: pair.cert };
    })();
    return this.keys;
  }

  async caPem(): Promise<string> {
    return (await this.ready()).ca.certPem;
  }

  async hubCa(): Promise<X509Certificate> {
    return (await this.ready()).ca.cert;
  }

  /** The HTTPS listener's pair: the operator's PEM files when given, else one the hub CA issues for `host` once. */
  async listenerPair(host: string, files?: { cert: string; key: string }): Promise<{ cert: string; key: string }> {
    if (files) return { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
    const { certPem, key } = await loadOrCreateServerPair(this.opts.secretsDir, (await this.ready()).ca, host);
    return { cert: certPem, key: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
  }

  async anchors(): Promise<X509Certificate[]> {
    return [(await this.ready()).ca.cert, ...this.configAnchors];
  }

  /** A client certificate for the system from a PEM CSR: only its public key is taken (api.md "Issuing"). */
  async issue(system: SystemRecord, csrPem: string, validDays = 365, now = Date.now()): Promise<IssuedCertificate> {
    const { publicKey } = checkCsr(csrPem);
    const { ca } = await this.ready();
    const { pem, serial } = buildCertificate({
      subject: { CN: system.id, O: system.name }, issuerPem: ca.certPem, publicKey, signingKey: ca.key,
      notBefore: new Date(now - 60_000), notAfter: new Date(now + validDays * DAY), uris: [systemUri(system.id)], extKeyUsage: ['clientAuth'],
    });
    const cert = new X509Certificate(pem);
    const issued = {
      serial, certificate: pem, fingerprintSha256: fingerprintSha256(cert),
      notBefore: formatVn(Date.parse(cert.validFrom)), notAfter: formatVn(Date.parse(cert.validTo)),
    };
    await this.opts.store.certificates.insert({ ...issued, systemId: system.id, pem, issuedAt: formatVn(now) });
    return issued;
  }

  /** Detached CMS by the hub's signing key (receipts; the audit checkpoints can use it too). */
  async signDetached(bytes: Uint8Array): Promise<string> {
    return signDetached((await this.ready()).signer, bytes);
  }

  /**
   * Checks a detached CMS made by signDetached (for the audit checkpoints): digest, signature, and a signer
   * certificate issued by the hub CA, valid at its signing time. Resolves with the signing time, or a reason.
   */
  async verifyDetached(b64: string, bytes: Uint8Array): Promise<{ valid: true; signedAt: string } | { valid: false; reason: string }> {
    try {
      const v = await verifyDetached(b64, bytes);
      const at = v.signedAt ?? new Date();
      const chain = validateChain(v.signer, v.extra, [(await this.ready()).ca.cert], at);
      return chain.ok ? { valid: true, signedAt: formatVn(at.getTime()) } : { valid: false, reason: chain.message };
    } catch (err) {
      if (err instanceof CmsFailure) return { valid: false, reason: err.message };
      throw err;
    }
  }

  /** The receipt with its `signature` when signing is on; a duplicate's is signed anew (it covers `duplicate`). */
  async signReceipt<R extends Receipt>(receipt: R): Promise<R> {
    if (!this.opts.signReceipts) return receipt;
    const { signature: _old, ...plain } = receipt;
    return { ...plain, signature: await this.signDetached(receiptBytes(plain)) } as R;
  }

  async verifyReceipt(receipt: unknown): Promise<ReceiptCheck> {
    return verifyReceipt(receipt, await this.caPem());
  }

  /**
   * The X-Signature check of api.md "Signed payloads". Undefined when the system does not sign (or, optional,
   * sent none); throws 401 HUB_SIGNATURE_REQUIRED / HUB_SIGNATURE_INVALID (detail: which check failed).
   */
  async checkPayload(system: SystemRecord, body: Uint8Array, header: string | undefined, now = Date.now()): Promise<AcceptedSignature | undefined> {
    const mode = system.signature?.mode ?? 'off';
    if (mode === 'off') return undefined;
    if (!header) {
      if (mode === 'required') throw new HubError('HUB_SIGNATURE_REQUIRED', `System ${system.id} must sign its requests: send X-Signature, a detached CMS over the body`);
      return undefined;
    }
    const fail = (check: string, message: string) => new HubError('HUB_SIGNATURE_INVALID', `X-Signature: ${check} check failed: ${message}`, [{ path: 'header:x-signature', message: `${check}: ${message}` }]);
    const signers = (system.signature?.signers ?? []).flatMap((pem) => pemCertificates(pem)).map((p) => new X509Certificate(p));
    let v;
    try {
      v = await verifyDetached(header, body, signers);
    } catch (err) {
      if (err instanceof CmsFailure) throw fail(err.check, err.message);
      throw err;
    }
    const at = v.signedAt ?? new Date(now);
    const chain = validateChain(v.signer, [...v.extra, ...signers], await this.anchors(), at);
    if (!chain.ok) throw fail(chain.check, chain.message);
    const fingerprint = fingerprintSha256(v.signer);
    const serial = serialHex(v.signer);
    const registered = signers.some((c) => fingerprintSha256(c) === fingerprint);
    if (!registered) {
      const issued = v.signer.checkIssued((await this.ready()).ca.cert) ? await this.opts.store.certificates.get(serial) : undefined;
      if (!issued || issued.fingerprintSha256 !== fingerprint || issued.systemId !== system.id) {
        throw fail('signer', `the signer ${subjectLine(v.signer)} is not registered to system ${system.id}`);
      }
      if (issued.revokedAt) throw fail('revocation', `the signer's certificate ${serial} was revoked at ${issued.revokedAt}`);
    }
    return { cms: header, signedAt: formatVn(at.getTime()), signer: { subject: subjectLine(v.signer), serial, fingerprintSha256: fingerprint } };
  }
}

function loadAnchors(dir: string, log: Logger): X509Certificate[] {
  if (!existsSync(dir)) return [];
  const out: X509Certificate[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.pem')).sort()) {
    for (const pem of pemCertificates(readFileSync(path.join(dir, f), 'utf8'))) {
      const c = new X509Certificate(pem);
      if (!c.ca) log.warn({ file: f, subject: subjectLine(c) }, 'config/trust holds a certificate that is not a CA; it is no anchor');
      else out.push(c);
    }
  }
  return out;
}
