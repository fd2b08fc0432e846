import request from 'supertest';
import { gzipSync } from 'node:zlib';
import { fixture } from '../../fixtures';
import { MemoryStore } from '../../lib/store/memory';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { hostPerTest, register } from '../helpers/host';

const host = hostPerTest();

const demo = basicAuth('DemoApp', 'DemoSecret');
const envXml = fixture('payloads', 'environment-request.xml');

function expectSifError(res: request.Response, status: number): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers.messagetype).toBe('ERROR');
  const error = res.headers['content-type']?.includes('json') ? res.body.error : parseXml(res.text).value;
  expect(error.code).toBe(String(status));
  expect(JSON.stringify(error)).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
  return error;
}

describe('bodies', () => {
  test('gzip request bodies are read; gzip responses are sent when accepted', async () => {
    const h = host();
    const res = await request(h.app)
      .post('/sif3/environments/environment')
      .set('Authorization', demo)
      .set('Content-Type', 'application/xml')
      .set('Content-Encoding', 'gzip')
      .set('Accept-Encoding', 'gzip')
      .send(gzipSync(Buffer.from(envXml)));
    expect(res.status).toBe(201);
    // supertest inflates the body for us; the header shows it travelled compressed.
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBeLessThan(res.text.length);
    expect(parseXml(res.text).value.instanceId).toBe('gradebook-1');
  });

  test('a body over the limit is 413, by Content-Length or by counting; nothing is stored', async () => {
    const h = host({ limits: { maxBodyBytes: 200 } });
    const big = envXml + ' '.repeat(300);
    expectSifError(await request(h.app).post('/sif3/environments/environment').set('Authorization', demo).type('xml').send(big), 413);
    const bomb = gzipSync(Buffer.from(`<environment>${' '.repeat(100_000)}</environment>`));
    expect(bomb.length).toBeLessThan(200);
    expectSifError(
      await request(h.app).post('/sif3/environments/environment').set('Authorization', demo).type('xml').set('Content-Encoding', 'gzip').send(bomb),
      413,
    );
    expect(await h.provider.store.findEnvironmentByIdentity('["DemoApp","gradebook-1","jsmith:Teacher","testSolution"]')).toBeUndefined();
  });

  test('an unsupported content type or encoding is 415; corrupt gzip is 400', async () => {
    const h = host();
    const post = () => request(h.app).post('/sif3/environments/environment').set('Authorization', demo);
    expectSifError(await post().set('Content-Type', 'text/plain').send('hello'), 415);
    expectSifError(await post().set('Content-Type', 'application/xml').set('Content-Encoding', 'br').send('x'), 415);
    expectSifError(await post().set('Content-Type', 'application/xml').set('Content-Encoding', 'gzip').send('not gzip'), 400);
  });

  test('works behind host body parsers that already read the body', async () => {
    const h = host({}, { hostParsers: true });
    const xml = await request(h.app).post('/sif3/environments/environment').set('Authorization', demo).type('application/xml').send(envXml);
    expect(xml.status).toBe(201);
    const json = await request(h.app)
      .post('/sif3/environments/environment')
      .set('Authorization', demo)
      .type('application/json')
      .send(fixture('payloads', 'environment-request.json'));
    expect(json.status).toBe(201);
    expect(parseXml(json.text).value.instanceId).toBe('gradebook-2');
  });
});

describe('routing and mounting', () => {
  // Paths outside the SIF roots pass on to the host at any mount (issue #10 item 7; test/robustness/hosting.test.ts).
  test('unknown paths under the SIF roots are SIF 404s in the negotiated format; the host keeps its routes', async () => {
    const h = host();
    const res = await request(h.app).get('/sif3/environments/nowhere/else.json');
    expect(res.headers['content-type']).toContain('application/json');
    expectSifError(res, 404);
    expect((await request(h.app).get('/health')).body).toEqual({ ok: true });
  });

  test.each(['/', '/api/v2/sif'])('mounts at %s and writes URLs for that mount', async (mount) => {
    const h = host({}, { mount });
    const env = await register(h);
    const urls = (env.body.infrastructureServices as { infrastructureService: { '#text': string }[] }).infrastructureService.map((s) => s['#text']);
    const prefix = mount === '/' ? '' : mount;
    expect(urls[0]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${prefix}/environments/${env.id}$`));
    expect(urls[1]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${prefix}/requests$`));
  });

  test('baseUrl overrides the URLs derived from the request', async () => {
    const h = host({ baseUrl: 'https://sis.example.org/sif3/' });
    const env = await register(h);
    const urls = (env.body.infrastructureServices as { infrastructureService: { '#text': string }[] }).infrastructureService.map((s) => s['#text']);
    expect(urls).toEqual([`https://sis.example.org/sif3/environments/${env.id}`, 'https://sis.example.org/sif3/requests', 'https://sis.example.org/sif3/provisionRequests']);
  });
});

