// Detached CMS SignedData (RFC 5652) by PKI.js over WebCrypto: the hub signs receipts (and, later, audit
// checkpoints) with it, and verifies what systems send in X-Signature. DER, base64 on the wire.
import { createHash, sign as nodeSign, X509Certificate, type KeyObject } from 'node:crypto';
import { pkijs, asn1js, pemToDer, pkijsCertificate, toArrayBuffer, x509FromPkijs } from './pki.js';
import { trimTrailing } from '../util/pem.js';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.3.14.3.2.26': 'sha1',
};

export interface CmsSigner { certPem: string; key: KeyObject }

export interface PreparedSigner { cert: pkijs.Certificate; key: KeyObject }

/** The signer's certificate parsed once (parsing it per signature would cost more than the signature). */
export async function cmsSigner(s: CmsSigner): Promise<PreparedSigner> {
  const der = pemToDer(s.certPem);
  const cert = pkijsCertificate(der);
  // The certificate is the same in every signature: its ASN.1 is built once (asn1js re-encoding it per
  // signature cost more than the RSA signature itself).
  const schema = asn1js.fromBER(toArrayBuffer(der)).result;
  cert.toSchema = () => schema as ReturnType<pkijs.Certificate['toSchema']>;
  return { cert, key: s.key };
}

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_SHA256_RSA = '1.2.840.113549.1.1.11';

/** Detached SignedData over `bytes`, with contentType, messageDigest and signingTime signed attributes. */
export async function signDetached(signer: PreparedSigner, bytes: Uint8Array, at = new Date()): Promise<string> {
  const digest = createHash('sha256').update(bytes).digest();
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({ type: OID_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_DATA })] }),
      new pkijs.Attribute({ type: OID_SIGNING_TIME, values: [new asn1js.UTCTime({ valueDate: at })] }),
      new pkijs.Attribute({ type: OID_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })] }),
    ],
  });
  // PKI.js builds the structure; the RSA signature over the DER SET of signed attributes (RFC 5652 §5.4) is
  // node:crypto's: PKI.js's own sign() path measured ~20 ms a receipt on this machine against ~2 ms.
  const attrsDer = Buffer.from(signedAttrs.toSchema().toBER(false));
  attrsDer[0] = 0x31;
  const signature = nodeSign('sha256', attrsDer, signer.key);
  const sha256 = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 });
  const sd = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA }),
    signerInfos: [new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.cert.issuer, serialNumber: signer.cert.serialNumber }),
      digestAlgorithm: sha256(),
      signedAttrs,
      signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256_RSA, algorithmParams: new asn1js.Null() }),
      signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
    })],
    certificates: [signer.cert],
  });
  const ci = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: sd.toSchema(true) });
  return Buffer.from(ci.toSchema().toBER(false)).toString('base64');
}

/** Which check failed (api.md: `detail` says which). */
export class CmsFailure extends Error {
  constructor(readonly check: 'format' | 'digest' | 'signature' | 'signer', message: string) {
    super(message);
  }
}

export interface CmsVerified {
  signer: X509Certificate;
  /** Other certificates the CMS carries (intermediates). */
  extra: X509Certificate[];
  signedAt: Date | undefined;
}

/**
 * Checks digest and signature of a detached SignedData over `bytes`; the signer's certificate comes from the
 * CMS, else from `candidates` (a system's registered signers). Chain, validity and registration are the caller's.
 */
export async function verifyDetached(b64: string, bytes: Uint8Array, candidates: readonly X509Certificate[] = []): Promise<CmsVerified> {
  let sd: pkijs.SignedData;
  try {
    const der = Buffer.from(b64.trim(), 'base64');
    if (!der.length || trimTrailing(der.toString('base64'), '=') !== trimTrailing(b64.trim(), '=')) throw new Error('not base64');
    const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
    if (ci.contentType !== OID_SIGNED_DATA) throw new Error('not SignedData');
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch {
    throw new CmsFailure('format', 'the signature is not a base64 DER CMS SignedData');
  }
  const si = sd.signerInfos[0];
  if (sd.signerInfos.length !== 1 || !si) throw new CmsFailure('format', 'the CMS must carry exactly one signer');
  if (sd.encapContentInfo.eContent) throw new CmsFailure('format', 'the CMS must be detached (no content inside)');
  const inCms = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const pool = [...inCms.map(x509FromPkijs), ...candidates];
  const sid = si.sid as pkijs.IssuerAndSerialNumber;
  const serial = sid instanceof pkijs.IssuerAndSerialNumber ? Buffer.from(sid.serialNumber.valueBlock.valueHexView).toString('hex').replace(/^0+/, '') : undefined;
  const signer = pool.find((c) => c.serialNumber.toLowerCase().replace(/^0+/, '') === serial);
  if (!signer) throw new CmsFailure('signer', "the signer's certificate is neither in the CMS nor registered");
  // Digest: with signed attributes the messageDigest attribute must match the body (PKI.js checks it too, but
  // answering "digest" apart from "signature" needs the comparison here).
  const algo = DIGESTS[si.digestAlgorithm.algorithmId];
  if (!algo || algo === 'sha1') throw new CmsFailure('digest', `digest algorithm ${si.digestAlgorithm.algorithmId} is not accepted (SHA-256 or stronger)`);
  let signedAt: Date | undefined;
  if (si.signedAttrs) {
    const md = si.signedAttrs.attributes.find((a) => a.type === OID_MESSAGE_DIGEST)?.values[0] as asn1js.OctetString | undefined;
    const want = createHash(algo).update(bytes).digest();
    if (!md || !Buffer.from(md.valueBlock.valueHexView).equals(want)) throw new CmsFailure('digest', 'the message digest does not match the body');
    const st = si.signedAttrs.attributes.find((a) => a.type === OID_SIGNING_TIME)?.values[0] as asn1js.UTCTime | asn1js.GeneralizedTime | undefined;
    signedAt = st?.toDate();
  }
  // The signer found above is handed to PKI.js (a registered signer is not in the CMS): chain checks are ours.
  if (!inCms.some((c) => x509FromPkijs(c).raw.equals(signer.raw))) sd.certificates = [...(sd.certificates ?? []), pkijsCertificate(signer.raw)];
  const ok = await sd.verify({ signer: 0, data: toArrayBuffer(bytes), checkChain: false, extendedMode: true }).then(
    (r) => r.signatureVerified === true,
    () => false,
  );
  if (!ok) throw new CmsFailure('signature', 'the signature does not verify with the signer\'s key');
  return { signer, extra: pool.filter((c) => c !== signer), signedAt };
}
