import { createHmac } from 'node:crypto';
import request from 'supertest';
import { basicAuth, hmacAuth, hmacHeaders } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { hostPerTest } from '../helpers/host';

// Authentication over real HTTP (GitHub issue #10, item 5): the method an environment agreed is the
// only one its session accepts, credentials are strict base64, timestamps carry their zone, and
// `authentication.rejectReplays` refuses a request seen before.

const host = hostPerTest();

interface Env {
  id: string;
  sessionToken: string;
  authenticationMethod: string;
}

/** Registers DemoApp with the given Authorization headers; returns the environment. */
async function registerWith(h: TestHost, headers: Record<string, string>, instanceId: string): Promise<Env> {
  const res = await request(h.app)
    .post('/sif3/environments/environment')
    .set(headers)
    .set('instanceId', instanceId)
    .set('Accept', 'application/json');
  expect(res.status).toBe(201);
  const env = res.body.environment;
  return { id: env['@id'], sessionToken: env.sessionToken, authenticationMethod: env.authenticationMethod };
}

function readEnv(h: TestHost, env: Env) {
  return request(h.app).get(`/sif3/environments/${env.id}`).set('Accept', 'application/json');
}

function expect401(res: request.Response, message?: RegExp): void {
  expect(res.status).toBe(401);
  expect(res.headers.messagetype).toBe('ERROR');
  if (message) expect(res.body.error.message).toMatch(message);
}