describe('alternative authentication', () => {
  test('access_token query parameters are refused by default and accepted when enabled', async () => {
    const token = demo.slice('Basic '.length);
    const path = `/sif3/environments/environment?access_token=${encodeURIComponent(token)}&authenticationMethod=Basic`;
    expectSifError(await request(host().app).post(path), 401);
    expect((await request(host({ authentication: { allowAccessTokenQuery: true } }).app).post(path)).status).toBe(201);
  });

  test('Bearer tokens go through the verifier, for registration and for later requests', async () => {
    const h = host({
      consumers: [
        { applicationKey: 'SsoApp', authenticationMethods: ['Bearer'], environment: { defaultZone: { id: 'District' } } },
      ],
      authentication: { verifyBearer: (token) => (token === 'good-token' ? { applicationKey: 'SsoApp', instanceId: 'tablet' } : null) },
    });
    const created = await request(h.app).post('/sif3/environments/environment').set('Authorization', 'Bearer good-token').set('Accept', 'application/json');
    expect(created.status).toBe(201);
    const env = created.body.environment;
    expect(env.authenticationMethod).toBe('Bearer');
    expect(env.instanceId).toBe('tablet');
    expect(env.sessionToken).toBeUndefined();
    expect((await request(h.app).get(`/sif3/environments/${env['@id']}`).set('Authorization', 'Bearer good-token')).status).toBe(200);
    expectSifError(await request(h.app).get(`/sif3/environments/${env['@id']}`).set('Authorization', 'Bearer bad-token'), 401);
    expectSifError(await request(host().app).post('/sif3/environments/environment').set('Authorization', 'Bearer good-token'), 401);
  });
});

describe('failures that are not the client’s', () => {
  test('a store failure is a bare 500: logged, never shown', async () => {
    const store = new MemoryStore();
    store.createEnvironment = async () => {
      throw new Error('disk on fire at /var/lib/secret.db');
    };
    const logged: unknown[] = [];
    const h = host({ database: undefined, store, logger: { warn: () => undefined, error: (m, d) => logged.push([m, d]) } });
    const res = await request(h.app).post('/sif3/environments/environment').set('Authorization', demo);
    const error = expectSifError(res, 500);
    expect(error.message).toBe('Internal service error');
    expect(res.text).not.toContain('disk on fire');
    expect(logged).toHaveLength(1);
  });

  test('a throwing event listener does not fail the request', async () => {
    const h = host();
    h.provider.events.on('environment.created', () => {
      throw new Error('listener bug');
    });
    expect((await request(h.app).post('/sif3/environments/environment').set('Authorization', demo)).status).toBe(201);
  });
});

describe('hostile payloads', () => {
  test.each([
    ['deeply nested XML', 'application/xml', `<environment>${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}</environment>`],
    ['deeply nested JSON', 'application/json', `{"environment":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`],
  ])('%s is a 400, never a crash', async (_why, type, body) => {
    const h = host();
    const res = await request(h.app).post('/sif3/environments/environment').set('Authorization', demo).type(type).send(body);
    expectSifError(res, 400);
    expect(String(res.body?.error?.message ?? parseXml(res.text).value.message)).toMatch(/nests more than/);
  });

  test('a long list of unknown elements is ignored, as unknown elements are, up to limits.maxElements', async () => {
    const h = host();
    const body = (n: number) => `<environment><instanceId>big</instanceId>${'<extension>1</extension>'.repeat(n)}</environment>`;
    const res = await request(h.app).post('/sif3/environments/environment').set('Authorization', demo).type('xml').send(body(90_000));
    expect(res.status).toBe(201);
    expect(parseXml(res.text).value.instanceId).toBe('big');
    // Past the limit (100,000 by default) the payload is refused while it is parsed (issue #10).
    const tooMany = await request(h.app).post('/sif3/environments/environment').set('Authorization', demo).set('instanceId', 'x').type('xml').send(body(200_000));
    expect(tooMany.status).toBe(413);
    expect(tooMany.text).toContain('limits.maxElements');
  });
});

describe('headers on every answer', () => {
  test('requestId and serviceType are echoed; HEAD answers with headers only', async () => {
    const h = host();
    const env = await register(h);
    const auth = basicAuth(env.sessionToken, 'DemoSecret');
    const res = await request(h.app).get('/sif3/requests/alerts').set('Authorization', auth).set('requestId', 'r-42').set('serviceType', 'UTILITY');
    expect(res.headers).toMatchObject({ requestid: 'r-42', servicetype: 'UTILITY', responseaction: 'QUERY', relativeservicepath: '/alerts' });
    const head = await request(h.app).head('/sif3/requests/alerts').set('Authorization', auth);
    expect(head.status).toBe(204);
    expect(head.headers.navigationcount).toBe('0');
    const headEnv = await request(h.app).head(`/sif3/environments/${env.id}`).set('Authorization', auth);
    expect(headEnv.status).toBe(200);
    expect(headEnv.text ?? '').toBe('');
    expect(Number(headEnv.headers['content-length'])).toBeGreaterThan(0);
  });
});
