import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { SifProvider } from 'sif3-direct';
import { createAuApp } from '../../example-app/au/app';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';

// Red team on data-model services (the AU 3.4.8 model shipped with the library, validate: true) and
// on collection payloads, over real HTTP against a real SQLite state file: a consumer that tries
// to get an invalid object past validation, and 400 messages that must not echo its text unsafely.

const AU = 'http://www.sifassociation.org/datamodel/au/3.4';
const OK = '<LocalId>1</LocalId><PersonInfo><Name Type="LGL"><FamilyName>S</FamilyName><GivenName>T</GivenName></Name></PersonInfo>';
const VALID = { LocalId: '1', PersonInfo: { Name: { '@Type': 'LGL', FamilyName: 'S', GivenName: 'T' } } };

let dir: string;
let app: express.Express;
let provider: SifProvider;
let auth: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sif3-au-hostile-'));
  ({ app, provider } = createAuApp({ database: join(dir, 'state.db'), logger: { warn: () => undefined, error: () => undefined } }));
  const env = await request(app).post('/sif3/environments/environment').set('Authorization', basicAuth('AuApp', 'AuSecret')).set('Accept', 'application/json');
  auth = basicAuth(env.body.environment.sessionToken, 'AuSecret');
});
afterAll(async () => {
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
});

const postXml = (body: string, path = 'StudentPersonals/StudentPersonal') =>
  request(app).post(`/sif3/requests/${path}`).set('Authorization', auth).set('Accept', 'application/json').type('xml').send(body);
const postJson = (body: unknown, path = 'StudentPersonals/StudentPersonal') =>
  request(app).post(`/sif3/requests/${path}`).set('Authorization', auth).set('Accept', 'application/json').type('json').send(body as object);
const count = async () => [(await request(app).get('/sif3/requests/StudentPersonals').set('Authorization', auth).set('Accept', 'application/json')).body?.StudentPersonals?.StudentPersonal ?? []].flat().length;

function expect400(res: request.Response): string {
  expect([res.status, res.headers.messagetype]).toEqual([400, 'ERROR']);
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+|node_modules/);
  return `${res.body.error.message}\n${res.body.error.description ?? ''}`;
}

describe('data models: validation cannot be bypassed', () => {
  test.each([
    ['an unknown element in a foreign namespace', `<StudentPersonal xmlns="${AU}">${OK}<e:Script xmlns:e="urn:evil">x</e:Script></StudentPersonal>`, 'StudentPersonal/Script is in the namespace "urn:evil"'],
    ['a child that redeclares the default namespace around unknown content', `<StudentPersonal xmlns="${AU}"><LocalId>1</LocalId><PersonInfo xmlns="urn:evil"><Name Type="LGL"><FamilyName>S</FamilyName><GivenName>T</GivenName></Name><Evil>1</Evil></PersonInfo></StudentPersonal>`, 'StudentPersonal/PersonInfo is in the namespace "urn:evil"'],
    ['mixed content around elements', `<StudentPersonal xmlns="${AU}">text${OK}more</StudentPersonal>`, 'StudentPersonal holds text'],
    ['an element inside a text element', `<StudentPersonal xmlns="${AU}"><LocalId><b>1</b></LocalId><PersonInfo><Name Type="LGL"><FamilyName>S</FamilyName><GivenName>T</GivenName></Name></PersonInfo></StudentPersonal>`, 'LocalId must be text'],
    ['an unknown attribute', `<StudentPersonal xmlns="${AU}" Evil="1">${OK}</StudentPersonal>`, '@Evil is not an attribute'],
    ['xsi:nil on an element the type does not have', `<StudentPersonal xmlns="${AU}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${OK}<Nickname xsi:nil="true"/></StudentPersonal>`, 'Nickname is not an element'],
  ])('XML: %s is a 400 naming the path', async (_name, body, expected) => {
    const before = await count();
    expect(expect400(await postXml(body))).toContain(expected);
    expect(await count()).toBe(before);
  });

  test('xsi:type cannot switch the type an object is validated as', async () => {
    const res = await postXml(`<StudentPersonal xmlns="${AU}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="SchoolInfoType"><SchoolName>x</SchoolName></StudentPersonal>`);
    expect(expect400(res)).toContain('StudentPersonal/SchoolName is not an element of StudentPersonalType');
  });

  test.each([
    ['constructor / prototype keys', { StudentPersonal: { ...VALID, constructor: { prototype: 'x' } } }, 'StudentPersonal/constructor is not an element'],
    ['hasOwnProperty / toString keys', { StudentPersonal: { ...VALID, hasOwnProperty: 'x', toString: 'y' } }, 'StudentPersonal/hasOwnProperty is not an element'],
    ['an object where text belongs', { StudentPersonal: { ...VALID, LocalId: { nested: '1' } } }, 'LocalId must be text'],
    ['#text on an element-only type', { StudentPersonal: { ...VALID, '#text': 'hi' } }, 'StudentPersonal holds text'],
  ])('JSON: %s is a 400 naming the path', async (_name, body, expected) => {
    expect(expect400(await postJson(body))).toContain(expected);
  });

  test('__proto__ as a key is refused by the JSON reader itself', async () => {
    const res = await request(app).post('/sif3/requests/StudentPersonals/StudentPersonal').set('Authorization', auth).set('Accept', 'application/json').type('json').send('{"StudentPersonal":{"__proto__":{"LocalId":"1"}}}');
    expect(expect400(res)).toContain('__proto__');
    expect(({} as Record<string, unknown>).LocalId).toBeUndefined();
  });
});

