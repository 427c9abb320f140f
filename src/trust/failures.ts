// The failed-login limit and its audit (api.md "Several instances" and "Audit log"). Both are keyed by
// (client address, claimed system): one guesser cannot lock a system out for everyone, and a shared NAT does not
// lock out the other systems behind it. A presented secret never reaches a key, an entry or a log: a claimed id
// that is not shaped like one (a key pasted into the Basic user name) is kept only as a fingerprint.
import { createHash } from 'node:crypto';
import type { AuditEntry, SharedLimits } from '../store/types.js';

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

export class FailureLimiter implements FailureCounter {
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

/** What the authenticator asks of a failure limit: in process (FailureLimiter) or shared (SharedFailureLimiter). */
export interface FailureCounter {
  blockedFor(key: string, now: number): number;
  fail(key: string, now: number): void | Promise<void>;
  close?(): void;
}

/**
 * The failed-login limit counted once for the installation (several instances on PostgreSQL): the same fixed
 * window from the first failure, counted in the database (SharedLimits.add). The instance whose count reaches the
 * limit blocks the key and announces it; every instance keeps the blocks in memory, so the check before each
 * authentication costs no query. Blocks are read back from the database at start and after the notification
 * connection returns (one announced meanwhile would be missed). Between the count that reaches the limit and the
 * announcement reaching another instance (milliseconds), that instance still looks at credentials: a wrong key
 * there is counted and blocks it at once.
 */
export class SharedFailureLimiter implements FailureCounter {
  private readonly blocked = new Map<string, number>(); // database key → end of its window
  private readonly o: FailureLimit;
  private readonly off: () => void;

  constructor(private readonly shared: SharedLimits, o: Partial<FailureLimit> = {}, private readonly onError: (err: unknown) => void = () => {}) {
    this.o = { ...AUTH_FAILURE_LIMIT, ...o };
    this.off = shared.onBlock((k, endsAt) => this.block(k, endsAt), () => void this.load());
    void this.load();
  }

  /** The database's form of a limiter key: text without NUL (client address and claim are NUL-free otherwise). */
  private static dbKey(key: string): string {
    return `auth ${key.replace(/\u0000/g, ' ')}`;
  }

  private async load(): Promise<void> {
    try {
      for (const b of await this.shared.over('auth ', this.o.max, Date.now())) this.block(b.key, b.endsAt);
    } catch (err) {
      this.onError(err);
    }
  }

  private block(dbKey: string, endsAt: number): void {
    if (!this.blocked.has(dbKey) && this.blocked.size >= this.o.capacity) {
      const now = Date.now();
      for (const [k, e] of this.blocked) if (e <= now) this.blocked.delete(k);
      if (this.blocked.size >= this.o.capacity) this.blocked.delete(this.blocked.keys().next().value as string);
    }
    this.blocked.set(dbKey, endsAt);
  }

  blockedFor(key: string, now: number): number {
    const k = SharedFailureLimiter.dbKey(key);
    const endsAt = this.blocked.get(k);
    if (endsAt === undefined) return 0;
    if (endsAt <= now) {
      this.blocked.delete(k);
      return 0;
    }
    return Math.max(1, Math.ceil((endsAt - now) / 1000));
  }

  async fail(key: string, now: number): Promise<void> {
    const k = SharedFailureLimiter.dbKey(key);
    let w: { count: number; endsAt: number };
    try {
      w = await this.shared.add(k, now, now, this.o.windowMs);
    } catch (err) {
      this.onError(err); // the database is away: the attempt is still refused (401), only not counted
      return;
    }
    if (w.count < this.o.max) return;
    this.block(k, w.endsAt);
    if (w.count === this.o.max) await this.shared.announce(k, w.endsAt).catch(this.onError);
  }

  get size(): number {
    return this.blocked.size;
  }

  close(): void {
    this.off();
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
