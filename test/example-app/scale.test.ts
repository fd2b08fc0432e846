import request from 'supertest';
import type { GoessnerObject } from 'sif3-direct';
import { compareByOrder, matchesWhere, parseOrder, parseWhere } from 'sif3-direct';
import { join } from 'node:path';
import { startExample } from '../helpers/example';
import { basicAuth } from '../helpers/consumer-auth';
import { countRows, openSisDatabase } from '../../example-app/sis/database';

// What keeps the example SIS fast at 500,000 students, checked for what it must not change: counts
// kept by triggers, walks that seek instead of skipping rows, and batch writes in one transaction
// in which each object still fails on its own. All over HTTP, as a consumer sees it.

let example: ReturnType<typeof startExample>;
let demo: string;
const rc = '/sif3/requests';
const SCHOOLLESS = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  example = startExample();
  const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
  demo = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
});
afterAll(async () => {
  await example.close();
});

const get = (path: string) => request(example.app).get(`${rc}${path}`).set('Authorization', demo).set('Accept', 'application/json');
const postMany = (plural: string, single: string, objects: object[]) =>
  request(example.app).post(`${rc}/${plural}`).set('Authorization', demo).set('Accept', 'application/json').type('json').send({ [plural]: { [single]: objects } });
const statuses = (items: Record<string, string>[]) => items.map((i) => i['@statusCode']);
const allStudents = () => (example.sis.prepare('SELECT doc FROM students ORDER BY seq').pluck().all() as string[]).map((d) => JSON.parse(d) as GoessnerObject);

test('a walk with where and order, page after page, returns exactly the evaluator’s answer, with the same count on every page', async () => {
  const whereText = '[name/familyName="Smith" or name/givenName="Amy" or name/givenName="Eve"]';
  const orderText = '[name/givenName=descending;localId=ascending]';
  const expected = allStudents()
    .filter((s) => matchesWhere(s, parseWhere(whereText)))
    .sort((a, b) => compareByOrder(a, b, parseOrder(orderText)))
    .map((s) => s['@refId']);
  expect(expected.length).toBeGreaterThan(30);
  const seen: unknown[] = [];
  for (let page = 1; ; page++) {
    const res = await get(`/xStudents?where=${encodeURIComponent(whereText)}&order=${encodeURIComponent(orderText)}&navigationPage=${page}&navigationPageSize=7`);
    if (res.status === 204) break;
    expect(res.status).toBe(200);
    expect(res.headers.navigationcount).toBe(String(expected.length));
    seen.push(...res.body.xStudents.xStudent.map((s: GoessnerObject) => s['@refId']));
  }
  expect(seen).toEqual(expected);
});

test('navigationCount and HEAD follow creates and deletes, single and batched (counts kept by triggers)', async () => {
  const count = async () => {
    const res = await request(example.app).head(`${rc}/xStudents`).set('Authorization', demo);
    expect(res.status).toBe(200);
    return Number(res.headers.navigationcount);
  };
  const before = await count();
  expect(before).toBe(example.sis.prepare('SELECT count(*) FROM students').pluck().get());
  const created = await postMany('xStudents', 'xStudent', [1, 2, 3].map((i) => ({ name: { familyName: 'Counted', givenName: `C${i}` } })));
  const ids = (created.body.createResponse.creates.create as Record<string, string>[]).map((c) => c['@id']!);
  expect(await count()).toBe(before + 3);
  const deleted = await request(example.app).put(`${rc}/xStudents`).set('Authorization', demo).set('methodOverride', 'DELETE').set('Accept', 'application/json').type('json')
    .send({ deleteRequest: { deletes: { delete: ids.slice(0, 2).map((id) => ({ '@id': id })) } } });
  expect(statuses(deleted.body.deleteResponse.deletes.delete)).toEqual(['200', '200']);
  expect((await request(example.app).delete(`${rc}/xStudents/${ids[2]}`).set('Authorization', demo)).status).toBe(204);
  expect(await count()).toBe(before);
  expect((await get('/xStudents?navigationPageSize=5')).headers.navigationcount).toBe(String(before));
  expect((await request(example.app).get('/')).body.data).toEqual({ schools: 3, students: before, rosters: 60 });
});

