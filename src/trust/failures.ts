// The failed-login limit and its audit (api.md "Several instances" and "Audit log"). Both are keyed by
// (client address, claimed system): one guesser cannot lock a system out for everyone, and a shared NAT does not
// lock out the other systems behind it. A presented secret never reaches a key, an entry or a log: a claimed id
// that is not shaped like one (a key pasted into the Basic user name) is kept only as a fingerprint.
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../store/types.js';

export const SYSTEM_ID_SHAPE = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** The first 12 hex digits of SHA-256: enough to group attempts, far too little to recover a 256-bit key. */
export function fingerprint(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
}

/** What may be kept of the system a request claims to be. `key` groups attempts; it is never the raw claim. */
export interface Claimed {
  target: string | null;
  fingerprint?: string;
  key: string;
}

export function claimedIdentity(claimed: string | undefined | null): Claimed {
  if (!claimed) return { target: null, key: '' };
  if (SYSTEM_ID_SHAPE.test(claimed)) return { target: claimed, key: `id:${claimed}` };
  const fp = fingerprint(claimed);
  return { target: null, fingerprint: fp, key: `fp:${fp}` };
}

export interface FailureLimit {
  /** Failures per (client, claimed system) and window before every attempt is refused. */
  max: number;
  /** The window is fixed: it starts at the first failure and is never extended. */
  windowMs: number;
  /** Windows tracked at once (memory stays bounded); expired ones go first, then the oldest. */
  capacity: number;
}
export const AUTH_FAILURE_LIMIT: FailureLimit = { max: 20, windowMs: 15 * 60_000, capacity: 10_000 };

export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly o: FailureLimit;

  constructor(o: Partial<FailureLimit> = {}) {
    this.o = { ...AUTH_FAILURE_LIMIT, ...o };
  }

  /** Seconds until the block of this key ends (at least 1), or 0 when it is not blocked. */
  blockedFor(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    if (now - w.start >= this.o.windowMs) {
      this.windows.delete(key);
      return 0;
    }
    return w.count >= this.o.max ? Math.max(1, Math.ceil((w.start + this.o.windowMs - now) / 1000)) : 0;
  }

  fail(key: string, now: number): void {
    const w = this.windows.get(key);
    if (w && now - w.start < this.o.windowMs) {
      w.count++;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= this.o.capacity) this.evict(now);
    this.windows.set(key, { start: now, count: 1 });
  }

  get size(): number {
    return this.windows.size;
  }

  private evict(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.o.windowMs) this.windows.delete(k);
    if (this.windows.size >= this.o.capacity) this.windows.delete(this.windows.keys().next().value as string);
  }
}

export type Scheme = 'certificate' | 'bearer' | 'basic' | 'ws-security' | 'none';

export interface Failure {
  client: string;
  claimed: Claimed;
  path: string;
  scheme: Scheme;
}

const MINUTE = 60_000;

/**
 * Audit of failed attempts without a write per attempt, and without ever updating an entry: the first failure of
 * a (client, claimed system, minute) is appended at once; later ones are counted, and one summary entry with
 * their `count` is appended when the key fails again after that minute, or on the tick, whichever comes first.
 */
export class FailureAudit {
  private readonly buckets = new Map<string, { minute: number; pending: number; last: Failure }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly write: (e: AuditEntry) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly clock: () => number = Date.now,
    tickMs = MINUTE,
    private readonly capacity = 10_000,
  ) {
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref(); // the tick never keeps the process alive; close() flushes what is left
  }

  /** Resolves once the entry, if one is due now, is stored. */
  async record(f: Failure, now = this.clock()): Promise<void> {
    const key = `${f.client}\u0000${f.claimed.key}`;
    const minute = Math.floor(now / MINUTE);
    const b = this.buckets.get(key);
    if (b && b.minute === minute) {
      b.pending++;
      b.last = f;
      return;
    }
    // Claimed before the awaits, so concurrent failures of this minute are counted, not written.
    this.buckets.delete(key);
    if (this.buckets.size >= this.capacity) await this.tick(now, true);
    this.buckets.set(key, { minute, pending: 0, last: f });
    if (b?.pending) await this.write(entry(b.last, b.pending));
    await this.write(entry(f, 1));
  }

  /** Appends a summary of every counted failure; forgets the buckets of past minutes. */
  async tick(now = this.clock(), all = false): Promise<void> {
    const minute = Math.floor(now / MINUTE);
    const due: AuditEntry[] = [];
    for (const [k, b] of this.buckets) {
      if (b.pending) due.push(entry(b.last, b.pending));
      b.pending = 0;
      if (all || b.minute < minute) this.buckets.delete(k);
    }
    for (const e of due) {
      try {
        await this.write(e);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.tick(this.clock(), true);
  }
}

function entry(f: Failure, count: number): AuditEntry {
  return {
    actor: 'anonymous',
    action: 'auth.failed',
    target: f.claimed.target,
    from: f.client,
    detail: { path: f.path, scheme: f.scheme, ...(f.claimed.fingerprint ? { claimedFingerprint: f.claimed.fingerprint } : {}), count },
  };
}
