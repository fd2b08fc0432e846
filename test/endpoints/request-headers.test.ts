import request from 'supertest';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { INFRA_NS, createTestHost, register } from '../helpers/host';
import { student } from '../helpers/memory-service';

// The enumerated request fields of Base Architecture §4.3.2 are read strictly, and infrastructure
// services answer immediately (Infrastructure Services §2.2) — issue #13.

let host: TestHost;
let auth: string;
const rc = '/sif3/requests';

beforeEach(async () => {
  host = createTestHost({ queues: true });
  for (let i = 1; i <= 3; i++) host.students.set(String(student(i)['@refId']), student(i));
  auth = basicAuth((await register(host)).sessionToken, 'DemoSecret');
});
afterEach(async () => host.close());

function sifError(res: request.Response, status: number, message: RegExp): void {
  expect(res.status).toBe(status);
  const error = parseXml(res.text).value;
  expect(error.code).toBe(String(status));
  expect(String(error.message)).toMatch(message);
}

describe('requestType (Base Architecture §4.3.2)', () => {
  test.each(['SOMETIMES', 'delayed-ish', ''])('%p → 400 on every path, nothing done', async (value) => {
    sifError(await request(host.app).get(`${rc}/xStudents`).set('Authorization', auth).set('requestType', value), 400, /requestType must be IMMEDIATE or DELAYED/);
    const create = await request(host.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).set('requestType', value).type('json').send({ xStudent: student(9) });
    sifError(create, 400, /requestType/);
    expect(host.students.size).toBe(3);
    sifError(await request(host.app).post('/sif3/queues').set('Authorization', auth).set('requestType', value).type('json').send({ queue: {} }), 400, /requestType/);
  });

  test('IMMEDIATE in any case is the default; it is answered as usual', async () => {
    const res = await request(host.app).get(`${rc}/xStudents`).set('Authorization', auth).set('requestType', 'immediate');
    expect(res.status).toBe(200);
  });
});

describe('DELAYED to an infrastructure service (Infrastructure Services §2.2)', () => {
  test('queues, subscriptions and environments refuse it with 400; nothing is created', async () => {
    const delayed = (req: request.Test) => req.set('Authorization', auth).set('requestType', 'DELAYED').set('queueId', 'q').set('requestId', 'r');
    sifError(await delayed(request(host.app).post('/sif3/queues')).type('json').send({ queue: {} }), 400, /Infrastructure services answer immediately/);
    expect((await request(host.app).get('/sif3/queues').set('Authorization', auth).set('Accept', 'application/json')).status).toBe(204);
    sifError(await delayed(request(host.app).get('/sif3/subscriptions')), 400, /must be IMMEDIATE/);
    const env = await request(host.app)
      .post('/sif3/environments/environment')
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('requestType', 'DELAYED')
      .type('xml')
      .send(`<environment xmlns="${INFRA_NS}"><solutionId>other</solutionId></environment>`);
    sifError(env, 400, /must be IMMEDIATE/);
  });

  test('IMMEDIATE to an infrastructure service is fine', async () => {
    const res = await request(host.app).post('/sif3/queues').set('Authorization', auth).set('requestType', 'IMMEDIATE').type('json').send({ queue: {} });
    expect(res.status).toBe(201);
  });
});

describe('queryIntention and mustUseAdvisory (Base Architecture §4.3.2)', () => {
  test.each(['SOME', 'all pages'])('queryIntention %p → 400, paged or bulk', async (value) => {
    sifError(await request(host.app).get(`${rc}/xStudents?navigationPageSize=2`).set('Authorization', auth).set('queryIntention', value), 400, /queryIntention must be one of ALL, ONE-OFF, NO-CACHING/);
    sifError(await request(host.app).get(`${rc}/xStudents`).set('Authorization', auth).set('queryIntention', value), 400, /queryIntention/);
  });

  test.each(['ALL', 'one-off', 'NO-CACHING'])('queryIntention %p is taken', async (value) => {
    expect((await request(host.app).get(`${rc}/xStudents?navigationPageSize=2`).set('Authorization', auth).set('queryIntention', value)).status).toBe(200);
  });

  test.each(['yes', '1', 'maybe'])('mustUseAdvisory %p → 400 before any handler runs; nothing created', async (value) => {
    const res = await request(host.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).set('mustUseAdvisory', value).type('json').send({ xStudent: student(9) });
    sifError(res, 400, /mustUseAdvisory must be true or false/);
    const many = await request(host.app).post(`${rc}/xStudents?mustUseAdvisory=${value}`).set('Authorization', auth).type('json').send({ xStudents: { xStudent: [student(10)] } });
    sifError(many, 400, /mustUseAdvisory/);
    expect(host.students.size).toBe(3);
  });

  test('mustUseAdvisory FALSE and true (any case) are taken', async () => {
    expect((await request(host.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).set('mustUseAdvisory', 'FALSE').type('json').send({ xStudent: student(9) })).status).toBe(201);
    expect((await request(host.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).set('mustUseAdvisory', 'True').type('json').send({ xStudent: student(9) })).status).toBe(409);
  });
});

describe('serviceType (Base Architecture §4.3.2, §5.1)', () => {
  test('an answer carries the type of the service that answered, sent or not', async () => {
    expect((await request(host.app).get(`${rc}/xStudents`).set('Authorization', auth)).headers.servicetype).toBe('OBJECT');
    expect((await request(host.app).get(`${rc}/xStudents`).set('Authorization', auth).set('serviceType', 'object')).headers.servicetype).toBe('OBJECT');
    expect((await request(host.app).get(`${rc}/alerts`).set('Authorization', auth)).headers.servicetype).toBe('UTILITY');
  });

  test('a value outside the enumeration, or the type of another service, is a 400 and never echoed', async () => {
    const bogus = await request(host.app).get(`${rc}/xStudents`).set('Authorization', auth).set('serviceType', 'WHATEVER');
    sifError(bogus, 400, /serviceType must be one of OBJECT, SERVICEPATH, UTILITY, FUNCTIONAL, XQUERYTEMPLATE/);
    expect(bogus.headers.servicetype).toBeUndefined();
    const wrong = await request(host.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).set('serviceType', 'UTILITY').type('json').send({ xStudent: student(9) });
    sifError(wrong, 400, /xStudents is a OBJECT service, not UTILITY/);
    expect(host.students.size).toBe(3);
    sifError(await request(host.app).get(`${rc}/alerts`).set('Authorization', auth).set('serviceType', 'OBJECT'), 400, /alerts is a UTILITY service, not OBJECT/);
  });

  test('infrastructure services do not echo a serviceType', async () => {
    const res = await request(host.app).get('/sif3/queues').set('Authorization', auth).set('serviceType', 'OBJECT');
    expect(res.headers.servicetype).toBeUndefined();
  });
});
