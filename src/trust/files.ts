// Key and certificate files in HUB_SECRETS_DIR, created once for every instance of an installation (api.md
// "Creating the CA"): written into a temporary folder, renamed into place while holding `.ca.lock` (O_EXCL), so
// two instances starting at once never pair one's key with the other's certificate; the loser reads the winner's.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LockOptions {
  /** How long to wait for another instance's lock before giving up, ms. */
  waitMs?: number;
}

const readAll = (dir: string, names: readonly string[]) => Object.fromEntries(names.map((n) => [n, readFileSync(path.join(dir, n), 'utf8')]));
const allThere = (dir: string, names: readonly string[]) => names.every((n) => existsSync(path.join(dir, n)));

/**
 * The named files of `dir`, created together by `make` when any is missing. Keys are written 0600 (every file
 * here is), the folder is 0700. Resolves with the files' contents as they are on disk.
 */
export async function readOrCreateFiles(
  dir: string, names: readonly string[], make: () => Promise<Record<string, string>>, opts: LockOptions = {},
): Promise<Record<string, string>> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = path.join(dir, '.ca.lock');
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  for (;;) {
    if (allThere(dir, names) && !existsSync(lock)) return readAll(dir, names);
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd === undefined) {
      if (Date.now() > deadline) {
        const age = Math.round((Date.now() - statSync(lock).mtimeMs) / 1000);
        throw new Error(`${lock} has been held for ${age} s: another instance is creating the hub's keys, or one died doing it (remove the file then)`);
      }
      await sleep(50);
      continue;
    }
    try {
      closeSync(fd);
      // Another instance may have finished between our check and our lock.
      if (allThere(dir, names)) return readAll(dir, names);
      const made = await make();
      const tmp = mkdtempSync(path.join(dir, '.tmp-'));
      try {
        for (const n of names) writeFileSync(path.join(tmp, n), made[n]!, { mode: 0o600, flag: 'wx' });
        for (const n of names) renameSync(path.join(tmp, n), path.join(dir, n));
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      return readAll(dir, names);
    } finally {
      rmSync(lock, { force: true });
    }
  }
}
