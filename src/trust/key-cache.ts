// API keys in memory, keyed by their HMAC: looking the key up in the store on every request was a SQLite
// statement per request (issue 13). A change of keys or systems through this store empties the cache before
// the change's 2xx (the store says so); an entry lives at most `ttlMs`, so a change made by another instance on
// a shared store takes effect here within that (api.md "Admin": within 1 s). Unknown keys are not cached:
// a guesser must not fill memory, and the failure limiter bounds what misses cost.
import type { KeyRecord, Store } from '../store/types.js';

export class KeyCache {
  private readonly entries = new Map<string, { record: KeyRecord; at: number }>();

  constructor(
    private readonly store: Pick<Store, 'findKey' | 'onKeysChanged'>,
    private readonly ttlMs = 1000,
    private readonly max = 10_000,
    private readonly clock: () => number = Date.now,
  ) {
    store.onKeysChanged?.(() => this.entries.clear());
  }

  async find(keyHmac: string): Promise<KeyRecord | undefined> {
    const now = this.clock();
    const hit = this.entries.get(keyHmac);
    if (hit && now - hit.at < this.ttlMs) return hit.record;
    const record = await this.store.findKey(keyHmac);
    if (!record) {
      this.entries.delete(keyHmac);
      return undefined;
    }
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(keyHmac, { record, at: now });
    return record;
  }
}
