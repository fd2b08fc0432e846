import { base64OfBytes, base64OfText } from './base64';
import type { AuthMethod, WebCryptoLike } from './types';

/**
 * The `Authorization` header value of one request (Infrastructure Services §4.1). `user` is the
 * application key when registering and the session token afterwards; `secret` is always the shared
 * secret. For SIF_HMACSHA256 the digest covers `user:timestamp`, where `timestamp` is exactly the
 * string sent in the `timestamp` header: callers pass a fresh one per request.
 *
 * @example
 * await authorization('SIF_HMACSHA256', 'TestSIS', 'guest', '2015-01-12T13:10:00.000Z', crypto.subtle);
 * // 'SIF_HMACSHA256 VGVzdFNJUzpBNm42dUJhQlhFVlVBV1BjNkQyUnJrb0UzQWcrYTVxTGtNNVRWZlhwQmQ4PQ=='
 */
export async function authorization(method: AuthMethod, user: string, secret: string, timestamp: string, subtle: WebCryptoLike['subtle']): Promise<string> {
  if (method === 'Basic') return `Basic ${base64OfText(`${user}:${secret}`)}`;
  if (!subtle) throw new Error('SIF_HMACSHA256 needs Web Crypto (globalThis.crypto.subtle); pass `crypto` to connect() on this platform');
  const encoder = new TextEncoder();
  const key = await subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const digest = await subtle.sign('HMAC', key, encoder.encode(`${user}:${timestamp}`));
  return `SIF_HMACSHA256 ${base64OfText(`${user}:${base64OfBytes(new Uint8Array(digest))}`)}`;
}
