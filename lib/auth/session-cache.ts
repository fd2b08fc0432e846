import type { EnvironmentRecord } from '../store/store';

/**
 * A bounded LRU of session lookups (token hash → environment), bounded both in entries and in the
 * estimated bytes of what it holds (an environment's size is up to its consumer). Deleting an environment evicts it
 * and leaves a tombstone, so a lookup that raced with the delete cannot put it back: the cache never
 * serves a deleted session. Environment ids are random UUIDs and never reused.
 */
export class SessionCache {
  private readonly entries = new Map<string, { environment: EnvironmentRecord; bytes: number }>();
  private readonly tombstones = new Set<string>();
  private bytes = 0;
  /** Evictions so far: a lookup begun before one may hold what it evicted (see `set`). */
  private evictions = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  get(tokenHash: string): EnvironmentRecord | undefined {
    const hit = this.entries.get(tokenHash);
    if (hit) {
      // Refresh recency.
      this.entries.delete(tokenHash);
      this.entries.set(tokenHash, hit);
    }
    return hit?.environment;
  }

  /**
   * The eviction count now. A lookup passes what it read here before going to the store to `set`,
   * so that an environment changed meanwhile (its rights, its token) is not cached as it was.
   */
  get evictionCount(): number {
    return this.evictions;
  }

  /** Caches a lookup; with `lookedUpAt` (an `evictionCount`), only when nothing was evicted since. */
  set(tokenHash: string, environment: EnvironmentRecord, lookedUpAt?: number): void {
    if (this.capacity === 0 || this.tombstones.has(environment.id)) return;
    if (lookedUpAt !== undefined && lookedUpAt !== this.evictions) return;
    const bytes = estimateBytes(environment);
    if (bytes > this.maxBytes) return;
    this.remove(tokenHash);
    this.entries.set(tokenHash, { environment, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.capacity || this.bytes > this.maxBytes) this.remove(this.entries.keys().next().value!);
  }

  /** The estimated bytes held, for tests and metrics. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(tokenHash: string): void {
    const entry = this.entries.get(tokenHash);
    if (!entry) return;
    this.entries.delete(tokenHash);
    this.bytes -= entry.bytes;
  }

  /**
   * Forgets every entry of this environment. With `deleted`, for good: later `set`s of it are
   * ignored, so a lookup that raced with the delete cannot bring it back.
   */
  evictEnvironment(environmentId: string, deleted: boolean): void {
    this.evictions++;
    if (deleted) {
      this.tombstones.add(environmentId);
      if (this.tombstones.size > Math.max(1000, this.capacity * 10)) {
        this.tombstones.delete(this.tombstones.values().next().value!);
      }
    }
    for (const [hash, entry] of this.entries) if (entry.environment.id === environmentId) this.remove(hash);
  }
}

/** Roughly what an environment record costs in memory: its JSON length, twice for UTF-16, plus overhead. */
function estimateBytes(environment: EnvironmentRecord): number {
  return 2 * JSON.stringify(environment).length + 512;
}
