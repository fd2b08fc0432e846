import vectors from '../../fixtures/auth-vectors.json';
import { parseAuthorization } from '../../lib/auth/credentials';
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
    expect(parseAuthorization('sif_hmacsha256 VGVzdFNJUzpoYXNo').method).toBe('SIF_HMACSHA256');
    expect(parseAuthorization('bearer abc.def')).toEqual({ method: 'Bearer', token: 'abc.def' });
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
    ['2026-01-01T03:00-07', true],
    ['yesterday', false],
  ])('%s accepted: %s', (timestamp, ok) => {
    const run = () => checkTimestamp(timestamp, window(now));
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(UnauthorizedError);
  });
});
