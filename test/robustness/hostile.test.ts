import fc from 'fast-check';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { basicAuth } from '../helpers/consumer-auth';
import { listen, startExample } from '../helpers/example';

// Hostile input against the example SIS: every answer is a SIF error with a 4xx status (or the
// correct success), nothing crashes, and rejected requests change neither the SIS data nor the
// provider's state.

let example: ReturnType<typeof startExample>;
let auth: string;
let envId: string;
const rc = '/sif3/requests';
const NA = 'http://www.sifassociation.org/datamodel/na/3.6';

beforeAll(async () => {
  example = startExample({ seed: { students: 200 }, provider: { limits: { maxBodyBytes: 64 * 1024 }, logger: { warn: () => undefined, error: () => undefined } } });
  const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
  auth = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
  envId = env.body.environment['@id'];
});
afterAll(async () => {
  await example.close();
});

/** A digest of the SIS data and of the provider's state. */
async function digest(): Promise<string> {
  const hash = createHash('sha256');
  for (const table of ['schools', 'students', 'rosters', 'roster_students']) {
    hash.update(JSON.stringify(example.sis.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()));
  }
  hash.update(String(await example.provider.store.countAlerts(envId)));
  hash.update(JSON.stringify(await example.provider.store.changeLogState()));
  return hash.digest('hex');
}

function expectSifAnswer(res: request.Response, method = 'post'): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.messagetype).toBe('ERROR');
    if (method === 'head') return; // headers only, by definition
    expect(res.text).toMatch(/<error |"error":/);
    expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+|node_modules/);
  }
}

const hostileBodies: [string, string, string][] = [
  ['truncated XML', 'application/xml', `<xStudent xmlns="${NA}"><name><familyName>Tr`],
  ['billion laughs', 'application/xml', '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xStudent>&c;&c;&c;</xStudent>'],
  ['external entity', 'application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xStudent><localId>&e;</localId></xStudent>'],
  ['deep nesting', 'application/xml', `<xStudent>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</xStudent>`],
  ['truncated JSON', 'application/json', '{"xStudent":{"name":{"familyName":"x"'],
  ['JSON array root', 'application/json', '[{"xStudent":{}}]'],
  ['JSON null', 'application/json', 'null'],
  ['wrong root', 'application/json', '{"xSchool":{"schoolName":"x","localId":"y"}}'],
  ['form data', 'application/x-www-form-urlencoded', 'a=1&b=2'],
  ['huge body', 'application/xml', `<xStudent>${'x'.repeat(200 * 1024)}</xStudent>`],
];

describe('hostile bodies are refused with 4xx and change nothing', () => {
  test.each(hostileBodies)('%s', async (_name, type, body) => {
    const before = await digest();
    for (const path of ['/xStudents/xStudent', '/xStudents', '/alerts/alert']) {
      const res = await request(example.app).post(`${rc}${path}`).set('Authorization', auth).set('Content-Type', type).send(body);
      expectSifAnswer(res);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Content-Type', type).send(body);
    expectSifAnswer(env);
    expect(await digest()).toBe(before);
  });

  test('invalid UTF-8 is a 400', async () => {
    const bytes = Buffer.concat([Buffer.from(`<xStudent xmlns="${NA}"><localId>`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</localId></xStudent>')]);
    const res = await request(example.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).set('Content-Type', 'application/xml').send(bytes);
    expect(res.status).toBe(400);
  });
});

describe('oversized headers', () => {
  test('a header over Node’s limit is refused (431) before the provider, and the server goes on', async () => {
    const { base, close } = await listen(example.app);
    try {
      const huge = await fetch(`${base}${rc}/xStudents`, { headers: { Authorization: auth, 'X-Padding': 'x'.repeat(20_000) } }).catch(() => undefined);
      expect(huge === undefined || huge.status === 431).toBe(true);
      const after = await fetch(`${base}${rc}/xStudents?navigationPageSize=1`, { headers: { Authorization: auth } });
      expect(after.status).toBe(200);
    } finally {
      await close();
    }
  });
});

describe('property: random bytes as a body', () => {
  test('never a 5xx, never a change', async () => {
    const before = await digest();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 400 }),
        fc.constantFrom('application/xml', 'application/json', 'text/xml', undefined),
        fc.constantFrom('/xStudents/xStudent', '/xStudents', '/alerts/alert', '/xStudents?methodOverride=x'),
        async (bytes, type, path) => {
          let req = request(example.app).post(`${rc}${path}`).set('Authorization', auth);
          if (type) req = req.set('Content-Type', type);
          const res = await req.send(Buffer.from(bytes));
          expectSifAnswer(res);
        },
      ),
      { numRuns: 150 },
    );
    expect(await digest()).toBe(before);
  });
});

describe('property: garbage in headers and query parameters', () => {
  const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~'.split('')), maxLength: 40 });
  const headerNames = ['Authorization', 'timestamp', 'Accept', 'Content-Type', 'navigationPage', 'navigationPageSize', 'navigationId', 'queryIntention', 'methodOverride', 'zoneId', 'contextId', 'requestType', 'mustUseAdvisory', 'Content-Encoding', 'Accept-Encoding', 'serviceType', 'requestId'];
  const queryNames = ['where', 'order', 'navigationPage', 'navigationPageSize', 'changesSinceMarker', 'access_token', 'timestamp'];

  test('every answer is a SIF answer below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...headerNames), printable, { maxKeys: 4 }),
        fc.dictionary(fc.constantFrom(...queryNames), printable, { maxKeys: 3 }),
        fc.constantFrom('get', 'head', 'put', 'delete', 'post'),
        fc.constantFrom('/xStudents', '/xStudents/x', '/xSchools/x/xStudents', '/alerts', `/../environments/${'x'}`, '/xStudents;zoneId=%ZZ'),
        async (headers, query, method, path) => {
          const qs = new URLSearchParams(query).toString();
          let req = request(example.app)[method](`${rc}${path}${qs ? `?${qs}` : ''}`).set('Authorization', auth);
          for (const [name, value] of Object.entries(headers)) req = req.set(name, value.trim() === '' ? 'x' : value);
          const res = await req;
          expectSifAnswer(res, method);
        },
      ),
      { numRuns: 300 },
    );
  });
});