/** An HMAC Authorization whose hash part is replaced by `hash`, as a consumer with a bug might send. */
function hmacWithHash(user: string, hash: string): string {
  return `SIF_HMACSHA256 ${Buffer.from(`${user}:${hash}`, 'utf8').toString('base64')}`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function hmacHash(user: string, secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${user}:${timestamp}`, 'utf8').digest('base64');
}

describe('the agreed authentication method is enforced on the session', () => {
  test('an environment that agreed SIF_HMACSHA256 refuses Basic on its session token', async () => {
    const h = host();
    const env = await registerWith(h, hmacHeaders('DemoApp', 'DemoSecret'), 'hmac-env');
    expect(env.authenticationMethod).toBe('SIF_HMACSHA256');
    expect((await readEnv(h, env).set(hmacHeaders(env.sessionToken, 'DemoSecret'))).status).toBe(200);
    expect401(await readEnv(h, env).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret')), /SIF_HMACSHA256/);
  });

  test('an environment that agreed Basic refuses SIF_HMACSHA256 on its session token', async () => {
    const h = host();
    const env = await registerWith(h, { Authorization: basicAuth('DemoApp', 'DemoSecret') }, 'basic-env');
    expect(env.authenticationMethod).toBe('Basic');
    // Method names stay case-insensitive (interop.md §1).
    const token = basicAuth(env.sessionToken, 'DemoSecret').slice('Basic '.length);
    expect((await readEnv(h, env).set('Authorization', `BASIC ${token}`)).status).toBe(200);
    expect401(await readEnv(h, env).set(hmacHeaders(env.sessionToken, 'DemoSecret')), /Basic/);
  });

  test('the method named at registration, not the one used for it, is the agreed one', async () => {
    const h = host();
    const env = await registerWith(
      h,
      { Authorization: basicAuth('DemoApp', 'DemoSecret'), authenticationMethod: 'sif_hmacsha256' },
      'named-env',
    );
    expect(env.authenticationMethod).toBe('SIF_HMACSHA256');
    expect401(await readEnv(h, env).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret')));
    expect((await readEnv(h, env).set(hmacHeaders(env.sessionToken, 'DemoSecret'))).status).toBe(200);
  });
});

describe('credentials are strict base64', () => {
  // "DemoApp:DemoSecret1" is 19 bytes: its base64 ends in "==", and its last character carries four padding bits.
  const padded = () =>
    host({ consumers: [{ applicationKey: 'DemoApp', secret: 'DemoSecret1', environment: { defaultZone: { id: 'District' } } }] });
  const good = basicAuth('DemoApp', 'DemoSecret1').slice('Basic '.length);
  const post = (h: TestHost, token: string) =>
    request(h.app).post('/sif3/environments/environment').set('Authorization', `Basic ${token}`).set('Accept', 'application/json');

  test('a Basic token without its padding is a 401', async () => {
    const h = padded();
    expect(good).toMatch(/==$/);
    expect401(await post(h, good.replace(/=+$/, '')));
    expect((await post(h, good)).status).toBe(201);
  });

  test('a Basic token with non-zero padding bits is a 401', async () => {
    const h = padded();
    const noncanonical = good.replace(/([^=])(=+)$/, (_m, last: string, pad: string) => `${ALPHABET[ALPHABET.indexOf(last) ^ 1]}${pad}`);
    expect(noncanonical).not.toBe(good);
    expect(Buffer.from(noncanonical, 'base64').toString()).toBe('DemoApp:DemoSecret1');
    expect401(await post(h, noncanonical));
    expect((await post(h, good)).status).toBe(201);
  });

  test('an HMAC hash that is not canonical base64 of 32 bytes is a 401', async () => {
    const h = host();
    const ts = new Date().toISOString();
    const hash = hmacHash('DemoApp', 'DemoSecret', ts);
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // Same 32 bytes, different text: the low two bits of the 43rd character are padding bits.
    const sameBytes = `${hash.slice(0, 42)}${ALPHABET[ALPHABET.indexOf(hash[42]!) ^ 1]}=`;
    expect(Buffer.from(sameBytes, 'base64').equals(Buffer.from(hash, 'base64'))).toBe(true);
    const variants = {
      unpadded: hash.slice(0, 43),
      'non-canonical padding bits': sameBytes,
      'with a stray character': `${hash.slice(0, 10)}!${hash.slice(10)}`,
      truncated: Buffer.from(hash, 'base64').subarray(0, 31).toString('base64'),
    };
    const post = (auth: string) =>
      request(h.app).post('/sif3/environments/environment').set('Authorization', auth).set('timestamp', ts).set('Accept', 'application/json');
    for (const [name, variant] of Object.entries(variants)) {
      const res = await post(hmacWithHash('DemoApp', variant));
      expect([name, res.status]).toEqual([name, 401]);
    }
    expect((await post(hmacWithHash('DemoApp', hash))).status).toBe(201);
  });
});

describe('timestamps', () => {
  test('a timestamp without a zone is a 401 that says so', async () => {
    const h = host();
    const zoneless = new Date().toISOString().replace(/Z$/, '');
    const res = await request(h.app)
      .post('/sif3/environments/environment')
      .set(hmacHeaders('DemoApp', 'DemoSecret', zoneless))
      .set('Accept', 'application/json');
    expect401(res, /zone/i);
  });

  test('fractions of any length, and ±hh:mm offsets, are accepted', async () => {
    const h = host();
    const now = new Date();
    const long = now.toISOString().replace(/\.(\d{3})Z$/, '.$1000000000Z');
    const offset = new Date(now.getTime() + 2 * 3600_000).toISOString().replace(/Z$/, '+02:00');
    for (const [i, ts] of [long, offset].entries()) {
      const res = await request(h.app)
        .post('/sif3/environments/environment')
        .set(hmacHeaders('DemoApp', 'DemoSecret', ts))
        .set('instanceId', `ts-${i}`);
      expect([ts, res.status]).toEqual([ts, 201]);
    }
  });
});

describe('authentication.rejectReplays', () => {
  test('on: the same HMAC Authorization and timestamp a second time is a 401, for registration and sessions', async () => {
    const h = host({ authentication: { rejectReplays: true } });
    const create = hmacHeaders('DemoApp', 'DemoSecret');
    const first = await request(h.app).post('/sif3/environments/environment').set(create).set('Accept', 'application/json');
    expect(first.status).toBe(201);
    expect401(await request(h.app).post('/sif3/environments/environment').set(create).set('Accept', 'application/json'), /replay/i);

    const env: Env = { id: first.body.environment['@id'], sessionToken: first.body.environment.sessionToken, authenticationMethod: 'SIF_HMACSHA256' };
    const read = hmacHeaders(env.sessionToken, 'DemoSecret');
    expect((await readEnv(h, env).set(read)).status).toBe(200);
    expect401(await readEnv(h, env).set(read));
    // A fresh timestamp is a fresh request.
    const later = new Date(Date.now() + 1000).toISOString();
    expect((await readEnv(h, env).set(hmacHeaders(env.sessionToken, 'DemoSecret', later))).status).toBe(200);
  });

  test('on: a request refused for bad credentials does not use up its value', async () => {
    const h = host({ authentication: { rejectReplays: true } });
    const ts = new Date().toISOString();
    const wrong = { Authorization: hmacAuth('DemoApp', 'wrong', ts), timestamp: ts };
    expect401(await request(h.app).post('/sif3/environments/environment').set(wrong).set('Accept', 'application/json'));
    expect((await request(h.app).post('/sif3/environments/environment').set(hmacHeaders('DemoApp', 'DemoSecret', ts))).status).toBe(201);
  });

  test('off (the default): the same request twice is accepted twice', async () => {
    const h = host();
    const env = await registerWith(h, hmacHeaders('DemoApp', 'DemoSecret'), 'replay-off');
    const read = hmacHeaders(env.sessionToken, 'DemoSecret');
    expect((await readEnv(h, env).set(read)).status).toBe(200);
    expect((await readEnv(h, env).set(read)).status).toBe(200);
  });
});
