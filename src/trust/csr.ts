// A PEM CSR checked before issuing (api.md "Issuing"): RSA only, at least 2048 bits, signed with SHA-256 or
// stronger, and its self-signature valid. The ASN.1 is read with node-forge; forge's CSR parser refuses non-RSA
// keys with a generic error, so the key's algorithm is read from the ASN.1 first to answer "EC keys are not accepted".
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { HubError } from '../errors.js';
import { pemBlocks, pemBody } from '../util/pem.js';

const OID = {
  rsa: '1.2.840.113549.1.1.1',
  ec: '1.2.840.10045.2.1',
  sha256Rsa: '1.2.840.113549.1.1.11',
  sha384Rsa: '1.2.840.113549.1.1.12',
  sha512Rsa: '1.2.840.113549.1.1.13',
  sha1Rsa: '1.2.840.113549.1.1.5',
  md5Rsa: '1.2.840.113549.1.1.4',
} as const;
const HASH: Record<string, string> = { [OID.sha256Rsa]: 'sha256', [OID.sha384Rsa]: 'sha384', [OID.sha512Rsa]: 'sha512' };
const WEAK_HASH: Record<string, string> = { [OID.sha1Rsa]: 'SHA-1', [OID.md5Rsa]: 'MD5' };

const invalid = (why: string) => new HubError('HUB_CSR_INVALID', `The CSR cannot be read: ${why}`, [{ path: '/csr', message: why }]);
const weak = (why: string) => new HubError('HUB_CSR_WEAK', why, [{ path: '/csr', message: why }]);

export interface CheckedCsr { publicKey: KeyObject; bits: number }

type Node = forge.asn1.Asn1;
const kids = (n: Node | undefined): Node[] => (n && Array.isArray(n.value) ? (n.value as Node[]) : []);
const bytes = (n: Node | undefined) => Buffer.from(typeof n?.value === 'string' ? n.value : '', 'binary');

export function checkCsr(pem: string): CheckedCsr {
  const label = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'].find((l) => pemBlocks(pem, l).length);
  if (!label) throw invalid('no PEM block "CERTIFICATE REQUEST"');
  const der = Buffer.from(pemBody(pemBlocks(pem, label)[0]!, label), 'base64');
  let root: Node;
  try {
    root = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), true);
  } catch {
    throw invalid('not DER-encoded ASN.1');
  }
  const [info, sigAlg, sig] = kids(root);
  const spki = kids(info)[2];
  const keyOidNode = kids(kids(spki)[0])[0];
  const sigOidNode = kids(sigAlg)[0];
  if (!info || !spki || !keyOidNode || !sigOidNode || !sig) throw invalid('not a PKCS#10 CertificationRequest');
  let keyOid: string, sigOid: string;
  try {
    keyOid = forge.asn1.derToOid(keyOidNode.value as string);
    sigOid = forge.asn1.derToOid(sigOidNode.value as string);
  } catch {
    throw invalid('unreadable algorithm identifiers');
  }
  if (keyOid === OID.ec) throw weak('EC keys are not accepted');
  if (keyOid !== OID.rsa) throw weak(`Only RSA keys are accepted (the key's algorithm is ${keyOid})`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(forge.asn1.toDer(spki).getBytes(), 'binary'), format: 'der', type: 'spki' });
  } catch {
    throw invalid('unreadable public key');
  }
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw weak(`The RSA key has ${bits} bits; at least 2048 are required`);
  if (WEAK_HASH[sigOid]) throw weak(`The CSR is signed with ${WEAK_HASH[sigOid]}; SHA-256 or stronger is required`);
  const hash = HASH[sigOid];
  if (!hash) throw weak(`The CSR's signature algorithm ${sigOid} is not accepted; use sha256WithRSAEncryption`);
  // The BIT STRING starts with its unused-bits octet.
  const signature = bytes(sig).subarray(1);
  const tbs = Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary');
  if (!nodeVerify(hash, tbs, publicKey, signature)) throw invalid('its signature does not verify with its own key');
  return { publicKey, bits };
}
