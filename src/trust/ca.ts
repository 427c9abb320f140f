// The hub CA and the hub's signing key (api.md "Trust"): generated at first start (keys by node:crypto,
// certificates by node-forge), or imported from HUB_SECRETS_DIR/ca.pem and ca.key when an operator put them there.
import { createPrivateKey, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { readOrCreateFiles, type LockOptions } from './files.js';
import { buildCertificate } from './issue.js';

const generate = promisify(generateKeyPair);
const DAY = 86_400_000;

export interface KeyPair { certPem: string; cert: X509Certificate; key: KeyObject }

export async function newRsaKey(bits = 2048): Promise<KeyObject> {
  const { privateKey } = await generate('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return privateKey;
}

export const keyPem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }).toString();

function pair(certPem: string, keyText: string, what: string): KeyPair {
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(keyText);
  if (!cert.checkPrivateKey(key)) throw new Error(`${what}: the key does not belong to the certificate`);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${what}: the hub's keys are RSA only`);
  return { certPem, cert, key };
}

export async function loadOrCreateCa(secretsDir: string, opts: LockOptions & { name?: string } = {}): Promise<KeyPair> {
  const files = await readOrCreateFiles(secretsDir, ['ca.key', 'ca.pem'], async () => {
    const key = await newRsaKey(3072);
    const now = Date.now();
    const subject = { CN: opts.name ?? 'lgsp-hub CA', O: 'lgsp-hub' };
    const { pem } = buildCertificate({ subject, publicKey: key, signingKey: key, ca: true, notBefore: new Date(now - 60_000), notAfter: new Date(now + 20 * 365 * DAY) });
    return { 'ca.key': keyPem(key), 'ca.pem': pem };
  }, opts);
  return pair(files['ca.pem']!, files['ca.key']!, 'the hub CA');
}

/** The hub's receipt-signing key, its certificate issued by the hub CA (renewed into new files is an operator's act). */
export async function loadOrCreateSigner(secretsDir: string, ca: KeyPair, opts: LockOptions = {}): Promise<KeyPair> {
  const files = await readOrCreateFiles(secretsDir, ['signing.key', 'signing.pem'], async () => {
    const key = await newRsaKey(2048);
    const now = Date.now();
    const { pem } = buildCertificate({
      subject: { CN: 'lgsp-hub receipts', O: 'lgsp-hub' }, issuerPem: ca.certPem, publicKey: key, signingKey: ca.key,
      notBefore: new Date(now - 60_000), notAfter: new Date(now + 5 * 365 * DAY),
    });
    return { 'signing.key': keyPem(key), 'signing.pem': pem };
  }, opts);
  return pair(files['signing.pem']!, files['signing.key']!, 'the hub signing key');
}


/**
 * The HTTPS listener's key and certificate (api.md "Configuration", HUB_TLS_CERT/HUB_TLS_KEY unset): issued by the
 * hub CA for the public host (and the loopback names, for clients on the machine), serverAuth.
 */
export async function loadOrCreateServerPair(secretsDir: string, ca: KeyPair, host: string, opts: LockOptions = {}): Promise<KeyPair> {
  const files = await readOrCreateFiles(secretsDir, ['tls.key', 'tls.pem'], async () => {
    const key = await newRsaKey(2048);
    const now = Date.now();
    const isIp = /^[0-9.]+$|:/.test(host);
    const dnsNames = [...new Set(['localhost', ...(isIp ? [] : [host])])];
    const ips = [...new Set(['127.0.0.1', ...(isIp ? [host] : [])])];
    const { pem } = buildCertificate({
      subject: { CN: host, O: 'lgsp-hub' }, issuerPem: ca.certPem, publicKey: key, signingKey: ca.key,
      notBefore: new Date(now - 60_000), notAfter: new Date(now + 825 * DAY), dnsNames, ips, extKeyUsage: ['serverAuth'],
    });
    return { 'tls.key': keyPem(key), 'tls.pem': pem };
  }, opts);
  return pair(files['tls.pem']!, files['tls.key']!, 'the HTTPS listener key');
}
