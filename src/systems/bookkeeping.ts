// Last seen, last used and traffic counters (api.md "Systems", "Reading"; "Conformance report"): aggregated in
// memory and flushed at most once a second as a side write of the store's group commit, so an authenticated
// request adds no write of its own. A crash may lose that second of bookkeeping, never a dossier.
import type { DayTraffic, Store, TrafficCounts } from '../store/types.js';
import { formatVn } from '../util/time.js';
import { addDelta, emptyDay, sumDays, type TrafficDelta } from './traffic.js';

export const FLUSH_MS = 1000;

export class BookkeepingBuffer {
  private keysUsed = new Map<string, string>();
  private systemsSeen = new Map<string, string>();
  private counts = new Map<string, DayTraffic>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly onError: (err: unknown) => void = () => {}) {}

  /** A successful authentication with this key. */
  /** `keyHmac` undefined: authenticated by a client certificate alone (no key was used). */
  seen(systemId: string, keyHmac: string | undefined, now = Date.now(), keyId: string | null = null): void {
    const at = formatVn(now);
    if (keyHmac) this.keysUsed.set(keyHmac, at);
    this.systemsSeen.set(systemId, at);
    this.add(systemId, { auth: { ok: true, keyId } }, at);
  }

  /** A failed authentication claiming this (registered) system. */
  failed(systemId: string, now = Date.now()): void {
    this.traffic(systemId, { auth: { ok: false } }, now);
  }

  /** Inbound items of one request, by outcome (and by refusal code, statuses seen). */
  traffic(systemId: string, d: TrafficDelta, now = Date.now()): void {
    this.add(systemId, d, formatVn(now));
  }

  /** `at`: the local RFC 3339 time of the request, formatted once (its first 10 characters are `dayOf`). */
  private add(systemId: string, d: TrafficDelta, at: string): void {
    const key = `${systemId}\u0000${at.slice(0, 10)}`;
    let day = this.counts.get(key);
    if (!day) this.counts.set(key, (day = emptyDay()));
    addDelta(day, d, at);
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
    const { accepted, refused, duplicates } = this.pendingWindow(systemId, '');
    return { accepted, refused, duplicates };
  }

  /** Every buffered counter of the system's days from `sinceDay` on. */
  pendingWindow(systemId: string, sinceDay: string): DayTraffic {
    let out = emptyDay();
    for (const [k, c] of this.counts) {
      const [id, day] = k.split('\u0000') as [string, string];
      if (id === systemId && day >= sinceDay) out = sumDays(out, c);
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
    this.flushing = this.flushing.then(() => this.store.sideWrite({ kind: 'bookkeeping', batch })).catch(this.onError);
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
