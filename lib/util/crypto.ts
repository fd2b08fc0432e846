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

/** Hex SHA-256 of a UTF-8 string: how session tokens are stored. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Base64 HMAC-SHA256 of `message` under `key`, both UTF-8. */
export function hmacSha256Base64(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}
