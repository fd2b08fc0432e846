import { authorization } from 'sif3-direct/client';

// The known-answer vectors of the reference frameworks (shared/notes/interop.md §1), computed with
// Web Crypto and btoa only.
describe('authorization headers', () => {
  test('Basic', async () => {
    expect(await authorization('Basic', 'TestSIS', 'Password1', 'ignored', undefined)).toBe('Basic VGVzdFNJUzpQYXNzd29yZDE=');
  });

  test('SIF_HMACSHA256 with a session token', async () => {
    expect(await authorization('SIF_HMACSHA256', '64e70d3d-a0a1-4b82-aeeb-78d902cdf2fc', 'Password1', '2014-01-14T09:48:42.942Z', globalThis.crypto.subtle)).toBe(
      'SIF_HMACSHA256 NjRlNzBkM2QtYTBhMS00YjgyLWFlZWItNzhkOTAyY2RmMmZjOnhxVUtLcHkvdm9HRnlTclVsaE8zUUhsM3NHV2doOUxiNXVuSlVVci9RUnc9',
    );
  });

  test('SIF_HMACSHA256 with an application key', async () => {
    expect(await authorization('SIF_HMACSHA256', 'TestSIS', 'guest', '2015-01-12T13:10:00.000Z', globalThis.crypto.subtle)).toBe(
      'SIF_HMACSHA256 VGVzdFNJUzpBNm42dUJhQlhFVlVBV1BjNkQyUnJrb0UzQWcrYTVxTGtNNVRWZlhwQmQ4PQ==',
    );
  });

  test('SIF_HMACSHA256 without Web Crypto says how to supply it', async () => {
    await expect(authorization('SIF_HMACSHA256', 'a', 'b', 't', undefined)).rejects.toThrow(/pass `crypto`/);
  });
});