test('a batch create stores the good objects and refuses the bad ones alone, leaving nothing of them behind', async () => {
  const studentsBefore = countRows(example.sis).students;
  const students = await postMany('xStudents', 'xStudent', [
    { name: { familyName: 'Batch', givenName: 'Good1' } },
    { name: { familyName: 'Batch', givenName: 'NoSchool' }, enrollment: { schoolRefId: SCHOOLLESS } },
    { name: { familyName: 'Batch' } },
    { name: { familyName: 'Batch', givenName: 'Good2' } },
  ]);
  expect(students.status).toBe(200);
  expect(statuses(students.body.createResponse.creates.create)).toEqual(['201', '400', '400', '201']);
  expect(example.sis.prepare("SELECT given_name FROM students WHERE family_name = 'Batch' ORDER BY seq").pluck().all()).toEqual(['Good1', 'Good2']);
  expect(countRows(example.sis).students).toBe(studentsBefore + 2);

  // A roster whose member list names an unknown student fails after its own row was written: the
  // savepoint takes that row back, and the rosters around it keep theirs.
  const school = example.sis.prepare('SELECT ref_id FROM schools LIMIT 1').pluck().get() as string;
  const member = example.sis.prepare('SELECT ref_id FROM students WHERE school_ref_id = ? LIMIT 1').pluck().get(school) as string;
  const roster = (title: string, studentRef: string) => ({ courseTitle: title, schoolRefId: school, students: { studentReference: [{ refId: studentRef }] } });
  const rosters = await postMany('xRosters', 'xRoster', [roster('Batch A', member), roster('Batch B', SCHOOLLESS), roster('Batch C', member)]);
  expect(statuses(rosters.body.createResponse.creates.create)).toEqual(['201', '400', '201']);
  expect(example.sis.prepare("SELECT course_title FROM rosters WHERE course_title LIKE 'Batch %' ORDER BY rowid").pluck().all()).toEqual(['Batch A', 'Batch C']);
  const kept = example.sis.prepare("SELECT count(*) FROM roster_students WHERE roster_ref_id IN (SELECT ref_id FROM rosters WHERE course_title LIKE 'Batch %')").pluck().get();
  expect(kept).toBe(2);
  expect(countRows(example.sis).rosters).toBe(62);
});

test('a batch update and a batch delete answer each item on its own', async () => {
  const created = await postMany('xStudents', 'xStudent', [{ name: { familyName: 'Upd', givenName: 'A' } }, { name: { familyName: 'Upd', givenName: 'B' } }]);
  const [a, b] = (created.body.createResponse.creates.create as Record<string, string>[]).map((c) => c['@id']!);
  const updated = await request(example.app).put(`${rc}/xStudents`).set('Authorization', demo).set('Accept', 'application/json').type('json')
    // A partial name is merged (Base Architecture §5.13); a blank mandatory element is still a 400.
    .send({ xStudents: { xStudent: [{ '@refId': a, localId: 'UPD-A' }, { '@refId': SCHOOLLESS, localId: 'nobody' }, { '@refId': b, name: { familyName: ' ' } }] } });
  expect(statuses(updated.body.updateResponse.updates.update)).toEqual(['200', '404', '400']);
  const row = (id: string) => example.sis.prepare('SELECT local_id, given_name FROM students WHERE ref_id = ?').get(id);
  expect(row(a!)).toMatchObject({ local_id: 'UPD-A' });
  expect(row(b!)).toMatchObject({ given_name: 'B' });

  const school = example.sis.prepare('SELECT ref_id FROM schools LIMIT 1').pluck().get() as string;
  const deleted = await request(example.app).put(`${rc}/xSchools`).set('Authorization', demo).set('methodOverride', 'DELETE').set('Accept', 'application/json').type('json')
    .send({ deleteRequest: { deletes: { delete: [{ '@id': school }, { '@id': SCHOOLLESS }] } } });
  expect(statuses(deleted.body.deleteResponse.deletes.delete)).toEqual(['409', '404']);
  expect(countRows(example.sis).schools).toBe(3);
});

test('a database from before the counts and the indexed columns is brought up to date when opened', () => {
  const file = join(example.dir, 'old-sis.db');
  const old = openSisDatabase(file);
  old.exec(`INSERT INTO schools (ref_id, local_id, name, doc) VALUES ('s1', 'S1', 'Old School', '{"@refId":"s1"}')`);
  // Back to the first schema: no counts, no triggers, no generated columns.
  old.exec(`
    DROP TRIGGER schools_counted_insert; DROP TRIGGER schools_counted_delete; DROP TRIGGER students_counted_insert;
    DROP TRIGGER students_counted_delete; DROP TRIGGER rosters_counted_insert; DROP TRIGGER rosters_counted_delete;
    DROP TABLE row_counts;
    DROP INDEX students_by_seq; DROP INDEX students_by_doc_local_id; DROP INDEX students_by_doc_family_name; DROP INDEX students_by_doc_given_name;
    ALTER TABLE students DROP COLUMN doc_local_id; ALTER TABLE students DROP COLUMN doc_family_name; ALTER TABLE students DROP COLUMN doc_given_name;
    PRAGMA user_version = 0;
  `);
  const insert = old.prepare('INSERT INTO students (ref_id, local_id, school_ref_id, family_name, given_name, doc) VALUES (?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < 5; i++) insert.run(`r${i}`, `L${i}`, 's1', 'Old', `G${i}`, JSON.stringify({ '@refId': `r${i}`, localId: ` L${i}`, name: { familyName: 'Old', givenName: `G${i}` } }));
  old.close();

  const db = openSisDatabase(file);
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(countRows(db)).toEqual({ schools: 1, students: 5, rosters: 0 });
    // The generated column holds the document's own text (with its space), not the trimmed copy.
    expect(db.prepare('SELECT doc_local_id FROM students WHERE ref_id = ?').pluck().get('r3')).toBe(' L3');
    db.prepare("DELETE FROM students WHERE ref_id = 'r0'").run();
    expect(countRows(db).students).toBe(4);
  } finally {
    db.close();
  }
});
