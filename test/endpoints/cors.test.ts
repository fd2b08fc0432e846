import request from 'supertest';
import type { SifProviderOptions } from 'sif3-direct';
import { SifConfigError, createSifProvider } from 'sif3-direct';
import { basicAuth } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { TEST_CONSUMERS, hostPerTest, register } from '../helpers/host';
import { QUEUE_TEST_CONSUMERS, session } from '../helpers/queues';

// The `cors` option over HTTP: preflights answered before authentication, the CORS headers on every
// answer to an allowed origin (errors included), none for another origin, and Vary: Origin always.

const host = hostPerTest();

const APP = 'https://gradebook.example.org';
const OTHER = 'https://evil.example.net';
const demo = basicAuth('DemoApp', 'DemoSecret');

/** The request headers the issue names: a browser consumer must be allowed to send each. */
const SIF_REQUEST_HEADERS = [
  'Authorization', 'timestamp', 'Content-Type', 'Accept', 'requestId', 'requestType', 'queueId', 'navigationPage',
  'navigationPageSize', 'navigationId', 'queryIntention', 'methodOverride', 'mustUseAdvisory', 'zoneId', 'contextId',
  'generatorId', 'messageType', 'serviceType', 'connectionId', 'deleteMessageId', 'changesSinceMarker',
];

/** Response headers a script never needs exposed: CORS-safelisted, hop-by-hop, or the host's. */
const NOT_EXPOSED = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'x-powered-by']);

function listOf(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
}

function preflight(h: TestHost, path: string, origin: string, method = 'GET', headers = 'authorization, timestamp, accept') {
  return request(h.app).options(`/sif3${path}`).set('Origin', origin).set('Access-Control-Request-Method', method).set('Access-Control-Request-Headers', headers);
}

/** Every SIF header of an answer is exposed to the page, and the answer varies by Origin. */
function expectExposed(res: request.Response, origin = APP): void {
  expect(res.headers['access-control-allow-origin']).toBe(origin);
  const exposed = listOf(res.headers['access-control-expose-headers']);
  const sent = Object.keys(res.headers).filter((name) => !NOT_EXPOSED.has(name) && !name.startsWith('access-control-'));
  expect(sent.filter((name) => !exposed.includes(name))).toEqual([]);
  expect(listOf(res.headers.vary)).toContain('origin');
}

function expectNoCors(res: request.Response): void {
  expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
}

describe('the cors option at start-up', () => {
  const start = (cors: unknown) => () =>
    createSifProvider({ database: ':memory:', consumers: TEST_CONSUMERS.slice(2), cors: cors as SifProviderOptions['cors'] });

  test.each([
    [true, 'cors', 'must be an object'],
    [{ origins: 'https://a.example.org' }, 'cors.origins', "must be '*' or an array"],
    [{ origins: [] }, 'cors.origins', 'at least one origin'],
    [{ origins: ['https://a.example.org/'] }, 'cors.origins[0]', 'e.g. https://a.example.org'],
    [{ origins: [APP, 'https://A.example.org'] }, 'cors.origins[1]', 'exactly as browsers send it'],
    [{ origins: ['https://a.example.org:443'] }, 'cors.origins[0]', 'e.g. https://a.example.org'],
    [{ origins: ['null'] }, 'cors.origins[0]', 'http(s) origin'],
    [{ origins: [42] }, 'cors.origins[0]', 'must be a string'],
    [{ credentials: true }, 'cors.credentials', "cannot be true with cors.origins '*'"],
    [{ origins: '*', credentials: 'yes' }, 'cors.credentials', 'must be true or false'],
    [{ maxAgeSeconds: -1 }, 'cors.maxAgeSeconds', 'non-negative integer'],
    [{ allowOrigins: [APP] }, 'cors.allowOrigins', 'is not a known option'],
  ])('%j is refused naming %s', (cors, option, problem) => {
    let error: unknown;
    try {
      start(cors)();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SifConfigError);
    expect((error as SifConfigError).option).toBe(option);
    expect((error as SifConfigError).message).toContain(problem);
  });

  test('valid forms start', async () => {
    for (const cors of [{}, { origins: '*' as const }, { origins: [APP, 'http://localhost:5173'], credentials: true, maxAgeSeconds: 0 }]) {
      await start(cors)().close();
    }
  });
});

describe('CORS off (the default)', () => {
  test('a preflight is not answered as one, and no answer carries CORS headers', async () => {
    const h = host();
    const pre = await preflight(h, '/requests/xStudents', APP);
    expect(pre.status).not.toBe(204);
    expectNoCors(pre);
    const res = await request(h.app).post('/sif3/environments/environment').set('Origin', APP).set('Authorization', demo);
    expect(res.status).toBe(201);
    expectNoCors(res);
    expect(listOf(res.headers.vary)).not.toContain('origin');
  });
});

