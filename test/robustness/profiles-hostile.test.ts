import request from 'supertest';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';
import { createTestHost, register, type TestHost } from '../helpers/host';
import { memoryService, NA_NS } from '../helpers/memory-service';

// Red team on SIF 3.3 content profiles (Version Indication & Negotiation §3) and the PESC JSON
// reader and writer, against the example SIS over real HTTP and a real SQLite file: hostile PESC
// bodies, Content-Profile that lies about the body, absurd Accept-Profile lists, and objects one
// consumer stores that others then read in PESC.

let example: ReturnType<typeof startExample>;
let auth: string;
let envId: string;
const J = 'application/json';
const INF_PESC = 'urn:sif:inf/global/3.3+pesc';
const NA_PESC = 'urn:sif:data/na/3.6+pesc';

beforeAll(async () => {
  example = startExample({ seed: { students: 20 }, provider: { limits: { maxBodyBytes: 256 * 1024 }, logger: { warn: () => undefined, error: () => undefined } } });
  const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', J);
  auth = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
  envId = env.body.environment['@id'];
});
afterAll(async () => example.close());

function expectSifError(res: request.Response, ...statuses: number[]): void {
  expect(statuses).toContain(res.status);
  expect(res.headers.messagetype).toBe('ERROR');
  expect(res.text).toMatch(/<error |"error":/);
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+|node_modules/);
}

