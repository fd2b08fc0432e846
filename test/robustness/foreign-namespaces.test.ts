import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { SifProvider } from 'sif3-direct';
import { createAuApp } from '../../example-app/au/app';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';

// An object service takes XML in its own namespace only (Base Architecture 3.2.1 §3.1, data model
// namespaces): a child element or attribute in another namespace is refused with a 400 that names its
// path and namespace, over real HTTP against a real SQLite file, for model and hand-written services.

const AU = 'http://www.sifassociation.org/datamodel/au/3.4';
const NA = 'http://www.sifassociation.org/datamodel/na/3.6';
const NAME = '<Name Type="LGL"><FamilyName>S</FamilyName><GivenName>T</GivenName></Name>';
const student = (inner: string, root = `StudentPersonal xmlns="${AU}"`) => `<${root}>${inner}</${root.split(' ')[0]}>`;

let dir: string;
let app: express.Express;
let provider: SifProvider;
let auth: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sif3-au-ns-'));
  ({ app, provider } = createAuApp({ database: join(dir, 'state.db'), logger: { warn: () => undefined, error: () => undefined } }));
  const env = await request(app).post('/sif3/environments/environment').set('Authorization', basicAuth('AuApp', 'AuSecret')).set('Accept', 'application/json');
  auth = basicAuth(env.body.environment.sessionToken, 'AuSecret');
});
afterAll(async () => {
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (method: 'post' | 'put', path: string, body: string, headers: Record<string, string> = {}) =>
  request(app)[method](`/sif3/requests/${path}`).set('Authorization', auth).set('Accept', 'application/json').set(headers).type('xml').send(body);
const count = async () => [(await request(app).get('/sif3/requests/StudentPersonals').set('Authorization', auth).set('Accept', 'application/json')).body?.StudentPersonals?.StudentPersonal ?? []].flat().length;

function expect400(res: request.Response, path: string, namespace: string): void {
  expect([res.status, res.headers.messagetype]).toEqual([400, 'ERROR']);
  const text = `${res.body.error.message}\n${res.body.error.description ?? ''}`;
  expect(text).toContain(path);
  expect(text).toContain(namespace);
}

describe('Base Architecture 3.2.1 §3.1 data model namespace: foreign child namespaces are refused (AU model service)', () => {
  test.each([
    ['a prefixed child element', student(`<e:LocalId xmlns:e="urn:evil">1</e:LocalId><PersonInfo>${NAME}</PersonInfo>`), 'StudentPersonal/LocalId', 'urn:evil'],
    ['a child that redeclares the default namespace', student(`<LocalId>1</LocalId><PersonInfo xmlns="urn:other">${NAME}</PersonInfo>`), 'StudentPersonal/PersonInfo', 'urn:other'],
    ['a grandchild under a prefix declared on the root', `<StudentPersonal xmlns="${AU}" xmlns:o="urn:other"><LocalId>1</LocalId><PersonInfo><o:Name Type="LGL"><FamilyName>S</FamilyName><GivenName>T</GivenName></o:Name></PersonInfo></StudentPersonal>`, 'StudentPersonal/PersonInfo/Name', 'urn:other'],
    ['a prefixed attribute', student(`<LocalId>1</LocalId><PersonInfo><Name Type="LGL" xmlns:e="urn:evil" e:Evil="x"><FamilyName>S</FamilyName><GivenName>T</GivenName></Name></PersonInfo>`), 'StudentPersonal/PersonInfo/Name/@e:Evil', 'urn:evil'],
    ['an unprefixed child of a prefixed root (no namespace)', `<a:StudentPersonal xmlns:a="${AU}"><LocalId>1</LocalId></a:StudentPersonal>`, 'StudentPersonal/LocalId', 'no namespace'],
  ])('create: %s is a 400 naming its path and namespace, nothing stored', async (_name, body, path, ns) => {
    const before = await count();
    expect400(await send('post', 'StudentPersonals/StudentPersonal', body), path, ns);
    expect(await count()).toBe(before);
  });

  test('multi-object create and update: a foreign element in the second object is a 400 before anything is stored', async () => {
    const before = await count();
    const ok = student(`<LocalId>1</LocalId><PersonInfo>${NAME}</PersonInfo>`, 'StudentPersonal');
    const bad = `<StudentPersonal><LocalId>2</LocalId><PersonInfo xmlns="urn:other">${NAME}</PersonInfo></StudentPersonal>`;
    expect400(await send('post', 'StudentPersonals', `<StudentPersonals xmlns="${AU}">${ok}${bad}</StudentPersonals>`), 'StudentPersonals/StudentPersonal/PersonInfo', 'urn:other');
    expect400(await send('put', 'StudentPersonals', `<StudentPersonals xmlns="${AU}">${bad}</StudentPersonals>`), 'StudentPersonals/StudentPersonal/PersonInfo', 'urn:other');
    expect(await count()).toBe(before);
  });

  test('single update: a foreign element is a 400 and the object is unchanged', async () => {
    const created = await send('post', 'StudentPersonals/StudentPersonal', student(`<LocalId>u1</LocalId><PersonInfo>${NAME}</PersonInfo>`));
    expect(created.status).toBe(201);
    const id = created.body.StudentPersonal['@RefId'];
    expect400(await send('put', `StudentPersonals/${id}`, student(`<e:LocalId xmlns:e="urn:evil">u2</e:LocalId>`)), 'StudentPersonal/LocalId', 'urn:evil');
    const read = await request(app).get(`/sif3/requests/StudentPersonals/${id}`).set('Authorization', auth).set('Accept', 'application/json');
    expect(read.body.StudentPersonal.LocalId).toBe('u1');
  });

  test('the object namespace spelled with a prefix, or declared again on a child, is accepted and answered in it', async () => {
    const prefixed = await send('post', 'StudentPersonals/StudentPersonal', `<a:StudentPersonal xmlns:a="${AU}"><a:LocalId>p1</a:LocalId><a:PersonInfo><a:Name Type="LGL"><a:FamilyName>S</a:FamilyName><a:GivenName>T</a:GivenName></a:Name></a:PersonInfo></a:StudentPersonal>`);
    expect(prefixed.status).toBe(201);
    expect(prefixed.body.StudentPersonal.LocalId).toBe('p1');
    const redeclared = await send('post', 'StudentPersonals/StudentPersonal', student(`<LocalId>p2</LocalId><PersonInfo xmlns="${AU}">${NAME}</PersonInfo>`));
    expect(redeclared.status).toBe(201);
  });

  test('xsi:nil and xsi:type stay as they were: not a foreign namespace', async () => {
    const res = await send('post', 'StudentPersonals/StudentPersonal', `<StudentPersonal xmlns="${AU}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><LocalId>x1</LocalId><PersonInfo>${NAME}</PersonInfo><Nickname xsi:nil="true"/></StudentPersonal>`);
    expect(res.status).toBe(400);
    expect(res.body.error.message + (res.body.error.description ?? '')).toContain('Nickname is not an element');
  });
});

describe('Base Architecture 3.2.1 §3.1: hand-written services (the NA example SIS) refuse foreign namespaces too', () => {
  let example: ReturnType<typeof startExample>;
  let demo: string;
  beforeAll(async () => {
    example = startExample();
    const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
    demo = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
  });
  afterAll(async () => {
    await example.close();
  });

  test('create and query by example: 400 naming path and namespace; JSON is unchanged', async () => {
    const bad = `<xStudent xmlns="${NA}"><name xmlns="urn:other"><familyName>X</familyName><givenName>Y</givenName><type>LegalName</type></name><localId>ns-1</localId></xStudent>`;
    const post = (body: string, type: string, extra: Record<string, string> = {}) =>
      request(example.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', demo).set('Accept', 'application/json').set(extra).type(type).send(body);
    expect400(await post(bad, 'xml'), 'xStudent/name', 'urn:other');
    const qbe = await request(example.app).post('/sif3/requests/xStudents').set('Authorization', demo).set('Accept', 'application/json').set('methodOverride', 'GET').type('xml').send(`<xStudent xmlns="${NA}"><e:localId xmlns:e="urn:evil">%0%</e:localId></xStudent>`);
    expect400(qbe, 'xStudent/localId', 'urn:evil');
    const json = await post(JSON.stringify({ xStudent: { name: { type: 'LegalName', familyName: 'X', givenName: 'Y' }, localId: 'ns-json' } }), 'json');
    expect(json.status).toBe(201);
  });
});

describe('parseXml reports the first element or attribute outside the root namespace', () => {
  test.each([
    [`<a xmlns="urn:a"><b><c/></b></a>`, undefined],
    [`<a xmlns="urn:a" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><b xsi:nil="true"/></a>`, undefined],
    [`<p:a xmlns:p="urn:a"><p:b p:x="1" y="2"/></p:a>`, undefined],
    [`<a xmlns="urn:a"><b xmlns="urn:a"/><c xmlns:q="urn:q"><d/></c></a>`, undefined],
    [`<a xmlns="urn:a"><b><c xmlns="urn:c"/></b></a>`, { path: 'a/b/c', namespace: 'urn:c' }],
    [`<a xmlns="urn:a"><q:b xmlns:q="urn:q"/></a>`, { path: 'a/b', namespace: 'urn:q' }],
    [`<a xmlns="urn:a"><q:b/></a>`, { path: 'a/b', namespace: undefined }],
    [`<a xmlns="urn:a"><b xmlns=""/></a>`, { path: 'a/b', namespace: undefined }],
    [`<a xmlns="urn:a"><b xml:lang="en"/></a>`, { path: 'a/b/@xml:lang', namespace: 'http://www.w3.org/XML/1998/namespace' }],
  ])('%s', (xml, foreign) => {
    expect(parseXml(xml).foreign).toEqual(foreign);
  });
});
