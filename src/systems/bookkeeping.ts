// Last seen, last used and traffic counters (api.md "Systems", "Reading"): aggregated in memory and flushed at
// most once a second in one transaction, so an authenticated request adds no write of its own. A crash may lose
// that second of bookkeeping, never a dossier.
import type { Store, TrafficCounts } from '../store/types.js';
import { formatVn } from '../util/time.js';

export const FLUSH_MS = 1000;

export class BookkeepingBuffer {
  private keysUsed = new Map<string, string>();
  private systemsSeen = new Map<string, string>();
  private counts = new Map<string, TrafficCounts>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly onError: (err: unknown) => void = () => {}) {}

  /** A successful authentication with this key. */
  /** `keyHmac` undefined: authenticated by a client certificate alone (no key was used). */
  seen(systemId: string, keyHmac: string | undefined, now = Date.now()): void {
    const at = formatVn(now);
    if (keyHmac) this.keysUsed.set(keyHmac, at);
    this.systemsSeen.set(systemId, at);
    this.schedule();
  }

  /** Inbound items of one request, by outcome. */
  traffic(systemId: string, c: Partial<TrafficCounts>, now = Date.now()): void {
    const key = `${systemId}\u0000${dayOf(now)}`;
    const t = this.counts.get(key) ?? { accepted: 0, refused: 0, duplicates: 0 };
    t.accepted += c.accepted ?? 0;
    t.refused += c.refused ?? 0;
    t.duplicates += c.duplicates ?? 0;
    this.counts.set(key, t);
    this.schedule();
  }

  /** What is not flushed yet, so a read is never behind the buffer. */
  pendingSeen(systemId: string): string | undefined {
    return this.systemsSeen.get(systemId);
  }

  pendingKeyUse(keyHmac: string): string | undefined {
    return this.keysUsed.get(keyHmac);
  }

  pendingTraffic(systemId: string): TrafficCounts {
    const out = { accepted: 0, refused: 0, duplicates: 0 };
    for (const [k, c] of this.counts) {
      if (!k.startsWith(`${systemId}\u0000`)) continue;
      out.accepted += c.accepted; out.refused += c.refused; out.duplicates += c.duplicates;
    }
    return out;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, FLUSH_MS);
    this.timer.unref();
  }

  /** Writes what is buffered (the timer, and at shutdown before the store closes). */
  flush(): Promise<void> {
    if (!this.keysUsed.size && !this.systemsSeen.size && !this.counts.size) return this.flushing;
    const batch = { keysUsed: this.keysUsed, systemsSeen: this.systemsSeen, traffic: this.counts };
    this.keysUsed = new Map();
    this.systemsSeen = new Map();
    this.counts = new Map();
    this.flushing = this.flushing.then(() => this.store.admin.recordBookkeeping(batch)).catch(this.onError);
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

/** The local (+07:00) date `yyyy-MM-dd` of an instant: the traffic table's day. */
export function dayOf(epochMs: number): string {
  return formatVn(epochMs).slice(0, 10);
}
