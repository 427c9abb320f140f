// One-time hand-over files in the data dir (api.md): the only secrets ever written in plain text, mode 0600,
// written once and never overwritten, so a restart never changes a credential that was already handed over.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Read the file if it exists, else create it (exclusively, 0600) with a fresh value. Returns the value and whether it was created. */
export function readOrCreateSecret(file: string, make: () => string = () => randomSecret()): { value: string; created: boolean } {
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), created: false };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = make();
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  } catch (err) {
    // Another process created it between the check and the write: theirs wins.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { value: readFileSync(file, 'utf8').trim(), created: false };
    throw err;
  }
}

export interface Secrets {
  adminToken: string;
  adminTokenFile: string | undefined;
  /** Server secret under which API keys are stored as HMACs. */
  keySecret: string;
}

export function loadSecrets(dataDir: string, adminToken: string | undefined): Secrets & { adminTokenCreated: boolean } {
  const keySecret = readOrCreateSecret(path.join(dataDir, 'secrets', 'key-hmac.secret')).value;
  if (adminToken) return { adminToken, adminTokenFile: undefined, keySecret, adminTokenCreated: false };
  const file = path.join(dataDir, 'secrets', 'admin-token');
  const { value, created } = readOrCreateSecret(file, () => randomSecret(32));
  return { adminToken: value, adminTokenFile: file, keySecret, adminTokenCreated: created };
}
