import { createHmac, hash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that depends only on their digests, never on where they differ.
 * Both sides are hashed first so that different lengths do not leak through an early return.
 *
 * @example
 * constantTimeEqual(supplied, expected); // true or false, same time either way
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256Bytes(a), sha256Bytes(b));
}

/**
 * Compares two digests of the same, public length (e.g. HMAC-SHA256 hashes) in constant time,
 * without hashing them again. A length mismatch returns at once: the length is not the secret.
 */
export function constantTimeEqualBytes(supplied: Buffer, expected: Buffer): boolean {
  return supplied.length === expected.length && timingSafeEqual(supplied, expected);
}

/**
 * Hex SHA-256 of a UTF-8 string: how session tokens are stored. `crypto.hash` (one call into
 * OpenSSL, no Hash object) costs about a third of `createHash().update().digest()` on a token, and
 * this runs on every request.
 */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Base64 SHA-256 of a UTF-8 string: a fixed-size key for a variable-size text. */
export function sha256Base64(value: string): string {
  return hash('sha256', value, 'base64');
}

/** The raw SHA-256 of a UTF-8 string. */
function sha256Bytes(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** Base64 HMAC-SHA256 of `message` under `key`, both UTF-8. */
export function hmacSha256Base64(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}

/** The raw HMAC-SHA256 of `message` under `key`, both UTF-8: to compare with bytes already decoded. */
export function hmacSha256(key: string, message: string): Buffer {
  return createHmac('sha256', key).update(message, 'utf8').digest();
}
