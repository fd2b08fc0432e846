import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that depends only on their digests, never on where they differ.
 * Both sides are hashed first so that different lengths do not leak through an early return.
 *
 * @example
 * constantTimeEqual(supplied, expected); // true or false, same time either way
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/**
 * Compares two base64 digests of the same, public length (e.g. HMAC-SHA256 hashes) in constant
 * time, without hashing them again.
 */
export function constantTimeEqualDigest(supplied: string, expected: string): boolean {
  const a = Buffer.from(supplied, 'base64');
  const b = Buffer.from(expected, 'base64');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Hex SHA-256 of a UTF-8 string: how session tokens are stored. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Base64 HMAC-SHA256 of `message` under `key`, both UTF-8. */
export function hmacSha256Base64(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}
