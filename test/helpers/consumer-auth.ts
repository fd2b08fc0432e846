import { createHmac } from 'node:crypto';

// A SIF consumer's side of authentication, written only from interop.md §1 (not from lib/), so that
// tests check the provider against the wire rules rather than against itself.

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;
}

export function hmacAuth(user: string, secret: string, timestamp: string): string {
  const hash = createHmac('sha256', secret).update(`${user}:${timestamp}`, 'utf8').digest('base64');
  return `SIF_HMACSHA256 ${Buffer.from(`${user}:${hash}`, 'utf8').toString('base64')}`;
}

/** Headers for an HMAC request at `now` (or an explicit timestamp string). */
export function hmacHeaders(user: string, secret: string, timestamp = new Date().toISOString()): Record<string, string> {
  return { Authorization: hmacAuth(user, secret, timestamp), timestamp };
}
