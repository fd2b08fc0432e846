/**
 * Remembers the SIF_HMACSHA256 requests already accepted (`authentication.rejectReplays`), so that
 * the same Authorization value and timestamp are refused the second time. Bounded in memory: an
 * entry leaves once its timestamp has left the window (after which the timestamp check refuses the
 * request anyway), and past `maxEntries` the oldest leave first. One cache per provider; keys are
 * fixed-length digests made by the caller, so an entry's size does not depend on the request.
 *
 * The cap is a trade-off the option accepts: a consumer that sends more than `maxEntries` valid
 * requests within one window makes the oldest of them replayable again, rather than the provider
 * holding unbounded memory.
 */
export class ReplayCache {
  /** Key → when it may be forgotten (epoch ms). A Map iterates in insertion order: oldest first. */
  private readonly entries = new Map<string, number>();

  constructor(private readonly maxEntries: number = DEFAULT_MAX_ENTRIES) {}

  /**
   * True when `key` was seen before and has not expired; otherwise remembers it until `expiresAt`
   * and returns false. Check and record are one synchronous step, so that of two concurrent
   * identical requests exactly one is accepted.
   *
   * @example
   * const replays = new ReplayCache();
   * replays.isReplay(digest, timestampMs + pastMs, Date.now()); // false: first time
   * replays.isReplay(digest, timestampMs + pastMs, Date.now()); // true
   */
  isReplay(key: string, expiresAt: number, now: number): boolean {
    this.forgetExpired(now);
    const known = this.entries.get(key);
    if (known !== undefined && known >= now) return true;
    this.entries.delete(key);
    this.entries.set(key, expiresAt);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return false;
  }

  /** How many entries are held, for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops expired entries from the oldest end. Expiries are not strictly in insertion order (each
   * follows its own timestamp), so one that lives longer can shield expired ones behind it for at
   * most one window; the cap bounds them meanwhile. Amortised O(1) per request, with no timer.
   */
  private forgetExpired(now: number): void {
    for (const [key, expiresAt] of this.entries) {
      if (expiresAt >= now) return;
      this.entries.delete(key);
    }
  }
}

/** Enough for about 80 HMAC requests a second through the default 20-minute window, in about 15 MB. */
export const DEFAULT_MAX_ENTRIES = 100_000;
