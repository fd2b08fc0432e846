import request from 'supertest';
import { startExample } from '../helpers/example';
import { parseXml, toXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';

// The done-when of the requests connector, tried against the running example SIS as a new consumer
// would: every call is plain HTTP with credentials computed from interop.md §1.

const NS = 'http://www.sifassociation.org/datamodel/na/3.6';
let example: ReturnType<typeof startExample>;
let demo: string;
let demoToken: string;

beforeAll(async () => {
  example = startExample();
  const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
  demoToken = env.body.environment.sessionToken;
  demo = basicAuth(demoToken, 'DemoSecret');
});
afterAll(async () => {
  await example.close();
});

const rc = '/sif3/requests';
const newStudent = (n: number, tag: string) => ({ name: { type: 'LegalName', familyName: `Tester${tag}`, givenName: `Given${n}` }, localId: `${tag}-${n}` });

test('paging through every student with page size 100 returns each exactly once, with count and last page', async () => {
  const seen = new Set<string>();
  for (let page = 1; page <= 20; page++) {
    const res = await request(example.app).get(`${rc}/xStudents?navigationPage=${page}&navigationPageSize=100`).set('Authorization', demo).set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ navigationcount: '2000', navigationlastpage: '20', navigationpagesize: '100' });
    for (const s of res.body.xStudents.xStudent) seen.add(s['@refId']);
  }
  expect(seen.size).toBe(2000);
  const past = await request(example.app).get(`${rc}/xStudents?navigationPage=21&navigationPageSize=100`).set('Authorization', demo);
  expect(past.status).toBe(204);
});

describe.each(['xml', 'json'] as const)('DemoApp creates, reads, updates and deletes xStudents in %s', (format) => {
  const type = format === 'json' ? 'application/json' : 'application/xml';
  const single = (value: object) => (format === 'json' ? JSON.stringify({ xStudent: value }) : toXml('xStudent', value as never, NS));
  const many = (values: object[]) => (format === 'json' ? JSON.stringify({ xStudents: { xStudent: values } }) : toXml('xStudents', { xStudent: values } as never, NS));
  const body = (res: request.Response) => (format === 'json' ? (Object.values(res.body)[0] as Record<string, any>) : (parseXml(res.text).value as Record<string, any>));

  test('one at a time', async () => {
    // DemoApp registered with Basic: its session keeps that method (issue #10 item 5).
    const created = await request(example.app).post(`${rc}/xStudents/xStudent`).set('Authorization', demo).set('Accept', type).type(type).send(single(newStudent(1, `one-${format}`)));
    expect(created.status).toBe(201);
    expect(created.headers).toMatchObject({ messagetype: 'RESPONSE', responseaction: 'CREATE' });
    const refId = body(created)['@refId'];
    expect(refId).toMatch(/^[0-9a-f-]{36}$/);

    const read = await request(example.app).get(`${rc}/xStudents/${refId}`).set('Authorization', demo).set('Accept', type);
    expect(read.status).toBe(200);
    expect(body(read).name.familyName).toBe(`Testerone-${format}`);

    const updated = await request(example.app).put(`${rc}/xStudents/${refId}`).set('Authorization', demo).type(type).send(single({ name: { type: 'LegalName', familyName: 'Renamed', givenName: 'Given1' } }));
    expect(updated.status).toBe(204);
    expect(JSON.parse(example.sis.prepare('SELECT doc FROM students WHERE ref_id = ?').pluck().get(refId) as string).name.familyName).toBe('Renamed');

    expect((await request(example.app).delete(`${rc}/xStudents/${refId}`).set('Authorization', demo)).status).toBe(204);
    expect((await request(example.app).get(`${rc}/xStudents/${refId}`).set('Authorization', demo)).status).toBe(404);
  });

  // Issue #13: the SIS refused `<name><familyName>` alone with 400 "name/givenName is required".
  test('a partial update carries only the elements being changed, mandatory ones included (Base Architecture §5.13)', async () => {
    const created = await request(example.app).post(`${rc}/xStudents/xStudent`).set('Authorization', demo).set('Accept', type).type(type).send(single(newStudent(7, `partial-${format}`)));
    const refId = body(created)['@refId'];
    const updated = await request(example.app).put(`${rc}/xStudents/${refId}`).set('Authorization', demo).type(type).send(single({ name: { familyName: 'Only' } }));
    expect(updated.status).toBe(204);
    const stored = JSON.parse(example.sis.prepare('SELECT doc FROM students WHERE ref_id = ?').pluck().get(refId) as string);
    expect(stored.name).toEqual({ type: 'LegalName', familyName: 'Only', givenName: 'Given7' });
    expect(stored.localId).toBe(`partial-${format}-7`);
    expect(example.sis.prepare('SELECT family_name || \' \' || given_name FROM students WHERE ref_id = ?').pluck().get(refId)).toBe('Only Given7');
    // In a batch too; emptying a mandatory element is still refused.
    const batch = await request(example.app).put(`${rc}/xStudents`).set('Authorization', demo).set('Accept', type).type(type)
      .send(many([{ '@refId': refId, name: { givenName: 'Second' } }, { '@refId': refId, name: { familyName: ' ' } }]));
    expect((body(batch).updates.update as Record<string, string>[]).map((u) => u['@statusCode'])).toEqual(['200', '400']);
    expect(JSON.parse(example.sis.prepare('SELECT doc FROM students WHERE ref_id = ?').pluck().get(refId) as string).name).toEqual({ type: 'LegalName', familyName: 'Only', givenName: 'Second' });
  });

  test('in batches of 50', async () => {
    const tag = `batch-${format}`;
    const created = await request(example.app).post(`${rc}/xStudents`).set('Authorization', demo).set('Accept', type).type(type)
      .send(many(Array.from({ length: 50 }, (_, i) => newStudent(i, tag))));
    expect(created.status).toBe(200);
    const creates = body(created).creates.create as Record<string, string>[];
    expect(creates).toHaveLength(50);
    expect(creates.every((c) => c['@statusCode'] === '201')).toBe(true);
    const ids = creates.map((c) => String(c['@id']));
    expect(example.sis.prepare('SELECT count(*) FROM students WHERE family_name = ?').pluck().get(`Tester${tag}`)).toBe(50);

    const updated = await request(example.app).put(`${rc}/xStudents`).set('Authorization', demo).set('Accept', type).type(type)
      .send(many(ids.map((id) => ({ '@refId': id, localId: `${id.slice(0, 8)}-u` }))));
    expect(updated.status).toBe(200);
    expect((body(updated).updates.update as Record<string, string>[]).every((u) => u['@statusCode'] === '200')).toBe(true);

    const deleteRequest = { deletes: { delete: ids.map((id) => ({ '@id': id })) } };
    const deleted = await request(example.app).put(`${rc}/xStudents`).set('Authorization', demo).set('methodOverride', 'DELETE').set('Accept', type).type(type)
      .send(format === 'json' ? JSON.stringify({ deleteRequest }) : toXml('deleteRequest', deleteRequest as never, 'http://www.sifassociation.org/infrastructure/3.2.1'));
    expect(deleted.status).toBe(200);
    expect((body(deleted).deletes.delete as Record<string, string>[]).every((d) => d['@statusCode'] === '200')).toBe(true);
    expect(example.sis.prepare('SELECT count(*) FROM students WHERE family_name = ?').pluck().get(`Tester${tag}`)).toBe(0);
  });
});

