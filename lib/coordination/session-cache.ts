import { SessionCache } from '../auth/session-cache';

/**
 * A session cache that can stop trusting everything it holds at once (`distrustAll`), for when
 * this instance may have missed another's eviction (its coordination connection was down).
 * Entries cached before are then misses: the session is looked up in the store again.
 *
 * @example
 * const cache = new CoordinatedSessionCache(10_000);
 * cache.set(hash, environment);
 * cache.distrustAll();
 * cache.get(hash); // undefined
 */
export class CoordinatedSessionCache extends SessionCache {
  /** The token hashes set since the last `distrustAll`, oldest first. */
  private readonly trusted = new Set<string>();

  constructor(
    private readonly entriesCapacity: number,
    maxBytes?: number,
  ) {
    super(entriesCapacity, maxBytes);
  }

  override get(tokenHash: string): ReturnType<SessionCache['get']> {
    return this.trusted.has(tokenHash) ? super.get(tokenHash) : undefined;
  }

  override set(tokenHash: string, environment: Parameters<SessionCache['set']>[1], lookedUpAt?: number): void {
    super.set(tokenHash, environment, lookedUpAt);
    this.trusted.delete(tokenHash);
    this.trusted.add(tokenHash);
    // Bounded like the cache: a hash dropped here is a miss, never a wrong answer.
    while (this.trusted.size > Math.max(1, this.entriesCapacity * 2)) this.trusted.delete(this.trusted.values().next().value!);
  }

  /** Every entry held is a miss from now on, until it is looked up and set again. */
  distrustAll(): void {
    this.trusted.clear();
  }
}
