// Signed receipts (api.md "Signed receipts"): the signature covers the UTF-8 bytes of the receipt without its
// `signature` member in RFC 8785 form (JCS), so any verifier — openssl included — can rebuild them.
import { X509Certificate } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CmsFailure, verifyDetached } from './cms.js';
import { validateChain } from './chain.js';
import { serialHex, subjectLine } from './pki.js';

export function receiptBytes(receipt: Record<string, unknown>): Buffer {
  const { signature: _omit, ...rest } = receipt;
  return Buffer.from(canonicalize(rest) ?? '', 'utf8');
}

export type ReceiptCheck =
  | { valid: true; signedAt: string; signer: { subject: string; serial: string } }
  | { valid: false; reason: string };

/** Checks a receipt against the CA certificate alone: offline, no store (`lgsp-hub verify-receipt`). */
export async function verifyReceipt(receipt: unknown, caPem: string, now = new Date()): Promise<ReceiptCheck> {
  if (!receipt || typeof receipt !== 'object' || Array.isArray(receipt)) return { valid: false, reason: 'the receipt is not a JSON object' };
  const sig = (receipt as Record<string, unknown>).signature;
  if (typeof sig !== 'string' || !sig) return { valid: false, reason: 'the receipt carries no signature' };
  try {
    const v = await verifyDetached(sig, receiptBytes(receipt as Record<string, unknown>));
    const at = v.signedAt ?? now;
    const chain = validateChain(v.signer, v.extra, [new X509Certificate(caPem)], at);
    if (!chain.ok) return { valid: false, reason: chain.message };
    return { valid: true, signedAt: at.toISOString(), signer: { subject: subjectLine(v.signer), serial: serialHex(v.signer) } };
  } catch (err) {
    if (err instanceof CmsFailure) return { valid: false, reason: err.message };
    throw err;
  }
}
