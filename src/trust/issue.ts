// Certificates built with node-forge (subject, extensions, ASN.1) and signed with node:crypto: forge's
// pure-JS RSA costs ~37 ms a signature, node's ~1.3 ms (api.md "Libraries").
import { createPublicKey, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface Name { CN: string; O?: string }

export interface CertificateSpec {
  subject: Name;
  /** The issuing CA's certificate (PEM): its subject, as it is, becomes the issuer; absent → self-signed. */
  issuerPem?: string;
  publicKey: KeyObject;
  /** The issuer's key, which signs; the subject's own for a self-signed CA. */
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
  /** URI subject alternative names. */
  uris?: string[];
  dnsNames?: string[];
  ips?: string[];
  extKeyUsage?: ('clientAuth' | 'serverAuth')[];
}

// UTF8String: a system name is Vietnamese (forge writes PrintableString otherwise, and encodes UTF-8 itself).
const UTF8 = forge.asn1.Type.UTF8 as unknown as number;
const attrs = (n: Name) => [
  { shortName: 'CN', value: n.CN, valueTagClass: UTF8 },
  ...(n.O ? [{ shortName: 'O', value: n.O, valueTagClass: UTF8 }] : []),
];

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: at most 20 octets, positive). */
export function newSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x10;
  return b.toString('hex');
}

export function buildCertificate(spec: CertificateSpec, serial = newSerial()): { pem: string; serial: string } {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serial;
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(attrs(spec.subject) as forge.pki.CertificateField[]);
  const issuer = spec.issuerPem ? forge.pki.certificateFromPem(spec.issuerPem) : undefined;
  // forge parses UTF8String values as raw bytes and encodes them again on output: decode first, or a Vietnamese
  // CA name would come out double-encoded and the issued certificate would name no existing issuer.
  const issuerAttrs = issuer?.subject.attributes.map((a) => (a.valueTagClass === UTF8 && typeof a.value === 'string' ? { ...a, value: forge.util.decodeUtf8(a.value) } : a));
  cert.setIssuer(issuerAttrs ?? (attrs(spec.subject) as forge.pki.CertificateField[]));
  const pub = spec.publicKey.type === 'public' ? spec.publicKey : createPublicKey(spec.publicKey);
  cert.publicKey = forge.pki.publicKeyFromPem(pub.export({ type: 'spki', format: 'pem' }).toString());
  const exts: Record<string, unknown>[] = [
    { name: 'basicConstraints', cA: !!spec.ca, critical: true },
    spec.ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (issuer) {
    const ski = issuer.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
    exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: ski?.subjectKeyIdentifier ? forge.util.hexToBytes(ski.subjectKeyIdentifier) : issuer.generateSubjectKeyIdentifier().getBytes() });
  }
  if (spec.extKeyUsage?.length) exts.push({ name: 'extKeyUsage', ...Object.fromEntries(spec.extKeyUsage.map((u) => [u, true])) });
  const alt = [
    ...(spec.uris ?? []).map((value) => ({ type: 6, value })),
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (alt.length) exts.push({ name: 'subjectAltName', altNames: alt });
  cert.setExtensions(exts);
  // Sign the TBSCertificate with node:crypto and hand forge the signature: forge only assembles the ASN.1.
  cert.signatureOid = forge.pki.oids['sha256WithRSAEncryption']!;
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = cert.signatureOid;
  const tbs = Buffer.from(forge.asn1.toDer((forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert)).getBytes(), 'binary');
  cert.signature = nodeSign('sha256', tbs, spec.signingKey).toString('binary');
  return { pem: forge.pki.certificateToPem(cert), serial };
}
