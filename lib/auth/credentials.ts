import { UnauthorizedError } from '../errors';
import { canonicalAuthMethod } from '../protocol/enums';

/** What an Authorization value carries, before anything is checked against a secret. */
export type Credentials =
  | { method: 'Basic'; user: string; secret: string }
  | { method: 'SIF_HMACSHA256'; user: string; hash: string }
  | { method: 'Bearer'; token: string };

/**
 * Splits an Authorization value (`<method> <token>`) into its parts. The method name is
 * case-insensitive; Basic is `base64(user:secret)`, SIF_HMACSHA256 is `base64(user:hash)`.
 * Anything else is a 401.
 *
 * @example
 * parseAuthorization('Basic VGVzdFNJUzpQYXNzd29yZDE=');
 * // { method: 'Basic', user: 'TestSIS', secret: 'Password1' }
 */
export function parseAuthorization(value: string): Credentials {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(value);
  if (!match) throw new UnauthorizedError('The Authorization value must be "<method> <token>"');
  const method = canonicalAuthMethod(match[1]!);
  const token = match[2]!;
  if (!method) throw new UnauthorizedError(`Unsupported authentication method "${match[1]!.slice(0, 40)}"`);
  if (method === 'Bearer') return { method, token };
  const decoded = decodeBase64(token);
  if (method === 'Basic') {
    // RFC 7617: the user id cannot contain a colon, the secret can.
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new UnauthorizedError('The Basic token must encode "<user>:<secret>"');
    return { method, user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  // The hash is base64 and has no colon, so the last colon separates it.
  const colon = decoded.lastIndexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    throw new UnauthorizedError('The SIF_HMACSHA256 token must encode "<user>:<hash>"');
  }
  return { method, user: decoded.slice(0, colon), hash: decoded.slice(colon + 1) };
}

function decodeBase64(token: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw new UnauthorizedError('The authorization token is not base64');
  return Buffer.from(token, 'base64').toString('utf8');
}
