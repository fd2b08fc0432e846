import request from 'supertest';
import { startExample } from '../helpers/example';
import { basicAuth } from '../helpers/consumer-auth';

// Query power against the example SIS, as a consumer would use it.

let example: ReturnType<typeof startExample>;
let auth: string;
const rc = '/sif3/requests';

beforeAll(async () => {
  example = startExample();
  const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
  auth = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
});
afterAll(async () => {
  await example.close();
});

const get = (path: string) => request(example.app).get(`${rc}${path}`).set('Authorization', auth).set('Accept', 'application/json');
const list = (res: request.Response) => (res.status === 204 ? [] : res.body.xStudents.xStudent) as Record<string, any>[];

test('students created with unique names are found exactly by where, in the asked order, and by QBE with %', async () => {
  const givenNames = ['Quentin', 'Albus', 'Mirabel', 'Zebedee'];
  const created = await request(example.app)
    .post(`${rc}/xStudents`)
    .set('Authorization', auth)
    .type('json')
    .send({ xStudents: { xStudent: givenNames.map((g) => ({ name: { type: 'LegalName', familyName: 'Uniquerson', givenName: g } })) } });
  expect(created.status).toBe(200);

  const where = encodeURIComponent('[name/familyName="Uniquerson"]');
  const order = encodeURIComponent('[name/givenName=descending]');
  const found = await get(`/xStudents?where=${where}&order=${order}`);
  expect(list(found).map((s) => s.name.givenName)).toEqual(['Zebedee', 'Quentin', 'Mirabel', 'Albus']);
  expect(found.headers.navigationcount).toBe('4');

  const qbe = await request(example.app)
    .post(`${rc}/xStudents`)
    .set('Authorization', auth)
    .set('methodOverride', 'GET')
    .set('Accept', 'application/json')
    .type('xml')
    .send('<xStudent xmlns="http://www.sifassociation.org/datamodel/na/3.6"><name><familyName>uniq%</familyName><givenName>%e%</givenName></name></xStudent>');
  expect(qbe.status).toBe(200);
  expect(list(qbe).map((s) => s.name.givenName).sort()).toEqual(['Mirabel', 'Quentin', 'Zebedee']);
});

test('an injection attempt in where is refused with 400 and the data is untouched', async () => {
  const before = example.sis.prepare('SELECT count(*) FROM students').pluck().get();
  for (const attack of ['[name/familyName="x"]; DROP TABLE students; --', "[name/familyName='x' OR '1'='1']", '[name/familyName=x) or (1=1]']) {
    const res = await get(`/xStudents?where=${encodeURIComponent(attack)}`);
    expect(res.status).toBe(400);
  }
  // A quoted value is only ever a value.
  const quoted = await get(`/xStudents?where=${encodeURIComponent('[name/familyName="\' OR 1=1 --"]')}`);
  expect(quoted.status).toBe(204);
  expect(example.sis.prepare('SELECT count(*) FROM students').pluck().get()).toBe(before);
});

test('a service path returns exactly one school’s students; a roster path exactly its members', async () => {
  const school = example.sis.prepare('SELECT ref_id FROM schools LIMIT 1').pluck().get() as string;
  const expected = example.sis.prepare('SELECT ref_id FROM students WHERE school_ref_id = ? ORDER BY seq').pluck().all(school) as string[];
  const seen: string[] = [];
  for (let page = 1; ; page++) {
    const res = await get(`/xSchools/${school}/xStudents?navigationPage=${page}&navigationPageSize=250`);
    if (res.status === 204) break;
    expect(res.headers.navigationcount).toBe(String(expected.length));
    seen.push(...list(res).map((s) => s['@refId']));
  }
  expect(seen).toEqual(expected);

  const roster = example.sis.prepare('SELECT ref_id FROM rosters LIMIT 1').pluck().get() as string;
  const members = (example.sis.prepare('SELECT student_ref_id FROM roster_students WHERE roster_ref_id = ?').pluck().all(roster) as string[]).sort();
  const res = await get(`/xRosters/${roster}/xStudents`);
  expect(list(res).map((s) => s['@refId']).sort()).toEqual(members);
});

test('after updates and deletes, changes since returns exactly those changes, then 204', async () => {
  const head = await request(example.app).head(`${rc}/xStudents`).set('Authorization', auth);
  const marker = head.headers.changessincemarker as string;
  const ids = example.sis.prepare('SELECT ref_id FROM students ORDER BY seq LIMIT 3').pluck().all() as string[];
  await request(example.app).put(`${rc}/xStudents/${ids[0]}`).set('Authorization', auth).type('json').send({ xStudent: { localId: 'upd-1' } });
  await request(example.app).delete(`${rc}/xStudents/${ids[1]}`).set('Authorization', auth);
  await request(example.app).put(`${rc}/xStudents/${ids[2]}`).set('Authorization', auth).type('json').send({ xStudent: { localId: 'upd-3' } });

  const res = await get(`/xStudents?changesSinceMarker=${encodeURIComponent(marker)}`);
  expect(res.status).toBe(200);
  expect(list(res).map((s) => [s['@refId'], s.localId])).toEqual([[ids[0], 'upd-1'], [ids[1], undefined], [ids[2], 'upd-3']]);
  expect(list(res)[1]).toEqual({ '@refId': ids[1] });
  const next = await get(`/xStudents?changesSinceMarker=${encodeURIComponent(res.headers.changessincemarker as string)}`);
  expect(next.status).toBe(204);
});

test('a navigationId walk over all students stays exact while others are inserted between pages', async () => {
  const first = await get('/xStudents?navigationPageSize=500').set('queryIntention', 'ALL');
  const nav = first.headers.navigationid as string;
  const total = Number(first.headers.navigationcount);
  const seen = list(first).map((s) => s['@refId']);
  for (let page = 2; page <= Number(first.headers.navigationlastpage); page++) {
    await request(example.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).type('json').send({ xStudent: { name: { familyName: 'Late', givenName: `Page${page}` } } });
    const res = await get(`/xStudents?navigationPage=${page}&navigationPageSize=500`).set('navigationId', nav);
    seen.push(...list(res).map((s) => s['@refId']));
  }
  expect(seen).toHaveLength(total);
  expect(new Set(seen).size).toBe(total);
});
