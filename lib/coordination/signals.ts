/**
 * What one provider instance tells the others that share its store (Issue #12 item 2). Each is a
 * hint to drop or re-read something kept in memory; the store stays the truth.
 */
export type CoordinationSignal =
  /** Messages arrived in a queue, or it was deleted: its waiting polls look at the store again. */
  | { kind: 'queue'; queueId: string }
  /** A new LONG poll on this connection of a queue: a poll waiting on it elsewhere is superseded (§9.3.3). */
  | { kind: 'poll'; queueId: string; connectionId: string }
  /** An environment was deleted (`deleted`) or its session token re-issued: its cached sessions go. */
  | { kind: 'env'; environmentId: string; deleted: boolean }
  /** Subscriptions were created or deleted: cached subscription lists go. */
  | { kind: 'subs' }
  /**
   * Never sent: a coordinator raises it after (re)connecting, when signals may have been missed.
   * Everything kept in memory on the strength of signals is dropped or re-read.
   */
  | { kind: 'resync' };

/**
 * The small text a signal travels as (PostgreSQL NOTIFY payloads stay far below their 8000 bytes).
 *
 * @example
 * encodeSignal({ kind: 'queue', queueId: 'q1' }); // 'queue:q1'
 */
export function encodeSignal(signal: CoordinationSignal): string {
  switch (signal.kind) {
    case 'queue':
      return `queue:${signal.queueId}`;
    case 'poll':
      return `poll:${signal.connectionId}:${signal.queueId}`;
    case 'env':
      return `${signal.deleted ? 'env' : 'token'}:${signal.environmentId}`;
    case 'subs':
      return 'subs';
    case 'resync':
      return 'resync';
  }
}

/**
 * The signal a payload carries; undefined for one this version does not know (a newer instance
 * may send more kinds: they are ignored, not fatal).
 *
 * @example
 * decodeSignal('env:e1'); // { kind: 'env', environmentId: 'e1', deleted: true }
 */
export function decodeSignal(text: string): CoordinationSignal | undefined {
  if (text === 'subs') return { kind: 'subs' };
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const [kind, rest] = [text.slice(0, colon), text.slice(colon + 1)];
  if (rest === '') return undefined;
  if (kind === 'queue') return { kind: 'queue', queueId: rest };
  if (kind === 'env' || kind === 'token') return { kind: 'env', environmentId: rest, deleted: kind === 'env' };
  if (kind === 'poll') {
    // Connection ids are digits (or empty): the queue id is everything after the second colon.
    const second = rest.indexOf(':');
    if (second < 0) return undefined;
    return { kind: 'poll', connectionId: rest.slice(0, second), queueId: rest.slice(second + 1) };
  }
  return undefined;
}
