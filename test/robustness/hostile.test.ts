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

describe('the asynchronous side: queues, subscriptions, messages, delayed requests', () => {
  let queueId: string;
  let messages: string;
  // A fresh queue for each test: the fuzzing may delete the one it is given.
  beforeEach(async () => {
    const res = await request(example.app).post('/sif3/queues').set('Authorization', auth).set('Accept', 'application/json').type('json').send({ queue: { name: 'hostile' } });
    queueId = res.body.queue['@id'];
    messages = `/sif3/queues/${queueId}/messages`;
  });
  afterEach(async () => {
    await request(example.app).delete(`/sif3/queues/${queueId}`).set('Authorization', auth);
  });

  test.each(hostileBodies)('%s as a queue or subscription is refused with 4xx and creates nothing', async (_name, type, body) => {
    const queues = (await example.provider.store.listQueues(envId)).length;
    for (const path of ['/sif3/queues', '/sif3/queues/queue', '/sif3/subscriptions', '/sif3/subscriptions/subscription']) {
      const res = await request(example.app).post(path).set('Authorization', auth).set('Content-Type', type).send(body);
      expectSifAnswer(res);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    expect((await example.provider.store.listQueues(envId)).length).toBe(queues);
    expect(await example.provider.store.listSubscriptions(envId)).toEqual([]);
  });

  test('garbage in headers, matrix and query parameters: every answer (and every queued answer) below 500', async () => {
    const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~'.split('')), maxLength: 40 });
    const headerNames = ['requestType', 'queueId', 'requestId', 'connectionId', 'deleteMessageId', 'Accept', 'Content-Type', 'navigationPage', 'navigationPageSize', 'methodOverride', 'queryIntention'];
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...headerNames), fc.oneof(printable, fc.constantFrom('DELAYED', queueId)), { maxKeys: 5 }),
        fc.constantFrom('get', 'head', 'put', 'delete', 'post'),
        fc.constantFrom(messages, `${messages};deleteMessageId=x`, `${messages};messageId=%ZZ`, `${messages}/x`, `/sif3/queues/${queueId}`, '/sif3/queues/x/messages', '/sif3/subscriptions/x', `${rc}/xStudents`, `${rc}/xStudents/x`, `${rc}/alerts`),
        async (headers, method, path) => {
          let req = request(example.app)[method](path).set('Authorization', auth);
          for (const [name, value] of Object.entries(headers)) req = req.set(name, value.trim() === '' ? 'x' : value);
          expectSifAnswer(await req, method);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('delayed requests with garbage beside them: each accepted one is answered in the queue, none with a 500', async () => {
    const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~'.split('')), maxLength: 40 });
    const headerNames = ['Accept', 'Content-Type', 'navigationPage', 'navigationPageSize', 'navigationId', 'methodOverride', 'queryIntention', 'mustUseAdvisory', 'zoneId'];
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...headerNames), printable, { maxKeys: 3 }),
        fc.constantFrom('get', 'put', 'delete', 'post'),
        fc.constantFrom('/xStudents', '/xStudents/x', '/xStudents/xStudent', '/xSchools/x/xStudents', '/alerts', '/alerts/alert', '/xStudents?where=%5Bx%5D'),
        fc.oneof(fc.constant(''), fc.constant('{"xStudent":{"localId":"1"}}'), printable),
        async (headers, method, path, body) => {
          let req = request(example.app)[method](`${rc}${path}`).set('Authorization', auth).set('requestType', 'DELAYED').set('queueId', queueId).set('requestId', 'fuzz');
          for (const [name, value] of Object.entries(headers)) req = req.set(name, value.trim() === '' ? 'x' : value);
          const res = await (body ? req.send(body) : req);
          expectSifAnswer(res, method);
          if (res.status === 202) accepted++;
        },
      ),
      { numRuns: 150 },
    );
    expect(accepted).toBeGreaterThan(50);
    await example.provider.idle();
    expect(await example.provider.store.pendingDelayedRequests()).toEqual([]);
    let answers = 0;
    for (let res = await request(example.app).get(messages).set('Authorization', auth); res.status === 200; answers++) {
      expect(res.text).not.toMatch(/<code>5\d\d<\/code>|"code":"5\d\d"/);
      res = await request(example.app).get(`${messages};deleteMessageId=${res.headers.messageid}`).set('Authorization', auth);
    }
    expect(answers).toBeGreaterThanOrEqual(accepted);
  });
});
