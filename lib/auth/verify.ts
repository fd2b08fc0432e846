import { UnauthorizedError } from '../errors';
import { constantTimeEqual, constantTimeEqualBytes, hmacSha256, hmacSha256Base64 } from '../util/crypto';
import { lacksZone, parseIsoTimestamp } from '../util/iso-time';
import type { Credentials } from './credentials';

/** The timestamp rule for SIF_HMACSHA256: how far back and ahead of now a timestamp may be. */
export interface TimestampWindow {
  now: Date;
  pastMs: number;
  futureMs: number;
}

/**
 * The SIF_HMACSHA256 hash of `user` at `timestamp`: base64(HMAC-SHA256(secret, "user:timestamp")),
 * with the timestamp exactly as the consumer sent it.
 *
 * @example
 * sifHmac('TestSIS', 'guest', '2015-01-12T13:10:00.000Z'); // 'A6n6uBaBXEVUAWPc6D2RrkoE3Ag+a5qLkM5TVfXpBd8='
 */
export function sifHmac(user: string, secret: string, timestamp: string): string {
  return hmacSha256Base64(secret, `${user}:${timestamp}`);
}

/**
 * Checks Basic or SIF_HMACSHA256 credentials against the shared secret; throws 401 when they do not
 * match. HMAC also needs the `timestamp` the consumer sent, inside the window; for HMAC the
 * timestamp's epoch milliseconds are returned (undefined for Basic).
 *
 * @example
 * verifySharedSecret({ method: 'Basic', user: 'TestSIS', secret: 'Password1' }, 'Password1', undefined, window); // undefined
 */
export function verifySharedSecret(
  credentials: Exclude<Credentials, { method: 'Bearer' }>,
  secret: string,
  timestamp: string | undefined,
  window: TimestampWindow,
): number | undefined {
  if (credentials.method === 'Basic') {
    if (!constantTimeEqual(credentials.secret, secret)) throw new UnauthorizedError('Invalid credentials');
    return undefined;
  }
  if (timestamp === undefined || timestamp === '') {
    throw new UnauthorizedError('SIF_HMACSHA256 needs a timestamp header (or query parameter)');
  }
  const t = checkTimestamp(timestamp, window);
  // Raw bytes on both sides: the supplied hash was decoded by parseAuthorization, and the expected
  // one need not be encoded to base64 only to be decoded again for the comparison.
  const supplied = credentials.digest ?? Buffer.from(credentials.hash, 'base64');
  if (!constantTimeEqualBytes(supplied, hmacSha256(secret, `${credentials.user}:${timestamp}`))) {
    throw new UnauthorizedError('Invalid credentials');
  }
  return t;
}

/**
 * Throws 401 unless `timestamp` is an ISO-8601 time with its zone, inside the window around now.
 * Returns its epoch milliseconds (what a replay cache needs to know how long to remember it).
 *
 * @example
 * checkTimestamp('2026-01-01T10:00:00Z', { now: new Date('2026-01-01T10:01:00Z'), pastMs: 900_000, futureMs: 300_000 });
 * // 1767261600000
 */
export function checkTimestamp(timestamp: string, window: TimestampWindow): number {
  const t = parseIsoTimestamp(timestamp);
  if (t === undefined) {
    throw new UnauthorizedError(
      lacksZone(timestamp)
        ? 'The timestamp has no time zone: end it with Z (UTC) or an offset such as +10:00'
        : 'The timestamp is not an ISO-8601 date-time',
    );
  }
  const now = window.now.getTime();
  if (t < now - window.pastMs) throw new UnauthorizedError('The timestamp is too old');
  if (t > now + window.futureMs) throw new UnauthorizedError('The timestamp is in the future');
  return t;
}
