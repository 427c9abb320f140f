// One-time hand-over files in HUB_SECRETS_DIR (api.md "Configuration": default `<HUB_DATA_DIR>/secrets`): the only
// secrets ever written in plain text, mode 0600, written once and never overwritten, so a restart never changes a
// credential that was already handed over. The hub CA's and signing keys live in the same folder (ca.ts).
import { randomBytes } from 'node:crypto';
import { copyFileSync, constants, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
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

/**
 * The key-HMAC secret and the admin token from `secretsDir`. Hubs before HUB_SECRETS_DIR kept both in
 * `<dataDir>/secrets` whatever the setting: a file found only there is copied over (never moved, never overwritten),
 * so a data dir started before keeps its keys valid and its handed-over token.
 */
export function loadSecrets(dataDir: string, adminToken: string | undefined, secretsDir = path.join(dataDir, 'secrets')): Secrets & { adminTokenCreated: boolean } {
  const legacy = path.join(dataDir, 'secrets');
  const inSecrets = (name: string) => {
    const file = path.join(secretsDir, name);
    const old = path.join(legacy, name);
    if (path.resolve(old) !== path.resolve(file) && !existsSync(file) && existsSync(old)) {
      mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
      try {
        copyFileSync(old, file, constants.COPYFILE_EXCL);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another instance copied it first
      }
    }
    return file;
  };
  const keySecret = readOrCreateSecret(inSecrets('key-hmac.secret')).value;
  if (adminToken) return { adminToken, adminTokenFile: undefined, keySecret, adminTokenCreated: false };
  const file = inSecrets('admin-token');
  const { value, created } = readOrCreateSecret(file, () => randomSecret(32));
  return { adminToken: value, adminTokenFile: file, keySecret, adminTokenCreated: created };
}
