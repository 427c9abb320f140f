// Keys, CSRs and certificates made in the tests: CSRs by node-forge as a client would, keys by node:crypto.
import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { buildCertificate, type CertificateSpec } from '../../src/trust/issue.js';
import { keyPem } from '../../src/trust/ca.js';

export function rsaKey(bits = 2048): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
}

/** A PEM CSR signed by node-forge (sha256 unless told), CN as given. */
export function rsaCsr(key: KeyObject, opts: { cn?: string; hash?: 'sha1' | 'sha256' } = {}): string {
  const csr = forge.pki.createCertificationRequest();
  const fkey = forge.pki.privateKeyFromPem(keyPem(key));
  csr.publicKey = forge.pki.setRsaPublicKey(fkey.n, fkey.e);
  csr.setSubject([{ name: 'commonName', value: opts.cn ?? 'whoever' }]);
  csr.sign(fkey, (opts.hash === 'sha1' ? forge.md.sha1 : forge.md.sha256).create());
  return forge.pki.certificationRequestToPem(csr);
}

/** An EC CSR (forge has no EC): made by openssl. */
export function ecCsr(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ec-csr-'));
  try {
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=ec', '-keyout', path.join(dir, 'k'), '-out', path.join(dir, 'r')], { stdio: 'ignore' });
    return readFileSync(path.join(dir, 'r'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CA of the test's own (a "Government CA" for config/trust), and leaf certificates it issues. */
export function testCa(cn = 'Test Government CA'): { key: KeyObject; pem: string; issue(spec: Partial<CertificateSpec> & { cn: string; key: KeyObject }): string } {
  const key = rsaKey();
  const now = Date.now();
  const { pem } = buildCertificate({ subject: { CN: cn }, publicKey: key, signingKey: key, ca: true, notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 365 * 86_400_000) });
  return {
    key, pem,
    issue: (s) => buildCertificate({
      subject: { CN: s.cn }, issuerPem: pem, publicKey: s.key, signingKey: key,
      notBefore: s.notBefore ?? new Date(now - 86_400_000), notAfter: s.notAfter ?? new Date(now + 30 * 86_400_000),
    }).pem,
  };
}

/** `openssl cms -sign -binary -outform DER` over the bytes: the base64 X-Signature a legacy system sends. */
export function opensslSign(body: Buffer, certPem: string, key: KeyObject): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cms-sign-'));
  try {
    writeFileSync(path.join(dir, 'body'), body);
    writeFileSync(path.join(dir, 'cert.pem'), certPem);
    writeFileSync(path.join(dir, 'key.pem'), keyPem(key), { mode: 0o600 });
    execFileSync('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-in', path.join(dir, 'body'), '-signer', path.join(dir, 'cert.pem'), '-inkey', path.join(dir, 'key.pem'), '-md', 'sha256', '-out', path.join(dir, 'sig')], { stdio: 'ignore' });
    return readFileSync(path.join(dir, 'sig')).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `openssl cms -verify` of a detached signature over `content` against a CA file: true when openssl says so. */
export function opensslVerify(sigB64: string, content: Buffer, caPem: string): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'cms-verify-'));
  try {
    writeFileSync(path.join(dir, 'sig.der'), Buffer.from(sigB64, 'base64'));
    writeFileSync(path.join(dir, 'content'), content);
    writeFileSync(path.join(dir, 'ca.pem'), caPem);
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, 'sig.der'), '-content', path.join(dir, 'content'), '-CAfile', path.join(dir, 'ca.pem'), '-purpose', 'any', '-out', '/dev/null'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { createPrivateKey };

/** A config dir of the test's own whose config/trust holds a test "Government CA" (removed at teardown). */
export function configWithAnchor(t: { teardown(fn: () => void): void }, cn = 'Ban Cơ yếu Test Root'): { configDir: string; gov: ReturnType<typeof testCa> } {
  const configDir = mkdtempSync(path.join(tmpdir(), 'hub-trust-config-'));
  t.teardown(() => rmSync(configDir, { recursive: true, force: true }));
  const gov = testCa(cn);
  mkdirSync(path.join(configDir, 'trust'));
  writeFileSync(path.join(configDir, 'trust', 'gov.pem'), gov.pem);
  return { configDir, gov };
}
