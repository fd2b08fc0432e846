import { randomBytes } from 'node:crypto';
import { createHmac } from 'node:crypto';
import { sha256Hex } from '../util/crypto';

/**
 * Session tokens are derived, not stored: HMAC-SHA256 under the consumer's shared secret of the
 * environment id and a random salt. The store keeps only the token's SHA-256, so a copy of the
 * state database grants no session; yet a consumer that registers again (409) can be given its
 * token back, because that request proves the same secret.
 *
 * @example
 * const salt = newTokenSalt();
 * const token = deriveSessionToken(secret, environmentId, salt); // base64url, no ':'
 */
export function deriveSessionToken(secret: string, environmentId: string, salt: string): string {
  return createHmac('sha256', secret).update(`sif3-direct/session/${environmentId}/${salt}`, 'utf8').digest('base64url');
}

/** A fresh random salt for `deriveSessionToken`. */
export function newTokenSalt(): string {
  return randomBytes(16).toString('base64url');
}

/** How a session token is stored and looked up. */
export function hashSessionToken(token: string): string {
  return sha256Hex(token);
}
