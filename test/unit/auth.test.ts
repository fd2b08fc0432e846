import vectors from '../../fixtures/auth-vectors.json';
import { parseAuthorization } from '../../lib/auth/credentials';
import { ReplayCache } from '../../lib/auth/replay-cache';
import { checkTimestamp, sifHmac, verifySharedSecret } from '../../lib/auth/verify';
import { UnauthorizedError } from '../../lib/errors';
import { basicAuth, hmacAuth } from '../helpers/consumer-auth';

const window = (now: string) => ({ now: new Date(now), pastMs: 15 * 60_000, futureMs: 5 * 60_000 });

describe('known-answer vectors (interop.md §1)', () => {
  test.each(vectors.basic)('Basic $user', ({ user, secret, authorization }) => {
    expect(basicAuth(user, secret)).toBe(authorization);
    expect(parseAuthorization(authorization)).toEqual({ method: 'Basic', user, secret });
  });

  test.each(vectors.hmac)('SIF_HMACSHA256 $user at $timestamp', (v) => {
    if ('hash' in v) expect(sifHmac(v.user, v.secret, v.timestamp)).toBe(v.hash);
    expect(hmacAuth(v.user, v.secret, v.timestamp)).toBe(v.authorization);
    const parsed = parseAuthorization(v.authorization);
    expect(parsed).toMatchObject({ method: 'SIF_HMACSHA256', user: v.user });
    expect(() => verifySharedSecret(parsed as never, v.secret, v.timestamp, window(v.timestamp))).not.toThrow();
  });
});

describe('parseAuthorization', () => {
  test('method names are case-insensitive', () => {
    for (const m of ['basic', 'BASIC', 'Basic']) {
      expect(parseAuthorization(`${m} VGVzdFNJUzpQYXNzd29yZDE=`).method).toBe('Basic');
    }
    expect(parseAuthorization(`sif_hmacsha256 ${vectors.hmac[0]!.authorization.split(' ')[1]}`).method).toBe('SIF_HMACSHA256');
    expect(parseAuthorization('bearer abc.def')).toEqual({ method: 'Bearer', token: 'abc.def' });
  });

  test('canonical base64 of every padding length is accepted', () => {
    // Tokens of 0, 2 and 1 padding characters ("u:ab…" of growing length).
    for (const secret of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef']) {
      expect(parseAuthorization(basicAuth('u', secret))).toEqual({ method: 'Basic', user: 'u', secret });
    }
  });

  test('a Basic secret may contain colons', () => {
    expect(parseAuthorization(basicAuth('app', 'a:b:c'))).toEqual({ method: 'Basic', user: 'app', secret: 'a:b:c' });
  });

  test.each([
    ['', 'empty'],
    ['Basic', 'no token'],
    ['Digest abc', 'unknown method'],
    ['Basic !!!', 'not base64'],
    [`Basic ${Buffer.from('nocolon').toString('base64')}`, 'no colon'],
    [`SIF_HMACSHA256 ${Buffer.from('user:').toString('base64')}`, 'empty hash'],
    ['Basic VGVzdFNJUzpQYXNzd29yZDE', 'missing padding'],
    ['Basic VGVzdFNJUzpQYXNzd29yZDF=', 'non-zero padding bits'],
    ['Basic VGVzdFNJUzpQYXNzd29yZDE==', 'too much padding'],
    ['Basic dTphYh==', 'non-zero padding bits under two ='],
    ['Basic dTphYg=A', 'a character after the padding'],
    ['Basic VGVzdFNJUzpQ=YXNzd29yZDE=', 'padding inside'],
    ['Basic VGVzdFNJUzpQYXNzd29yZDE=\u00a0', 'a stray character'],
    [`SIF_HMACSHA256 ${Buffer.from('user:hash').toString('base64')}`, 'a hash that is not 32 bytes'],
    [`SIF_HMACSHA256 ${Buffer.from(`user:${'A'.repeat(43)}`).toString('base64')}`, 'an unpadded hash'],
    [`SIF_HMACSHA256 ${Buffer.from(`user:${'A'.repeat(42)}B=`).toString('base64')}`, 'a hash with padding bits set'],
    [`SIF_HMACSHA256 ${Buffer.from(`user:${'A'.repeat(42)}-=`).toString('base64')}`, 'a base64url hash'],
  ])('%j is a 401 (%s)', (value) => {
    expect(() => parseAuthorization(value)).toThrow(UnauthorizedError);
  });
});

