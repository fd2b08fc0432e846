import request from 'supertest';
import { fixture } from '../../fixtures';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth, hmacAuth, hmacHeaders } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { INFRA_NS, createTestHost, register } from '../helpers/host';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SCHEMA_ORDER = [
  'fingerprint', 'sessionToken', 'solutionId', 'defaultZone', 'authenticationMethod', 'instanceId',
  'userToken', 'consumerName', 'applicationInfo', 'infrastructureServices', 'provisionedZones',
];

let host: TestHost;
beforeEach(() => {
  host = createTestHost();
});
afterEach(async () => {
  await host.close();
});

const create = () => request(host.app).post('/sif3/environments/environment');

describe('POST environments/environment', () => {
  test('XML with Basic → 201 and the full environment in schema order', async () => {
    const res = await create()
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('Content-Type', 'application/xml')
      .send(fixture('payloads', 'environment-request.xml'));
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers.messagetype).toBe('RESPONSE');
    expect(res.headers.responseaction).toBe('CREATE');
    expect(res.headers.messageid).toMatch(UUID_V4);
    expect(Number.isNaN(Date.parse(res.headers.timestamp!))).toBe(false);

    const doc = parseXml(res.text);
    expect(doc.root).toBe('environment');
    expect(doc.namespace).toBe(INFRA_NS);
    const env = doc.value;
    expect(env['@id']).toMatch(UUID_V4);
    expect(env['@type']).toBe('DIRECT');
    expect(env.fingerprint).toMatch(UUID_V4);
    expect(env.fingerprint).not.toBe(env['@id']);
    expect(Object.keys(env).filter((k) => !k.startsWith('@'))).toEqual(SCHEMA_ORDER);
    expect(env).toMatchObject({
      solutionId: 'testSolution',
      authenticationMethod: 'Basic',
      instanceId: 'gradebook-1',
      userToken: 'jsmith:Teacher',
      consumerName: 'Springfield Gradebook',
      defaultZone: { '@id': 'District', description: 'Springfield School District', properties: { property: { '@name': 'state', '#text': 'IL' } } },
      applicationInfo: {
        applicationKey: 'DemoApp',
        supportedInfrastructureVersion: '3.2.1',
        dataModelNamespace: 'http://www.sifassociation.org/datamodel/na/3.6',
        transport: 'REST',
        applicationProduct: { vendorName: 'Springfield Software', productName: 'Gradebook', productVersion: '2.1' },
      },
    });
    const services = env.infrastructureServices as { infrastructureService: { '@name': string; '#text': string }[] };
    const urls = Object.fromEntries(services.infrastructureService.map((s) => [s['@name'], s['#text']]));
    expect(urls.environment).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/sif3/environments/${env['@id']}$`));
    expect(urls.requestsConnector).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sif3\/requests$/);
    expect(res.headers.location).toBe(urls.environment);

    const zones = (env.provisionedZones as { provisionedZone: { '@id': string; services?: { service: unknown } }[] }).provisionedZone;
    expect(zones.map((z) => z['@id'])).toEqual(['District', 'Elementary', 'environment-global']);
    expect(zones[0]!.services!.service).toEqual({
      '@type': 'OBJECT',
      '@name': 'xStudents',
      '@contextId': 'DEFAULT',
      rights: {
        right: ['QUERY', 'CREATE', 'UPDATE', 'DELETE'].map((t) => ({ '@type': t, '#text': 'APPROVED' })),
      },
    });
  });

  test('JSON with SIF_HMACSHA256 → 201 in Goessner JSON, arrays for repeated elements', async () => {
    const res = await create()
      .set(hmacHeaders('DemoApp', 'DemoSecret'))
      .set('Content-Type', 'application/json')
      .set('Accept', 'application/json')
      .send(fixture('payloads', 'environment-request.json'));
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const env = res.body.environment;
    expect(env.authenticationMethod).toBe('SIF_HMACSHA256');
    expect(env.instanceId).toBe('gradebook-2');
    expect(env.applicationInfo.supportedInfrastructureVersion).toBe('3.3');
    expect(Array.isArray(env.infrastructureServices.infrastructureService)).toBe(true);
    expect(Array.isArray(env.provisionedZones.provisionedZone)).toBe(true);
    expect(Array.isArray(env.provisionedZones.provisionedZone[0].services.service)).toBe(true);
    expect(Array.isArray(env.provisionedZones.provisionedZone[0].services.service[0].rights.right)).toBe(true);
  });

  test('.json suffix chooses JSON when Accept states no preference', async () => {
    const res = await request(host.app)
      .post('/sif3/environments/environment.json')
      .set('Accept', '*/*')
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'));
    expect(res.status).toBe(201);
    expect(res.body.environment['@type']).toBe('DIRECT');
  });

  test('without a body, fields come from headers and query parameters', async () => {
    const res = await request(host.app)
      .post('/sif3/environments/environment.xml?solutionId=fromQuery&consumerName=Ignored')
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('instanceId', 'header-instance')
      .set('consumerName', 'Header Name');
    expect(res.status).toBe(201);
    const env = parseXml(res.text).value;
    expect(env).toMatchObject({ solutionId: 'fromQuery', instanceId: 'header-instance', consumerName: 'Header Name' });
    expect(env.applicationInfo).toMatchObject({ applicationKey: 'DemoApp', supportedInfrastructureVersion: '3.2.1' });
  });

  test('the same consumer again → 409 with the existing environment and the same session token', async () => {
    const first = await register(host);
    const again = await create().set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
    expect(again.status).toBe(409);
    expect(again.headers.messagetype).toBe('RESPONSE');
    expect(again.body.environment['@id']).toBe(first.id);
    expect(again.body.environment.sessionToken).toBe(first.sessionToken);

    const viaHmac = await create().set(hmacHeaders('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
    expect(viaHmac.status).toBe(409);
    expect(viaHmac.body.environment.sessionToken).toBe(first.sessionToken);
  });

  // Issue #13: the create answers lacked the headers every later answer of the environment carries.
  test('201 and 409 carry environmentURI and fingerprint headers, as later answers do (Base Architecture §4.3.2)', async () => {
    const created = await create().set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
    expect(created.status).toBe(201);
    const env = created.body.environment;
    expect(created.headers.fingerprint).toBe(env.fingerprint);
    // supertest listens on a new port per request: the URLs are compared by path.
    const path = (url: string | undefined) => new URL(url ?? '').pathname;
    expect(path(created.headers.environmenturi)).toBe(`/sif3/environments/${env['@id']}`);
    expect(created.headers.environmenturi).toBe(created.headers.location);
    const again = await create().set('Authorization', basicAuth('DemoApp', 'DemoSecret'));
    expect(again.status).toBe(409);
    expect([again.headers.fingerprint, path(again.headers.environmenturi)]).toEqual([env.fingerprint, `/sif3/environments/${env['@id']}`]);
    const read = await request(host.app).get(`/sif3/environments/${env['@id']}`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'));
    expect([read.headers.fingerprint, path(read.headers.environmenturi)]).toEqual([env.fingerprint, `/sif3/environments/${env['@id']}`]);
  });

  test('another instanceId is another consumer', async () => {
    const a = await register(host, 'DemoApp', 'DemoSecret', 'one');
    const b = await register(host, 'DemoApp', 'DemoSecret', 'two');
    expect(a.id).not.toBe(b.id);
    expect(a.sessionToken).not.toBe(b.sessionToken);
  });

  test('the caller is refused with 401 and a SIF error when', async () => {
    const cases: [string, request.Test][] = [
      ['no Authorization', create()],
      ['unknown application', create().set('Authorization', basicAuth('Nobody', 'DemoSecret'))],
      ['wrong secret', create().set('Authorization', basicAuth('DemoApp', 'wrong'))],
      ['method not allowed for the consumer', create().set('Authorization', basicAuth('HmacOnly', 'HmacSecret'))],
      ['HMAC without timestamp', create().set('Authorization', hmacAuth('DemoApp', 'DemoSecret', new Date().toISOString()))],
      ['HMAC too old', create().set(hmacHeaders('DemoApp', 'DemoSecret', new Date(Date.now() - 16 * 60_000).toISOString()))],
      ['HMAC in the future', create().set(hmacHeaders('DemoApp', 'DemoSecret', new Date(Date.now() + 6 * 60_000).toISOString()))],
      ['HMAC with the wrong secret', create().set(hmacHeaders('DemoApp', 'wrong'))],
      ['an instanceId the consumer may not use', create().set('Authorization', basicAuth('Kiosk', 'KioskSecret')).set('instanceId', 'kiosk-9')],
      [
        'a payload applicationKey that did not authenticate',
        create()
          .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
          .type('application/xml')
          .send(`<environment xmlns="${INFRA_NS}"><applicationInfo><applicationKey>Other</applicationKey></applicationInfo></environment>`),
      ],
      [
        'a session method the consumer may not use',
        create().set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('authenticationMethod', 'Bearer'),
      ],
    ];
    for (const [why, req] of cases) {
      const res = await req;
      expect({ why, status: res.status }).toEqual({ why, status: 401 });
      expect(res.headers.messagetype).toBe('ERROR');
      const error = parseXml(res.text);
      expect(error.root).toBe('error');
      expect(error.value.code).toBe('401');
    }
    const unknown = await create().set('Authorization', basicAuth('Nobody', 'x'));
    const wrong = await create().set('Authorization', basicAuth('DemoApp', 'x'));
    expect(parseXml(unknown.text).value.message).toBe(parseXml(wrong.text).value.message);
  });

  test('an allowed instanceId and HMAC-only consumer register', async () => {
    const kiosk = await create().set('Authorization', basicAuth('Kiosk', 'KioskSecret')).set('instanceId', 'kiosk-2');
    expect(kiosk.status).toBe(201);
    const hmacOnly = await create().set(hmacHeaders('HmacOnly', 'HmacSecret'));
    expect(hmacOnly.status).toBe(201);
    expect(parseXml(hmacOnly.text).value.authenticationMethod).toBe('SIF_HMACSHA256');
  });

  test.each([
    ['a wrong root element', 'application/xml', `<alert xmlns="${INFRA_NS}"/>`],
    ['a data-model namespace', 'application/xml', '<environment xmlns="http://www.sifassociation.org/datamodel/na/3.6"/>'],
    ['an unsupported infrastructure version', 'application/json', '{"environment":{"applicationInfo":{"supportedInfrastructureVersion":"2.6"}}}'],
    ['a SOAP transport', 'application/json', '{"environment":{"applicationInfo":{"transport":"SOAP"}}}'],
    ['malformed XML', 'application/xml', '<environment><solutionId>x</environment>'],
    ['malformed JSON', 'application/json', '{"environment":'],
    ['a structured scalar', 'application/json', '{"environment":{"solutionId":{"a":"b"}}}'],
  ])('%s is a 400', async (_why, type, body) => {
    const res = await create().set('Authorization', basicAuth('DemoApp', 'DemoSecret')).type(type).send(body);
    expect(res.status).toBe(400);
    expect(parseXml(res.text).value.code).toBe('400');
    expect(await host.provider.store.findEnvironmentByIdentity('["DemoApp","","",""]')).toBeUndefined();
  });

  test('accepts any 3.x infrastructure namespace and namespace-less XML on input', async () => {
    for (const [i, ns] of ['http://www.sifassociation.org/infrastructure/3.0.1', 'http://www.sifassociation.org/infrastructure/3.3', ''].entries()) {
      const xmlns = ns ? ` xmlns="${ns}"` : '';
      const res = await create()
        .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
        .type('text/xml')
        .send(`<environment${xmlns}><instanceId>ns-${i}</instanceId></environment>`);
      expect(res.status).toBe(201);
    }
  });
});

describe('GET and DELETE environments/{id}', () => {
  // A session uses the method its environment agreed (issue #10 item 5): HMAC sessions register with HMAC.
  const registerHmac = async () =>
    (await create().set(hmacHeaders('DemoApp', 'DemoSecret')).set('instanceId', 'hmac').set('Accept', 'application/json')).body.environment;

  test('the owner reads its environment with Basic and with HMAC on the session token', async () => {
    const env = await register(host);
    const basic = await request(host.app).get(`/sif3/environments/${env.id}`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'));
    expect(basic.status).toBe(200);
    expect(basic.headers.environmenturi).toMatch(new RegExp(`/sif3/environments/${env.id}$`));
    expect(basic.headers.fingerprint).toBe(env.body.fingerprint);
    expect(parseXml(basic.text).value).toMatchObject({ '@id': env.id, sessionToken: env.sessionToken });

    const hmacEnv = await registerHmac();
    const hmac = await request(host.app)
      .get(`/sif3/environments/${hmacEnv['@id']}`)
      .set(hmacHeaders(hmacEnv.sessionToken, 'DemoSecret'))
      .set('Accept', 'application/json');
    expect(hmac.status).toBe(200);
    expect(hmac.body.environment['@id']).toBe(hmacEnv['@id']);
  });

  test('HMAC timestamps may also come as a query parameter', async () => {
    const hmacEnv = await registerHmac();
    const env = { id: hmacEnv['@id'] as string, sessionToken: hmacEnv.sessionToken as string };
    const ts = new Date().toISOString();
    const res = await request(host.app)
      .get(`/sif3/environments/${env.id}?timestamp=${encodeURIComponent(ts)}`)
      .set('Authorization', hmacAuth(env.sessionToken, 'DemoSecret', ts));
    expect(res.status).toBe(200);
  });

  test("another consumer's environment is 404, for reading and deleting", async () => {
    const mine = await register(host);
    const theirs = await register(host, 'Kiosk', 'KioskSecret', 'kiosk-1');
    const auth = basicAuth(theirs.sessionToken, 'KioskSecret');
    expect((await request(host.app).get(`/sif3/environments/${mine.id}`).set('Authorization', auth)).status).toBe(404);
    expect((await request(host.app).delete(`/sif3/environments/${mine.id}`).set('Authorization', auth)).status).toBe(404);
    expect(await host.provider.store.getEnvironment(mine.id)).toBeDefined();
  });

  test('the session token with the wrong secret, or the application key instead of a token, is 401', async () => {
    const env = await register(host);
    for (const auth of [basicAuth(env.sessionToken, 'wrong'), basicAuth('DemoApp', 'DemoSecret'), basicAuth(env.sessionToken, 'KioskSecret')]) {
      expect((await request(host.app).get(`/sif3/environments/${env.id}`).set('Authorization', auth)).status).toBe(401);
    }
  });

  test('delete → 204; the session is refused afterwards, and the consumer can register anew', async () => {
    const env = await register(host);
    const auth = basicAuth(env.sessionToken, 'DemoSecret');
    // Warm the session cache first: it must not serve the deleted session.
    expect((await request(host.app).get(`/sif3/environments/${env.id}`).set('Authorization', auth)).status).toBe(200);
    const del = await request(host.app).delete(`/sif3/environments/${env.id}`).set('Authorization', auth);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(del.headers.responseaction).toBe('DELETE');
    const after = await request(host.app).get(`/sif3/environments/${env.id}`).set('Authorization', auth);
    expect(after.status).toBe(401);
    expect(await host.provider.store.getEnvironment(env.id)).toBeUndefined();
    const again = await register(host);
    expect(again.id).not.toBe(env.id);
    expect(again.sessionToken).not.toBe(env.sessionToken);
  });

  test('PUT on an environment is 405 with Allow', async () => {
    const env = await register(host);
    const res = await request(host.app).put(`/sif3/environments/${env.id}`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'));
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, DELETE, HEAD');
    expect(parseXml(res.text).value.code).toBe('405');
  });

  test('events tell the host about created and deleted environments', async () => {
    const seen: string[] = [];
    host.provider.events.on('environment.created', (e) => seen.push(`created ${e.applicationKey} ${e.environmentId}`));
    host.provider.events.on('environment.deleted', (e) => seen.push(`deleted ${e.environmentId}`));
    const env = await register(host);
    await request(host.app).delete(`/sif3/environments/${env.id}`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'));
    expect(seen).toEqual([`created DemoApp ${env.id}`, `deleted ${env.id}`]);
  });
});