describe('data models: 400 messages echo attacker text safely', () => {
  test('a giant enumeration value with control characters is cut short and carries no raw control character', async () => {
    const hostile = `\u001b[31mRED\u0007${'A'.repeat(5000)}`;
    for (const accept of ['application/json', 'application/xml']) {
      const res = await request(app).post('/sif3/requests/StudentPersonals/StudentPersonal').set('Authorization', auth).set('Accept', accept).type('json')
        .send({ StudentPersonal: { ...VALID, PersonInfo: { Name: { '@Type': hostile, FamilyName: 'S', GivenName: 'T' } } } });
      expect(res.status).toBe(400);
      expect(res.text.length).toBeLessThan(2000);
      // eslint-disable-next-line no-control-regex
      expect(res.text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    }
  });

  test('thousands of offending elements give a bounded message', async () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`E${i}`, 'x']));
    const res = await postJson({ StudentPersonal: many });
    expect400(res);
    expect(res.text.length).toBeLessThan(20_000);
    const xml = await request(app).post('/sif3/requests/StudentPersonals/StudentPersonal').set('Authorization', auth).type('xml')
      .send(`<StudentPersonal xmlns="${AU}">${Array.from({ length: 5000 }, (_, i) => `<E${i}>x</E${i}>`).join('')}</StudentPersonal>`);
    expect(xml.status).toBe(400);
    expect(xml.text.length).toBeLessThan(20_000);
  });
});

describe('collections hold objects of their service only (Base Architecture §3.2)', () => {
  test('a create or update collection with objects of another type beside its own is a 400 and creates nothing', async () => {
    const before = await count();
    const mixed = await postJson({ StudentPersonals: { StudentPersonal: [VALID], SchoolInfo: [{ SchoolName: 'x' }] } }, 'StudentPersonals');
    expect(expect400(mixed)).toContain('"SchoolInfo"');
    const typo = await postJson({ StudentPersonals: { StudentPersonal: [VALID], StudentPersonnal: [VALID] } }, 'StudentPersonals');
    expect(expect400(typo)).toContain('"StudentPersonnal"');
    const text = await postXml(`<StudentPersonals xmlns="${AU}">stray text<StudentPersonal>${OK}</StudentPersonal></StudentPersonals>`, 'StudentPersonals');
    expect400(text);
    const update = await request(app).put('/sif3/requests/StudentPersonals').set('Authorization', auth).set('Accept', 'application/json').type('json')
      .send({ StudentPersonals: { StudentPersonal: [{ '@RefId': '00000000-0000-4000-8000-000000000001', LocalId: '2' }], SchoolInfo: [{ SchoolName: 'x' }] } });
    expect400(update);
    expect(await count()).toBe(before);
    // Whitespace and attributes beside the objects are not other objects.
    const fine = await postXml(`<StudentPersonals xmlns="${AU}">\n  <StudentPersonal>${OK}</StudentPersonal>\n</StudentPersonals>`, 'StudentPersonals');
    expect(fine.status).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  test('the example SIS: an xStudents create with an xSchool beside the students is refused whole', async () => {
    const example = startExample({ seed: { students: 5 }, provider: { logger: { warn: () => undefined, error: () => undefined } } });
    try {
      const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
      const demo = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
      const students = () => example.sis.prepare('SELECT COUNT(*) AS n FROM students').get() as { n: number };
      const before = students().n;
      const res = await request(example.app).post('/sif3/requests/xStudents').set('Authorization', demo).set('Accept', 'application/json').type('json')
        .send({ xStudents: { xStudent: [{ localId: 'rt-1', name: { familyName: 'A', givenName: 'B' } }], xSchool: [{ schoolName: 'Evil High' }] } });
      expect(expect400(res)).toContain('"xSchool"');
      expect(students().n).toBe(before);
    } finally {
      await example.close();
    }
  });
});