describe('CORS with listed origins', () => {
  const listed = { cors: { origins: [APP, 'http://localhost:5173'], maxAgeSeconds: 3600 } };

  test.each(['/requests/xStudents', '/requests/xStudents/some-id;zoneId=District', '/environments/environment', '/environments/abc', '/queues', '/subscriptions/x'])(
    'a preflight on %s from an allowed origin is 204 without authentication',
    async (path) => {
      const h = host(listed);
      const res = await preflight(h, path, APP, 'PUT', SIF_REQUEST_HEADERS.join(', '));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(listOf(res.headers['access-control-allow-methods'])).toEqual(expect.arrayContaining(['get', 'head', 'post', 'put', 'delete']));
      expect(listOf(res.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(SIF_REQUEST_HEADERS.map((n) => n.toLowerCase())));
      expect(res.headers['access-control-max-age']).toBe('3600');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(listOf(res.headers.vary)).toContain('origin');
      expect(res.headers['www-authenticate']).toBeUndefined();
    },
  );

  test('a preflight from another origin is refused with 403 and no CORS header; nothing reaches authentication', async () => {
    const h = host(listed);
    for (const origin of [OTHER, 'null', 'https://gradebook.example.org.evil.net', 'http://gradebook.example.org']) {
      const res = await preflight(h, '/requests/xStudents', origin);
      expect(res.status).toBe(403);
      expect(res.headers.messagetype).toBe('ERROR');
      expect(res.text).not.toContain(origin);
      expectNoCors(res);
    }
  });

  test('OPTIONS that is not a preflight (no Origin, or no Access-Control-Request-Method) is the usual 405', async () => {
    const h = host(listed);
    const bare = await request(h.app).options('/sif3/requests/alerts');
    expect(bare.status).toBe(405);
    const noMethod = await request(h.app).options('/sif3/requests/alerts').set('Origin', APP);
    expect(noMethod.status).toBe(405);
    expect(noMethod.headers['access-control-allow-origin']).toBe(APP);
  });

  test('paths outside the SIF roots stay the host\'s: no CORS headers added', async () => {
    const h = host(listed);
    const res = await request(h.app).get('/health').set('Origin', APP);
    expect(res.status).toBe(200);
    expectNoCors(res);
    const pre = await request(h.app).options('/sif3/docs').set('Origin', APP).set('Access-Control-Request-Method', 'GET');
    expect(pre.status).not.toBe(204);
    expectNoCors(pre);
  });

  test('answers to an allowed origin expose every SIF header they carry: register, query, read, create, HEAD, gzip', async () => {
    const h = host(listed);
    const created = await request(h.app).post('/sif3/environments/environment').set('Origin', APP).set('Authorization', demo).set('Accept', 'application/json');
    expect(created.status).toBe(201);
    expectExposed(created);
    expect(listOf(created.headers['access-control-expose-headers'])).toEqual(expect.arrayContaining(['location', 'environmenturi', 'fingerprint', 'messageid']));
    const token = created.body.environment.sessionToken as string;
    const auth = basicAuth(token, 'DemoSecret');
    for (let i = 0; i < 30; i++) h.students.set(`s-${i}`, { '@refId': `s-${i}`, name: { familyName: `F${i}`.repeat(20) } });

    const page = await request(h.app).get('/sif3/requests/xStudents').query({ navigationPage: 1, navigationPageSize: 10 }).set('Origin', APP).set('Authorization', auth).set('Accept-Encoding', 'gzip');
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('gzip');
    expectExposed(page);
    expect(listOf(page.headers.vary)).toEqual(expect.arrayContaining(['accept', 'accept-encoding', 'origin']));
    expect(listOf(page.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['navigationcount', 'navigationlastpage', 'navigationpage', 'navigationpagesize', 'relativeservicepath', 'responseaction']),
    );

    const all = await request(h.app).get('/sif3/requests/xStudents').set('queryIntention', 'ALL').set('navigationPageSize', '5').set('Origin', APP).set('Authorization', auth);
    expect(all.headers.navigationid).toEqual(expect.any(String));
    expectExposed(all);
    const head = await request(h.app).head('/sif3/requests/xStudents').set('Origin', APP).set('Authorization', auth);
    expect(head.headers.changessincemarker).toEqual(expect.any(String));
    expectExposed(head);
    const read = await request(h.app).get('/sif3/requests/xStudents/s-1').set('Origin', APP).set('Authorization', auth);
    expect(read.status).toBe(200);
    expectExposed(read);
    const one = await request(h.app).post('/sif3/requests/xStudents/xStudent').set('Origin', APP).set('Authorization', auth).set('requestId', 'r-1')
      .type('json').send({ xStudent: { name: { familyName: 'New' } } });
    expect(one.status).toBe(201);
    expect(one.headers.requestid).toBe('r-1');
    expectExposed(one);
  });

  test('errors carry the CORS headers too: 401, 404, 405, 400 for a hostile Host', async () => {
    const h = host(listed);
    const unauthenticated = await request(h.app).get('/sif3/requests/xStudents').set('Origin', APP);
    expect(unauthenticated.status).toBe(401);
    expectExposed(unauthenticated);
    expect(listOf(unauthenticated.headers['access-control-expose-headers'])).toContain('www-authenticate');
    const { sessionToken } = await register(h);
    const missing = await request(h.app).get('/sif3/requests/xStudents/nobody').set('Origin', APP).set('Authorization', basicAuth(sessionToken, 'DemoSecret'));
    expect(missing.status).toBe(404);
    expectExposed(missing);
    const notAllowed = await request(h.app).put('/sif3/requests/alerts').set('Origin', APP);
    expect(notAllowed.status).toBe(405);
    expectExposed(notAllowed);
    expect(listOf(notAllowed.headers['access-control-expose-headers'])).toContain('allow');
    const hostile = await request(h.app).get('/sif3/requests/xStudents').set('Host', 'evil.example/x?').set('Origin', APP);
    expect(hostile.status).toBe(400);
    expectExposed(hostile);
  });

  test('another origin\'s request is answered as usual, without CORS headers, varying by Origin', async () => {
    const h = host(listed);
    const res = await request(h.app).post('/sif3/environments/environment').set('Origin', OTHER).set('Authorization', demo);
    expect(res.status).toBe(201);
    expectNoCors(res);
    expect(listOf(res.headers.vary)).toContain('origin');
    const none = await request(h.app).get('/sif3/requests/xStudents');
    expect(listOf(none.headers.vary)).toEqual(expect.arrayContaining(['accept', 'accept-encoding', 'origin']));
  });

  test('queue answers expose the message headers (messageId, eventAction, requestId, connectionId …)', async () => {
    const h = host({ ...listed, queues: true, consumers: QUEUE_TEST_CONSUMERS });
    const subscriber = await session(h, 'Subscriber', 'SubscriberSecret');
    const queue = await request(h.app).post('/sif3/queues').set('Origin', APP).set('Authorization', subscriber.auth).set('Accept', 'application/json')
      .type('json').send({ queue: { polling: 'IMMEDIATE', name: 'browser' } });
    expect(queue.status).toBe(201);
    expectExposed(queue);
    const queueId = queue.body.queue['@id'] as string;
    const messages = new URL(queue.body.queue.queueUri as string).pathname;
    const sub = await request(h.app).post('/sif3/subscriptions').set('Origin', APP).set('Authorization', subscriber.auth).set('Accept', 'application/json')
      .type('json').send({ subscription: { serviceType: 'OBJECT', serviceName: 'xStudents', queueId } });
    expect(sub.status).toBe(201);
    expectExposed(sub);
    const { sessionToken } = await register(h);
    const created = await request(h.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', basicAuth(sessionToken, 'DemoSecret'))
      .type('json').send({ xStudent: { name: { familyName: 'Evented' } } });
    expect(created.status).toBe(201);
    const event = await request(h.app).get(messages).set('Origin', APP).set('Authorization', subscriber.auth);
    expect(event.status).toBe(200);
    expect(event.headers.eventaction).toBe('CREATE');
    expectExposed(event);
    expect(listOf(event.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['messageid', 'eventaction', 'connectionid', 'servicename', 'zoneid', 'contextid', 'replacement']),
    );
    const accepted = await request(h.app).get('/sif3/requests/xStudents').set('Origin', APP).set('Authorization', subscriber.auth)
      .set('requestType', 'DELAYED').set('queueId', queueId).set('requestId', 'delayed-1');
    expect(accepted.status).toBe(202);
    expectExposed(accepted);
    // The delayed answer arrives behind the event; popping the event returns it.
    let next = `${messages};deleteMessageId=${event.headers.messageid}`;
    for (let i = 0; i < 500; i++) {
      const polled = await request(h.app).get(next).set('Origin', APP).set('Authorization', subscriber.auth);
      next = messages;
      expectExposed(polled);
      if (polled.status === 200) {
        expect(polled.headers.requestid).toBe('delayed-1');
        expect(polled.headers.messagetype).toBe('RESPONSE');
        return;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('the delayed answer never arrived');
  });
});

describe('CORS with any origin, and with credentials', () => {
  test("'*' answers any origin with *, without credentials", async () => {
    const h = host({ cors: {} });
    const pre = await preflight(h, '/requests/xStudents', OTHER);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-max-age']).toBe('600');
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    const res = await request(h.app).post('/sif3/environments/environment').set('Origin', OTHER).set('Authorization', demo);
    expect(res.status).toBe(201);
    expectExposed(res, '*');
  });

  test('credentials: the origin is echoed and Allow-Credentials sent, on preflights and answers', async () => {
    const h = host({ cors: { origins: [APP], credentials: true } });
    const pre = await preflight(h, '/environments/environment', APP, 'POST');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(APP);
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    const res = await request(h.app).post('/sif3/environments/environment').set('Origin', APP).set('Authorization', demo);
    expectExposed(res);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });
});
