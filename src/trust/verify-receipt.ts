// `lgsp-hub verify-receipt --receipt r.json [--ca ca.pem]` (api.md "Signed receipts"): offline, against the CA
// certificate only. The CLI prints the result and exits 0 when valid, 1 when not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verifyReceipt, type ReceiptCheck } from './receipts.js';

export interface VerifyReceiptArgs {
  receipt: string;
  /** The hub CA's certificate; default `<HUB_SECRETS_DIR>/ca.pem`. */
  ca?: string;
  secretsDir?: string;
}

export async function verifyReceiptFile(args: VerifyReceiptArgs): Promise<ReceiptCheck> {
  const caFile = args.ca ?? path.join(args.secretsDir ?? path.resolve(process.env.HUB_SECRETS_DIR || path.join(process.env.HUB_DATA_DIR || './data', 'secrets')), 'ca.pem');
  let receipt: unknown;
  try {
    receipt = JSON.parse(readFileSync(args.receipt, 'utf8'));
  } catch (err) {
    return { valid: false, reason: `${args.receipt} is not readable JSON: ${(err as Error).message}` };
  }
  return verifyReceipt(receipt, readFileSync(caFile, 'utf8'));
}
