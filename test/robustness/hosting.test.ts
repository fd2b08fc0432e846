import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';
import { hostPerTest, register } from '../helpers/host';

// Safe hosting (GitHub issue #10, items 5 and 7): the router answers only its own paths, whatever
// its mount point; URLs it writes never carry a hostile Host header; the example app listens on
// loopback by default and never shows a stack trace.

const host = hostPerTest();

const demo = basicAuth('DemoApp', 'DemoSecret');

function expectSifError(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.messagetype).toBe('ERROR');
  const error = res.headers['content-type']?.includes('json') ? res.body.error : parseXml(res.text).value;
  expect(error.code).toBe(String(status));
}

/** A host route that says which URL it saw. */
function echo(req: Request, res: Response): void {
  res.json({ route: 'host', url: req.url, originalUrl: req.originalUrl });
}

describe('mounted at / (app.use(sif.router))', () => {
  test('the host’s routes after the router are reached, with their original URL', async () => {
    const h = host({}, { mount: '/' });
    h.app.all('/after/*rest', echo);
    h.app.get('/status', echo);
    expect((await request(h.app).get('/health')).body).toEqual({ ok: true });
    expect((await request(h.app).get('/status')).body).toMatchObject({ route: 'host', url: '/status' });
    // A suffix and matrix parameters are the host's business here: the router must not strip them.
    const url = '/after/report.json;version=2?x=1';
    expect((await request(h.app).get(url)).body).toEqual({ route: 'host', url, originalUrl: url });
    expect((await request(h.app).post('/after/form.xml').type('json').send({ a: 1 })).body).toMatchObject({ url: '/after/form.xml' });
    // Nothing there: the host's own 404, not a SIF error.
    const missing = await request(h.app).get('/nowhere.json');
    expect(missing.status).toBe(404);
    expect(missing.headers.messagetype).toBeUndefined();
  });

  test('an error the host raises before the router reaches the host’s error handler', async () => {
    const h = host();
    const app = express();
    app.use('/boom', (_req: Request, _res: Response, next: NextFunction) => next(Object.assign(new Error('boom'), { status: 418 })));
    app.use(h.provider.router);
    app.use((err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 500).json({ handledBy: 'host' });
    });
    const res = await request(app).get('/boom');
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ handledBy: 'host' });
  });

  test('SIF routes work; unknown paths under the SIF roots stay SIF 404 and 405 errors', async () => {
    const h = host({}, { mount: '/' });
    h.app.all('/*rest', echo);
    const env = await register(h);
    const read = await request(h.app).get(`/environments/${env.id}`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'));
    expect(read.status).toBe(200);
    expect(read.headers.environmenturi).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/environments/${env.id}$`));
    for (const path of ['/environments/a/b', '/environments.json', '/requests', '/queues/q1', '/subscriptions;zoneId=x']) {
      expectSifError(await request(h.app).get(path), 404);
    }
    expectSifError(await request(h.app).put('/environments/environment'), 405);
  });
});

describe('mounted under a prefix', () => {
  test('paths outside the SIF roots pass on to the host, as they do at /; SIF roots stay SIF', async () => {
    const h = host();
    h.app.get('/sif3/docs', echo);
    expect((await request(h.app).get('/sif3/docs')).body).toEqual({ route: 'host', url: '/sif3/docs', originalUrl: '/sif3/docs' });
    expect((await request(h.app).get('/sif3/nowhere')).headers.messagetype).toBeUndefined();
    expectSifError(await request(h.app).get('/sif3/environments/a/b'), 404);
  });
});

describe('the Host header', () => {
  test.each([
    'evil.example/path',
    'evil.example:80@other.example',
    'evil.example:abc',
    'evil.example:99999',
    'evil.example:',
    'evil.example"><script>',
    'evil.example, other.example',
    'evil example',
    '[::1',
    '[evil.example]:80',
  ])('%j is refused with a 400 and written nowhere', async (hostile) => {
    const h = host();
    const res = await request(h.app)
      .post('/sif3/environments/environment')
      .set('Host', hostile)
      .set('Authorization', demo)
      .set('instanceId', 'hostile');
    expectSifError(res, 400);
    expect(JSON.stringify(res.headers)).not.toContain('evil');
    expect(res.text).not.toContain('evil');
    // Nothing was stored: the same identity registers afresh.
    const again = await request(h.app).post('/sif3/environments/environment').set('Authorization', demo).set('instanceId', 'hostile');
    expect(again.status).toBe(201);
    expect(again.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sif3\/environments\//);
  });

  test('a hostile Host on a session request is refused before authentication', async () => {
    const h = host();
    const env = await register(h);
    const res = await request(h.app).get(`/sif3/environments/${env.id}`).set('Host', 'evil.example/x').set('Authorization', 'Basic !!!');
    expectSifError(res, 400);
    expect(res.headers.environmenturi).toBeUndefined();
  });

  test.each(['sis.example.org', 'localhost:3000', '127.0.0.1:8080', '[::1]:3000', '[2001:db8::1]', 'my_service:80', 'SIS.Example.ORG.'])(
    '%j is a plain host and is used for URLs',
    async (plain) => {
      const h = host();
      const res = await request(h.app).post('/sif3/environments/environment').set('Host', plain).set('Authorization', demo);
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`http://${plain}/sif3/environments/${String(parseXml(res.text).value['@id'])}`);
    },
  );

  test('with baseUrl configured, the Host header is ignored and every URL uses baseUrl', async () => {
    const h = host({ baseUrl: 'https://sis.example.org/sif3' });
    const res = await request(h.app)
      .post('/sif3/environments/environment')
      .set('Host', 'evil.example/x')
      .set('Authorization', demo)
      .set('Accept', 'application/json');
    expect(res.status).toBe(201);
    const env = res.body.environment;
    expect(res.headers.location).toBe(`https://sis.example.org/sif3/environments/${env['@id']}`);
    expect(JSON.stringify(res.body)).not.toContain('evil');
    const read = await request(h.app)
      .get(`/sif3/environments/${env['@id']}`)
      .set('Host', 'evil.example/x')
      .set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'));
    expect(read.status).toBe(200);
    expect(read.headers.environmenturi).toBe(`https://sis.example.org/sif3/environments/${env['@id']}`);
  });
});

describe('the example app', () => {
  // Where it listens (127.0.0.1 unless HOST is set) is tested on the real process in test/example-app/server.test.ts.

  test('errors on its own routes are answered without a stack trace', async () => {
    const example = startExample({ seed: { students: 10 } });
    try {
      const noStack = /\bat .*[(:]\d+|\.ts\b|node_modules|Error:/;
      const malformed = await request(example.app).post('/').type('json').send('{"unterminated');
      expect(malformed.status).toBe(400);
      expect(malformed.text).not.toMatch(noStack);
      const missing = await request(example.app).get('/sif3/nowhere');
      expect(missing.status).toBe(404);
      expect(missing.text).not.toMatch(noStack);
      // A failure inside a route of the SIS: its database is gone.
      example.sis.close();
      const broken = await request(example.app).get('/');
      expect(broken.status).toBe(500);
      expect(broken.text).not.toMatch(noStack);
    } finally {
      await example.close();
    }
  });
});
