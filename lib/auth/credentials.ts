import { UnauthorizedError } from '../errors';
import { canonicalAuthMethod } from '../protocol/enums';

/** What an Authorization value carries, before anything is checked against a secret. */
export type Credentials =
  | { method: 'Basic'; user: string; secret: string }
  // `digest`: the bytes of `hash`, when parseAuthorization has already decoded them.
  | { method: 'SIF_HMACSHA256'; user: string; hash: string; digest?: Buffer }
  | { method: 'Bearer'; token: string };

/**
 * Splits an Authorization value (`<method> <token>`) into its parts. The method name is
 * case-insensitive; Basic is `base64(user:secret)`, SIF_HMACSHA256 is `base64(user:hash)` where the
 * hash is the base64 of a 32-byte HMAC-SHA256 digest. Base64 must be canonical (RFC 4648 §3.5:
 * padded, padding bits zero, nothing outside the alphabet), so that one credential has exactly one
 * spelling: a replay cache keyed by the text cannot be walked around by re-spelling it. Anything
 * else is a 401.
 *
 * @example
 * parseAuthorization('Basic VGVzdFNJUzpQYXNzd29yZDE=');
 * // { method: 'Basic', user: 'TestSIS', secret: 'Password1' }
 */
export function parseAuthorization(value: string): Credentials {
  // HTTP whitespace only (RFC 9110 OWS): \s would also strip Unicode spaces such as U+00A0.
  const match = /^[ \t]*([^ \t]+)[ \t]+([^ \t]+)[ \t]*$/.exec(value);
  if (!match) throw new UnauthorizedError('The Authorization value must be "<method> <token>"');
  const method = canonicalAuthMethod(match[1]!);
  const token = match[2]!;
  if (!method) throw new UnauthorizedError(`Unsupported authentication method "${match[1]!.slice(0, 40)}"`);
  if (method === 'Bearer') return { method, token };
  const decoded = decodeCanonicalBase64(token);
  if (decoded === undefined) throw new UnauthorizedError('The authorization token is not canonical base64');
  const text = decoded.toString('utf8');
  if (method === 'Basic') {
    // RFC 7617: the user id cannot contain a colon, the secret can.
    const colon = text.indexOf(':');
    if (colon <= 0) throw new UnauthorizedError('The Basic token must encode "<user>:<secret>"');
    return { method, user: text.slice(0, colon), secret: text.slice(colon + 1) };
  }
  // The hash is base64 and has no colon, so the last colon separates it.
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw new UnauthorizedError('The SIF_HMACSHA256 token must encode "<user>:<hash>"');
  }
  const hash = text.slice(colon + 1);
  // Decoded once, here: verification compares these bytes with the expected HMAC's.
  const digest = decodeCanonicalBase64(hash);
  if (digest?.length !== HMAC_SHA256_BYTES) {
    throw new UnauthorizedError('The SIF_HMACSHA256 hash must be the canonical base64 of a 32-byte HMAC-SHA256 digest');
  }
  return { method, user: text.slice(0, colon), hash, digest };
}

const HMAC_SHA256_BYTES = 32;

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The bytes of canonical base64, or undefined. Node's decoder is lenient (it skips stray
 * characters, missing padding and set padding bits), so the text is checked first: only the
 * alphabet, padded to a multiple of four with at most two `=` at the end, and the bits the padding
 * leaves over zero (RFC 4648 §3.5). That is exactly the text that encoding the bytes again gives
 * back, without the second encoding (every request's Authorization passes here).
 */
function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  // "xx==" ends a group of one byte: the last character's low 4 bits are padding; "xxx=" (two
  // bytes) its low 2 bits. The regular expression leaves at least one character before the `=`s.
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding > 0 && BASE64_ALPHABET.indexOf(text[text.length - 1 - padding]!) & (padding === 2 ? 0x0f : 0x03)) return undefined;
  return Buffer.from(text, 'base64');
}
