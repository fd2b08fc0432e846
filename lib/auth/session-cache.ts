import type { EnvironmentRecord } from '../store/store';

/**
 * A bounded LRU of session lookups (token hash → environment). Deleting an environment evicts it
 * and leaves a tombstone, so a lookup that raced with the delete cannot put it back: the cache never
 * serves a deleted session. Environment ids are random UUIDs and never reused.
 */
export class SessionCache {
  private readonly entries = new Map<string, EnvironmentRecord>();
  private readonly tombstones = new Set<string>();

  constructor(private readonly capacity: number) {}

  get(tokenHash: string): EnvironmentRecord | undefined {
    const hit = this.entries.get(tokenHash);
    if (hit) {
      // Refresh recency.
      this.entries.delete(tokenHash);
      this.entries.set(tokenHash, hit);
    }
    return hit;
  }

  set(tokenHash: string, environment: EnvironmentRecord): void {
    if (this.capacity === 0 || this.tombstones.has(environment.id)) return;
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, environment);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * Forgets every entry of this environment. With `deleted`, for good: later `set`s of it are
   * ignored, so a lookup that raced with the delete cannot bring it back.
   */
  evictEnvironment(environmentId: string, deleted: boolean): void {
    if (deleted) {
      this.tombstones.add(environmentId);
      if (this.tombstones.size > Math.max(1000, this.capacity * 10)) {
        this.tombstones.delete(this.tombstones.values().next().value!);
      }
    }
    for (const [hash, env] of this.entries) if (env.id === environmentId) this.entries.delete(hash);
  }
}
