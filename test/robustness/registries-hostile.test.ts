import request from 'supertest';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';

// Red team on the registries (zones, providers, xQueryTemplates; Utility Services) and named queries
// (Base Architecture §5.6.2), against the example SIS's StudentsByGrade over real HTTP and a real
// SQLite file: injected parameters, many and huge ones, prototype names, and rights reached for
// through matrix parameters and headers.

let example: ReturnType<typeof startExample>;
let demo: string;
let sync: string;
const J = 'application/json';
const NQ = '/sif3/requests/StudentsByGrade';

beforeAll(async () => {
  example = startExample({ seed: { students: 60 }, provider: { logger: { warn: () => undefined, error: () => undefined } } });
  const auth = async (key: string, secret: string) => {
    const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth(key, secret)).set('Accept', J);
    return basicAuth(env.body.environment.sessionToken, secret);
  };
  demo = await auth('DemoApp', 'DemoSecret');
  sync = await auth('SyncApp', 'SyncSecret');
});
afterAll(async () => example.close());

function expectSifError(res: request.Response, status: number): string {
  expect([res.status, res.headers.messagetype]).toEqual([status, 'ERROR']);
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+|node_modules/);
  expect(res.text.length).toBeLessThan(2000);
  return res.body?.error?.message ?? res.text;
}

/** A school and grade level that have students, and how many, read through the xStudents service. */
let found: { school: string; grade: string; count: number } | undefined;
async function schoolAndGrade(): Promise<{ school: string; grade: string; count: number }> {
  if (found) return found;
  const page = await request(example.app).get('/sif3/requests/xStudents?navigationPageSize=100').set('Authorization', demo).set('Accept', J);
  const keys = [page.body.xStudents.xStudent].flat().map((s: { enrollment: { schoolRefId: string; gradeLevel: string } }) => `${s.enrollment.schoolRefId} ${s.enrollment.gradeLevel}`);
  const [school, grade] = keys[0]!.split(' ') as [string, string];
  found = { school, grade, count: keys.filter((k) => k === keys[0]).length };
  return found;
}

describe('named queries: parameters', () => {
  test('SQL and XQuery in parameter values are a 400 naming the parameter; nothing runs', async () => {
    const { school } = await schoolAndGrade();
    for (const grade of ["09' OR '1'='1", '09" or "1"="1', '09") or (1=1', '"]/..//*', '09;DROP TABLE students', '%00', '09\u0000']) {
      const res = await request(example.app).get(`${NQ}?schoolRefId=${school}&gradeLevel=${encodeURIComponent(grade)}`).set('Authorization', demo).set('Accept', J);
      expect(expectSifError(res, 400)).toContain('gradeLevel');
    }
    expect((example.sis.prepare('SELECT COUNT(*) AS n FROM students').get() as { n: number }).n).toBe(60);
  });

  test('a value the grammar allows is bound, never spliced: it matches only what it says', async () => {
    const { school, grade, count } = await schoolAndGrade();
    const exact = await request(example.app).get(`${NQ}?schoolRefId=${school}&gradeLevel=${grade}&navigationPageSize=100`).set('Authorization', demo).set('Accept', J);
    expect(exact.status).toBe(200);
    expect([exact.body.xStudents.xStudent].flat()).toHaveLength(count);
    for (const value of [`${grade} OR 1`, `${grade} -- x`, `${school} OR 1 1`]) {
      const res = await request(example.app).get(`${NQ}?schoolRefId=${encodeURIComponent(value)}&gradeLevel=${encodeURIComponent(value)}`).set('Authorization', demo);
      expect(res.status).toBe(204);
    }
  });

  test('missing, repeated, undeclared, bracketed, oversized and hundreds of parameters are 400s', async () => {
    const { school, grade } = await schoolAndGrade();
    const cases: [string, string][] = [
      ['', 'schoolRefId'],
      [`?schoolRefId=${school}&schoolRefId=${school}&gradeLevel=${grade}`, 'more than once'],
      [`?schoolRefId=${school}&gradeLevel=${grade}&evil=1`, 'no parameter "evil"'],
      [`?schoolRefId[a]=1&gradeLevel=${grade}`, 'schoolRefId'],
      [`?schoolRefId=${'x'.repeat(2000)}&gradeLevel=${grade}`, 'longer than'],
      [`?${Array.from({ length: 400 }, (_, i) => `p${i}=1`).join('&')}`, 'no parameter'],
      [`?__proto__=1&gradeLevel=${grade}&schoolRefId=${school}`, 'no parameter "__proto__"'],
      [`?constructor=1&gradeLevel=${grade}&schoolRefId=${school}`, 'no parameter "constructor"'],
    ];
    for (const [query, expected] of cases) {
      const res = await request(example.app).get(`${NQ}${query}`).set('Authorization', demo).set('Accept', J);
      expect(`${expectSifError(res, 400)} ${res.body.error.description ?? ''}`).toContain(expected);
    }
  });
});

describe('named queries and registries: rights', () => {
  test('a consumer without the template, and one reaching for another zone or context by matrix parameter or header, gets 404', async () => {
    const { school, grade } = await schoolAndGrade();
    const q = `?schoolRefId=${school}&gradeLevel=${grade}`;
    expectSifError(await request(example.app).get(`${NQ}${q}`).set('Authorization', sync), 404);
    expectSifError(await request(example.app).get(`${NQ};zoneId=Elsewhere${q}`).set('Authorization', demo), 404);
    expectSifError(await request(example.app).get(`${NQ};contextId=Archive${q}`).set('Authorization', demo), 404);
    expectSifError(await request(example.app).get(`${NQ}${q}`).set('Authorization', demo).set('zoneId', 'Elsewhere'), 404);
    expectSifError(await request(example.app).get(`${NQ}${q}`).set('Authorization', demo).set('contextId', 'Archive'), 404);
    expectSifError(await request(example.app).get(`/sif3/requests/xStudents;zoneId=Elsewhere`).set('Authorization', demo), 404);
    expectSifError(await request(example.app).get(`/sif3/requests/zones;zoneId=Elsewhere`).set('Authorization', demo), 404);
  });

  test('a named query is only read: other methods are 405, DELAYED without a requestId 400, a service type that lies 400', async () => {
    const { school, grade } = await schoolAndGrade();
    const q = `?schoolRefId=${school}&gradeLevel=${grade}`;
    for (const method of ['post', 'put', 'delete'] as const) {
      expectSifError(await request(example.app)[method](`${NQ}${q}`).set('Authorization', demo).type('json').send('{}'), 405);
    }
    expectSifError(await request(example.app).get(`${NQ}${q}`).set('Authorization', demo).set('requestType', 'DELAYED'), 400);
    expectSifError(await request(example.app).get(`${NQ}${q}`).set('Authorization', demo).set('serviceType', 'OBJECT'), 400);
    expectSifError(await request(example.app).get(`${NQ}/x${q}`).set('Authorization', demo), 404);
  });

  test('registry entries with prototype names are 404s, not the prototype', async () => {
    for (const path of ['zones', 'providers', 'xQueryTemplates']) {
      for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '%2e%2e']) {
        expectSifError(await request(example.app).get(`/sif3/requests/${path}/${id}`).set('Authorization', demo).set('Accept', J), 404);
      }
    }
    for (const id of ['__proto__', 'constructor', 'toString']) {
      expectSifError(await request(example.app).get(`/sif3/requests/${id}`).set('Authorization', demo), 404);
      expectSifError(await request(example.app).get(`/sif3/services/${id}`).set('Authorization', demo), 404);
    }
  });
});