describe('verifySharedSecret', () => {
  const ts = '2026-01-01T10:00:00.000Z';

  test('a wrong Basic secret is refused', () => {
    expect(() => verifySharedSecret({ method: 'Basic', user: 'a', secret: 'wrong' }, 'right', undefined, window(ts))).toThrow(
      'Invalid credentials',
    );
  });

  test('HMAC is computed over the timestamp exactly as sent', () => {
    const sent = '2026-01-01T10:00:00.0000000Z'; // .NET's seven digits
    const hash = sifHmac('a', 's', sent);
    expect(() => verifySharedSecret({ method: 'SIF_HMACSHA256', user: 'a', hash }, 's', sent, window(ts))).not.toThrow();
    expect(() => verifySharedSecret({ method: 'SIF_HMACSHA256', user: 'a', hash }, 's', ts, window(ts))).toThrow(UnauthorizedError);
  });

  test('HMAC without a timestamp is refused', () => {
    const hash = sifHmac('a', 's', ts);
    expect(() => verifySharedSecret({ method: 'SIF_HMACSHA256', user: 'a', hash }, 's', undefined, window(ts))).toThrow(
      /timestamp/,
    );
  });
});

describe('checkTimestamp window', () => {
  const now = '2026-01-01T10:00:00Z';
  test.each([
    ['2026-01-01T09:45:00Z', true],
    ['2026-01-01T09:44:59Z', false],
    ['2026-01-01T10:05:00Z', true],
    ['2026-01-01T10:05:01Z', false],
    ['2026-01-01T20:00:00+10:00', true],
    ['2026-01-01T03:00-07:00', true],
    ['2026-01-01T10:00:00.123456789012Z', true],
    ['2026-01-01T10:00:00', false],
    ['2026-01-01T03:00-07', false],
    ['yesterday', false],
  ])('%s accepted: %s', (timestamp, ok) => {
    const run = () => checkTimestamp(timestamp, window(now));
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(UnauthorizedError);
  });
});

describe('checkTimestamp messages', () => {
  test('a timestamp without a zone is refused for that reason', () => {
    expect(() => checkTimestamp('2026-01-01T10:00:00.000', window('2026-01-01T10:00:00Z'))).toThrow(/zone/);
  });
});

describe('ReplayCache', () => {
  const t0 = Date.UTC(2026, 0, 1);

  test('the second sighting of a key is a replay, until the key expires', () => {
    const cache = new ReplayCache(10);
    expect(cache.isReplay('a', t0 + 1000, t0)).toBe(false);
    expect(cache.isReplay('a', t0 + 1000, t0 + 500)).toBe(true);
    expect(cache.isReplay('b', t0 + 1000, t0 + 500)).toBe(false);
    // Past its expiry the key could not pass the timestamp window anyway: it is forgotten.
    expect(cache.isReplay('a', t0 + 3000, t0 + 1001)).toBe(false);
    expect(cache.size).toBe(1);
  });

  test('expired entries leave as new ones arrive', () => {
    const cache = new ReplayCache(100);
    for (let i = 0; i < 50; i++) cache.isReplay(`k${i}`, t0 + 1000, t0);
    expect(cache.size).toBe(50);
    cache.isReplay('late', t0 + 5000, t0 + 2000);
    expect(cache.size).toBe(1);
  });

  test('a hard cap on entries: the oldest leave first', () => {
    const cache = new ReplayCache(3);
    for (const key of ['a', 'b', 'c', 'd']) expect(cache.isReplay(key, t0 + 60_000, t0)).toBe(false);
    expect(cache.size).toBe(3);
    expect(cache.isReplay('d', t0 + 60_000, t0)).toBe(true);
    expect(cache.isReplay('b', t0 + 60_000, t0)).toBe(true);
    // 'a' was pushed out by the cap: forgotten.
    expect(cache.isReplay('a', t0 + 60_000, t0)).toBe(false);
  });
});