async function counts(): Promise<string> {
  const tables = ['students', 'schools', 'rosters'].map((t) => (example.sis.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n);
  return `${tables.join('/')}/${await example.provider.store.countAlerts(envId)}`;
}

describe('PESC bodies: hostile input is a 4xx and writes nothing', () => {
  const bodies: [string, string][] = [
    ['__proto__', '{"ROOT":{"__proto__":{"polluted":"yes"}}}'],
    ['constructor.prototype', '{"ROOT":{"constructor":{"prototype":{"polluted":"yes"}},"level":"ERROR"}}'],
    ['prototype', '{"ROOT":{"prototype":"x","level":"ERROR"}}'],
    ['deep nesting', `{"ROOT":${'{"a":'.repeat(3000)}"x"${'}'.repeat(3000)}}`],
    ['huge array', `{"ROOT":{"a":[${Array(60_000).fill('"x"').join(',')}]}}`],
    ['numbers and booleans for text', '{"ROOT":{"level":5,"description":true,"id":7}}'],
    ['an object for an attribute', '{"ROOT":{"id":{"x":"1"},"level":"ERROR"}}'],
    ['an array for an attribute', '{"ROOT":{"id":["a","b"],"level":"ERROR"}}'],
    ['an object for value', '{"ROOT":{"value":{"x":"1"}}}'],
    ['xmlns as an object', '{"ROOT":{"xmlns":{"a":"b"}}}'],
    ['a string root', '{"ROOT":"x"}'],
    ['an array root', '{"ROOT":[{"level":"ERROR"}]}'],
  ];
  const targets: [string, string, string][] = [
    ['/sif3/requests/alerts/alert', 'alert', INF_PESC],
    ['/sif3/requests/xStudents/xStudent', 'xStudent', NA_PESC],
    ['/sif3/requests/xSchools', 'xSchools', NA_PESC],
    ['/sif3/provisionRequests', 'provisionRequest', INF_PESC],
    ['/sif3/services/RolloverStudents/job', 'job', INF_PESC],
    ['/sif3/queues', 'queue', INF_PESC],
  ];
  test.each(bodies)('%s', async (_name, template) => {
    const before = await counts();
    for (const [path, root, profile] of targets) {
      const res = await request(example.app).post(path).set('Authorization', auth).set('Accept', J).set('Content-Profile', profile).type('json').send(template.replace('"ROOT"', `"${root}"`));
      if (res.status < 300) {
        // Only a queue may be created from almost nothing; nothing else is.
        expect(root).toBe('queue');
        await request(example.app).delete(`/sif3/queues/${res.body.queue.id ?? res.body.queue['@id']}`).set('Authorization', auth);
        continue;
      }
      expectSifError(res, 400, 413);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await counts()).toBe(before);
  });
});

describe('Content-Profile and Accept-Profile that lie or overflow', () => {
  const alertXml = '<alert xmlns="http://www.sifassociation.org/infrastructure/3.2.1"><level>ERROR</level><description>d</description></alert>';

  test.each([
    ['PESC over an XML body', 'application/xml', alertXml, INF_PESC, [415]],
    ['XML profile over a JSON body', 'application/json', '{"alert":{"level":"ERROR"}}', 'urn:sif:inf/global/3.3+xml', [415]],
    ['an unknown infrastructure version', 'application/json', '{"alert":{"level":"ERROR"}}', 'urn:sif:inf/global/9.9+pesc', [415]],
    ['two profiles', 'application/json', '{"alert":{"level":"ERROR"}}', `${NA_PESC}, urn:sif:data/na/3.6+goessner`, [415]],
    ['garbage', 'application/json', '{"alert":{"level":"ERROR"}}', 'garbage;;;q=', [415]],
    ['a long header', 'application/json', '{"alert":{"level":"ERROR"}}', 'x'.repeat(10_000), [415]],
    ['a malformed q (read as PESC: the alert is incomplete)', 'application/json', '{"alert":{"level":"ERROR"}}', `${INF_PESC};q=abc`, [400, 415]],
  ])('Content-Profile: %s is refused and the message is bounded', async (_name, type, body, profile, statuses) => {
    const res = await request(example.app).post('/sif3/requests/alerts/alert').set('Authorization', auth).set('Content-Type', type).set('Content-Profile', profile).send(body);
    expectSifError(res, ...statuses);
    expect(res.text.length).toBeLessThan(2000);
  });

  test.each([
    ['a thousand unanswerable entries', Array(1000).fill('x;q=1e999').join(',')],
    ['NaN quality', `${INF_PESC};q=NaN`],
    ['negative and underflowing qualities', `${INF_PESC};q=-1,urn:sif:data/x/y+pesc;q=1e-400`],
    ['separators only', ';;;;,,,,'],
    ['two notations in one entry', `${INF_PESC}+xml`],
  ])('Accept-Profile: %s is a bounded 406', async (_name, header) => {
    for (const path of ['/sif3/requests/xStudents?navigationPageSize=1', '/sif3/requests/zones', '/sif3/provisionRequests']) {
      const res = await request(example.app).get(path).set('Authorization', auth).set('Accept-Profile', header);
      expectSifError(res, 406);
      expect(res.text.length).toBeLessThan(3000);
    }
  });

  test('duplicate q parameters and an uppercase notation are read, not crashed on', async () => {
    for (const header of [`${INF_PESC};q=0.5;q=1;q=2`, 'urn:sif:data/na/3.6+PESC']) {
      const res = await request(example.app).get('/sif3/requests/xStudents?navigationPageSize=1').set('Authorization', auth).set('Accept-Profile', header);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('objects other consumers stored are always readable in PESC', () => {
  // A host without a data model stores what consumers send (the example SIS validates against its
  // xPress model, so there such an object is refused at create).
  let host: TestHost;
  let me: string;
  beforeAll(async () => {
    const xStudents = memoryService({ objectName: 'xStudent', namespace: NA_NS, repeatable: ['otherIds/otherId'] });
    host = createTestHost({ services: { xStudents: xStudents.definition } });
    me = basicAuth((await register(host)).sessionToken, 'DemoSecret');
  });
  afterAll(async () => host.close());

  test('an attribute and a child element of the same name, and text beside a child called value, survive a PESC read (no 500 for anyone)', async () => {
    const refId = '11111111-1111-4111-8111-111111111111';
    const stored = { '@refId': refId, localId: 'rt-pesc', name: { '@type': 'odd', type: 'LegalName', familyName: 'A', givenName: 'B' } };
    const created = await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', me).set('Accept', J).type('json').send({ xStudent: stored });
    expect(created.status).toBe(201);
    const withValueChild = { '@refId': '21111111-1111-4111-8111-111111111111', localId: 'rt-pesc-withValueChild', otherIds: { otherId: [{ '@value': 'v', '#text': 'x', value: 'y' }] } };
    expect((await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', me).set('Accept', J).type('json').send({ xStudent: withValueChild })).status).toBe(201);

    for (const profile of [NA_PESC, INF_PESC]) {
      const one = await request(host.app).get(`/sif3/requests/xStudents/${refId}`).set('Authorization', me).set('Accept-Profile', profile);
      expect(one.status).toBe(200);
      const page = await request(host.app).get('/sif3/requests/xStudents?navigationPageSize=100').set('Authorization', me).set('Accept-Profile', profile);
      expect(page.status).toBe(200);
      expect(page.text).toContain('rt-pesc');
    }
    // Read back in PESC and sent again in PESC, the object is what was stored.
    const pesc = await request(host.app).get(`/sif3/requests/xStudents/${refId}`).set('Authorization', me).set('Accept-Profile', NA_PESC);
    const roundTrip = await request(host.app).put(`/sif3/requests/xStudents/${refId}`).set('Authorization', me).set('Content-Profile', NA_PESC).type('json').send(pesc.text);
    expect(roundTrip.status).toBe(204);
    const back = await request(host.app).get(`/sif3/requests/xStudents/${refId}`).set('Authorization', me).set('Accept', J);
    expect(back.body.xStudent.name).toEqual(stored.name);
    const otherPesc = await request(host.app).get(`/sif3/requests/xStudents/${withValueChild['@refId']}`).set('Authorization', me).set('Accept-Profile', NA_PESC);
    expect(otherPesc.status).toBe(200);
    expect((await request(host.app).put(`/sif3/requests/xStudents/${withValueChild['@refId']}`).set('Authorization', me).set('Content-Profile', NA_PESC).type('json').send(otherPesc.text)).status).toBe(204);
    const otherBack = await request(host.app).get(`/sif3/requests/xStudents/${withValueChild['@refId']}`).set('Authorization', me).set('Accept', J);
    expect(otherBack.body.xStudent.otherIds.otherId).toEqual(withValueChild.otherIds.otherId);
  });
});
