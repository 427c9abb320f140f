// Free space where the SQLite store writes (api.md "Configuration", HUB_MIN_FREE_MB; "Operations", /readyz).
// Below the floor, dossier changes are refused before they are tried (503 HUB_STORE_FULL with Retry-After), so
// the disk keeps room for what must go on: audit, acks, last-seen, the relay's bookkeeping, checkpoints. When the
// disk fills completely anyway, SQLite's SQLITE_FULL (or ENOSPC) is answered with the same code, never a 500.
import { statfs, statfsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { HubError } from '../../errors.js';

/** How long a measurement of free space is trusted: one statfs a second at most, never one per request. */
const REFRESH_MS = 1000;
/** What a refused client is told to wait, seconds: about the time an operator or a checkpoint needs. */
export const STORE_FULL_RETRY_AFTER_S = 30;

const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
/** I/O failures SQLite reports when a write or an fsync met a full disk (the C library's ENOSPC is not passed up). */
const IO_CODES = /^SQLITE_IOERR(_WRITE|_FSYNC|_SHMSIZE|_TRUNCATE|_DIR_FSYNC)?$/;

export function storeFullError(detail = 'The store has no room for this change; try again later'): HubError {
  return new HubError('HUB_STORE_FULL', detail, [], { retryAfter: STORE_FULL_RETRY_AFTER_S });
}

/** Whether a thrown value means the disk is full: SQLite's SQLITE_FULL or the system's ENOSPC/EDQUOT. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FULL_CODES.has(code);
}

export type StoreState = 'up' | 'full' | 'down';

export class SpaceGuard {
  private freeBytes: number;
  private measuredAt: number;
  private measuring = false;
  private readonly minFreeBytes: number;

  constructor(private readonly dir: string, minFreeMb: number) {
    this.minFreeBytes = Math.max(0, minFreeMb) * 1024 * 1024;
    this.freeBytes = free(statfsSync(dir));
    this.measuredAt = Date.now();
  }

  /** Below the floor, as last measured; starts a new measurement in the background when the last is stale. */
  low(): boolean {
    if (!this.measuring && Date.now() - this.measuredAt >= REFRESH_MS) {
      this.measuring = true;
      statfs(this.dir, (err, s) => {
        this.measuring = false;
        this.measuredAt = Date.now();
        // A folder that cannot be measured is not a reason to refuse: SQLite's own errors still say full.
        this.freeBytes = err ? Number.POSITIVE_INFINITY : free(s);
      });
    }
    return this.freeBytes < this.minFreeBytes;
  }

  /** A fresh measurement (for /readyz, which is polled, not on the hot path). */
  lowNow(): boolean {
    try {
      this.freeBytes = free(statfsSync(this.dir));
      this.measuredAt = Date.now();
    } catch {
      this.freeBytes = Number.POSITIVE_INFINITY;
    }
    return this.freeBytes < this.minFreeBytes;
  }

  /** The refusal for a change that may not be tried now, or undefined. */
  refusal(): HubError | undefined {
    return this.low() ? storeFullError(`Less than ${this.minFreeBytes / 1024 / 1024} MB free where the store writes (HUB_MIN_FREE_MB); try again later`) : undefined;
  }

  /**
   * What a failed write means for the client: HUB_STORE_FULL when the disk is full (SQLITE_FULL, ENOSPC, or an I/O
   * error while free space is below the floor), otherwise the error unchanged.
   */
  classify(err: unknown): unknown {
    if (err instanceof HubError) return err;
    const code = (err as { code?: unknown } | null)?.code;
    if (isDiskFull(err) || (typeof code === 'string' && IO_CODES.test(code) && this.lowNow())) return storeFullError();
    return err;
  }

  /**
   * A real write, made durable like a commit: one row in a table of its own, updated in a transaction (a BEGIN …
   * ROLLBACK writes nothing). `full` below the floor or when the write meets a full disk, `down` on any other failure.
   */
  probe(db: Database.Database): StoreState {
    const low = this.lowNow();
    try {
      // Created here, not in a migration: it holds no data, and a store opened read-only elsewhere never needs it.
      db.exec('CREATE TABLE IF NOT EXISTS store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)');
      db.prepare('INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(Date.now());
    } catch (err) {
      return this.classify(err) instanceof HubError ? 'full' : 'down';
    }
    return low ? 'full' : 'up';
  }
}

function free(s: { bavail: number | bigint; bsize: number | bigint }): number {
  return Number(s.bavail) * Number(s.bsize);
}
