import request from 'supertest';
import { SessionCache } from '../../lib/auth/session-cache';
import type { EnvironmentRecord } from '../../lib/store/store';
import { basicAuth } from '../helpers/consumer-auth';
import { environment } from '../store/contract';
import type { TestHost } from '../helpers/host';
import { INFRA_NS, createTestHost, register } from '../helpers/host';
import { student } from '../helpers/memory-service';

// Issue #10 item 1: every consumer-created resource has a quota with a documented default; past it
// the consumer gets a SIF error that names the limit (never a 5xx), and nothing is stored.

let host: TestHost;
const limits = {
  environmentsPerApplication: 3,
  alertsPerEnvironment: 2,
  maxAlertBytes: 2048,
  snapshotsPerEnvironment: 2,
  idsPerSnapshot: 30,
  maxFieldLength: 64,
};

beforeEach(() => {
  host = createTestHost({ limits });
  for (let i = 0; i < 40; i++) host.students.set(String(student(i)['@refId']), student(i));
});
afterEach(async () => {
  await host.close();
});

function expectLimitError(res: request.Response, status: number, limit: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.messagetype).toBe('ERROR');
  expect(res.text).toContain(limit);
}

describe('environments', () => {
  test('an application key may hold limits.environmentsPerApplication environments; one more is a 409 naming the limit', async () => {
    // Kiosk may register per instanceId (kiosk-1, kiosk-2): use DemoApp with distinct instance ids.
    for (const instance of ['a', 'b', 'c']) await register(host, 'DemoApp', 'DemoSecret', instance);
    const res = await request(host.app)
      .post(`${host.mount}/environments/environment`)
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('instanceId', 'd')
      .set('Accept', 'application/json');
    expectLimitError(res, 409, 'limits.environmentsPerApplication');
    // A consumer re-registering an identity it already has still gets its environment (409 with it).
    const again = await request(host.app)
      .post(`${host.mount}/environments/environment`)
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('instanceId', 'a')
      .set('Accept', 'application/json');
    expect(again.status).toBe(409);
    expect(again.body.environment.sessionToken).toBeDefined();
  });

  test('a field longer than limits.maxFieldLength is a 400 naming it, and nothing is stored', async () => {
    const long = 'x'.repeat(limits.maxFieldLength + 1);
    for (const field of ['consumerName', 'solutionId', 'userToken']) {
      const res = await request(host.app)
        .post(`${host.mount}/environments/environment`)
        .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
        .set('Content-Type', 'application/xml')
        .set('Accept', 'application/json')
        .send(`<environment xmlns="${INFRA_NS}"><${field}>${long}</${field}></environment>`);
      expectLimitError(res, 400, 'limits.maxFieldLength');
    }
    const product = await request(host.app)
      .post(`${host.mount}/environments/environment`)
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('Content-Type', 'application/xml')
      .send(`<environment xmlns="${INFRA_NS}"><applicationInfo><applicationProduct><vendorName>${long}</vendorName><productName>p</productName></applicationProduct></applicationInfo></environment>`);
    expect(product.status).toBe(400);
    expect(product.text).toContain('applicationProduct/vendorName');
    // None of them registered: the first proper registration is a 201.
    await register(host);
  });
});

describe('alerts', () => {
  const alertXml = (description: string) =>
    `<alert xmlns="${INFRA_NS}"><reporter>QuotaTest</reporter><exchange>OTHER</exchange><level>WARNING</level><description>${description}</description></alert>`;

  test('an environment keeps limits.alertsPerEnvironment alerts; one more is a 409 naming the limit', async () => {
    const env = await register(host);
    const auth = basicAuth(env.sessionToken, 'DemoSecret');
    const post = (description: string) =>
      request(host.app).post(`${host.mount}/requests/alerts/alert`).set('Authorization', auth).set('Content-Type', 'application/xml').send(alertXml(description));
    const first = await post('one');
    expect(first.status).toBe(201);
    expect((await post('two')).status).toBe(201);
    expectLimitError(await post('three'), 409, 'limits.alertsPerEnvironment');
    expect(await host.provider.store.countAlerts(env.id)).toBe(2);
  });

  test('an alert larger than limits.maxAlertBytes is a 413 naming the limit', async () => {
    const env = await register(host);
    const res = await request(host.app)
      .post(`${host.mount}/requests/alerts/alert`)
      .set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'))
      .set('Content-Type', 'application/xml')
      .send(alertXml('d'.repeat(limits.maxAlertBytes)));
    expect(res.status).toBe(413);
    expect(res.text).toContain('limits.maxAlertBytes');
    expect(await host.provider.store.countAlerts(env.id)).toBe(0);
  });
});

describe('consistent paging snapshots', () => {
  const queryAll = (auth: string, pageSize: number) =>
    request(host.app)
      .get(`${host.mount}/requests/xStudents`)
      .set('Authorization', auth)
      .set('Accept', 'application/json')
      .set('queryIntention', 'ALL')
      .set('navigationPageSize', String(pageSize));

  test('an environment has at most limits.snapshotsPerEnvironment open walks; one more is a 409 naming the limit', async () => {
    const env = await register(host);
    const auth = basicAuth(env.sessionToken, 'DemoSecret');
    // A where clause keeps each walk within idsPerSnapshot.
    const narrow = (pageSize: number) => queryAll(auth, pageSize).query({ where: "[localId<'1020']" });
    const first = await narrow(5);
    expect(first.status).toBe(200);
    expect((await narrow(5)).status).toBe(200);
    expectLimitError(await narrow(5), 409, 'limits.snapshotsPerEnvironment');
    // The open walks go on.
    const next = await request(host.app)
      .get(`${host.mount}/requests/xStudents`)
      .set('Authorization', auth)
      .set('Accept', 'application/json')
      .set('navigationId', String(first.headers.navigationid))
      .set('navigationPage', '2')
      .set('navigationPageSize', '5');
    expect(next.status).toBe(200);
    expect(next.body.xStudents.xStudent).toHaveLength(5);
  });

  test('a walk over more than limits.idsPerSnapshot objects is a 413 naming the limit; without ALL it pages', async () => {
    const env = await register(host);
    const auth = basicAuth(env.sessionToken, 'DemoSecret');
    expectLimitError(await queryAll(auth, 10), 413, 'limits.idsPerSnapshot');
    const plain = await request(host.app).get(`${host.mount}/requests/xStudents`).set('Authorization', auth).set('navigationPageSize', '10');
    expect(plain.status).toBe(200);
  });
});

describe('session cache', () => {
  const record = (consumerName: string): EnvironmentRecord => environment({ consumerName });

  test('is bounded in estimated bytes as well as entries', () => {
    const cache = new SessionCache(1000, 64 * 1024);
    for (let i = 0; i < 200; i++) cache.set(`hash-${i}`, record('n'.repeat(2000)));
    expect(cache.size.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(cache.size.entries).toBeLessThan(200);
    // The most recent stays; a record larger than the whole budget is not cached at all.
    expect(cache.get('hash-199')).toBeDefined();
    cache.set('huge', record('h'.repeat(100 * 1024)));
    expect(cache.get('huge')).toBeUndefined();
    cache.evictEnvironment(cache.get('hash-199')!.id, true);
    expect(cache.get('hash-199')).toBeUndefined();
  });
});
