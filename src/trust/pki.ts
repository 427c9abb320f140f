// PKI.js runs over Node's WebCrypto (api.md "Libraries"); helpers between PEM, DER and the libraries' objects.
import { webcrypto, X509Certificate, createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { pemBlocks } from '../util/pem.js';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));

export { pkijs, asn1js };

export function pemToDer(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

/** Every certificate of a PEM bundle (config/trust files may hold several). */
export function pemCertificates(text: string): string[] {
  return pemBlocks(text, 'CERTIFICATE');
}

export const toArrayBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export function pkijsCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

export function x509FromPkijs(c: pkijs.Certificate): X509Certificate {
  return new X509Certificate(Buffer.from(c.toSchema().toBER(false)));
}

export function fingerprintSha256(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** The serial as lowercase hex without leading zeros, as the store and the API show it. */
export function serialHex(cert: X509Certificate): string {
  return cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
}

/** RFC 4514-ish one-line subject ("CN=…, O=…"), from Node's multi-line form. */
export function subjectLine(cert: X509Certificate): string {
  return cert.subject.split('\n').filter(Boolean).join(', ');
}
