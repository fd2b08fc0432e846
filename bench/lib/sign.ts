import { createHmac } from 'node:crypto';

/**
 * SIF_HMACSHA256 headers signed now (Infrastructure Services §4.1): a real consumer signs every
 * request afresh, so the benchmarks call this once per request (in autocannon's `setupRequest`).
 */
export function sign(user: string, secret: string, now: Date = new Date()): Record<string, string> {
  const timestamp = now.toISOString();
  const hash = createHmac('sha256', secret).update(`${user}:${timestamp}`).digest('base64');
  return { Authorization: `SIF_HMACSHA256 ${Buffer.from(`${user}:${hash}`).toString('base64')}`, timestamp };
}
