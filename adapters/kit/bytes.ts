// Refusals that come before any parser sees the body (api.md, "Inbound"): encoding, BOM.
import { AdapterError } from './contract.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decode strict UTF-8 (a BOM is dropped); invalid bytes are a 400, never replacement characters. */
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new AdapterError('HUB_REQUEST_ENCODING', 'The body is not valid UTF-8', [{ path: '', message: 'invalid UTF-8 byte sequence' }]);
  }
}