test('ReadOnlyApp may query but gets 403 on create; nothing is stored', async () => {
  const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('ReadOnlyApp', 'ReadOnlySecret')).set('Accept', 'application/json');
  const ro = basicAuth(env.body.environment.sessionToken, 'ReadOnlySecret');
  expect((await request(example.app).get(`${rc}/xSchools`).set('Authorization', ro)).status).toBe(200);
  const before = example.sis.prepare('SELECT count(*) FROM students').pluck().get();
  const res = await request(example.app).post(`${rc}/xStudents/xStudent`).set('Authorization', ro).type('json').send({ xStudent: newStudent(1, 'ro') });
  expect(res.status).toBe(403);
  expect(parseXml(res.text).value.message).toMatch(/CREATE right on xStudents is REJECTED/);
  expect(example.sis.prepare('SELECT count(*) FROM students').pluck().get()).toBe(before);
});

test('rosters list their current members; schools in use cannot be deleted; bad references are 400', async () => {
  const rosters = await request(example.app).get(`${rc}/xRosters?navigationPageSize=1`).set('Authorization', demo).set('Accept', 'application/json');
  const roster = rosters.body.xRosters.xRoster[0];
  expect(roster.students.studentReference).toHaveLength(25);
  const member = roster.students.studentReference[0].refId;
  expect((await request(example.app).delete(`${rc}/xStudents/${member}`).set('Authorization', demo)).status).toBe(204);
  const after = await request(example.app).get(`${rc}/xRosters/${roster['@refId']}`).set('Authorization', demo).set('Accept', 'application/json');
  expect(after.body.xRoster.students.studentReference).toHaveLength(24);

  const school = await request(example.app).delete(`${rc}/xSchools/${roster.schoolRefId}`).set('Authorization', demo);
  expect(school.status).toBe(409);

  const orphan = await request(example.app).post(`${rc}/xRosters/xRoster`).set('Authorization', demo).type('json')
    .send({ xRoster: { courseTitle: 'Nowhere', schoolRefId: '00000000-0000-4000-8000-000000000000' } });
  expect(orphan.status).toBe(400);
  const unnamed = await request(example.app).post(`${rc}/xStudents/xStudent`).set('Authorization', demo).type('json').send({ xStudent: { localId: 'x' } });
  expect(unnamed.status).toBe(400);
  expect(parseXml(unnamed.text).value.message).toMatch(/familyName is required/);
});
