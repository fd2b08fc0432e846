import express from 'express';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { SifLogger, SifProvider } from 'sif3-direct';
import { createSifProvider, dataModel } from 'sif3-direct';
import { createAuApp } from '../../example-app/au/app';
import type { StudentPersonal } from '../../lib/models/au-3.4.8';
import { basicAuth } from '../helpers/consumer-auth';
import { SAMPLES_DIR, auXsdErrors, datamodelSkipReason } from '../helpers/datamodel';

// The AU example (example-app/au/): StudentPersonals and SchoolInfos declared from the shipped AU
// 3.4.8 model in a few lines, exercised over HTTP against a real SQLite state file.

const skip = datamodelSkipReason(true);
const describeWithSamples = skip ? describe.skip : describe;
const AU_NS = 'http://www.sifassociation.org/datamodel/au/3.4';
const sample = (file: string) => readFileSync(join(SAMPLES_DIR, file), 'utf8');
/** A document without its declaration and the whitespace between tags. */
const canonical = (xml: string) => xml.replace(/<\?xml[^>]*\?>/, '').replace(/>\s+</g, '><').trim();

interface Session {
  app: express.Express;
  auth: string;
}

async function open(dir: string, extra: Parameters<typeof createAuApp>[0] | object = {}): Promise<Session & { provider: SifProvider }> {
  const { app, provider } = createAuApp({ database: join(dir, `state-${Math.random()}.db`), logger: { warn: () => undefined, error: () => undefined }, ...extra });
  const env = await request(app).post('/sif3/environments/environment').set('Authorization', basicAuth('AuApp', 'AuSecret')).set('Accept', 'application/json');
  if (env.status !== 201) throw new Error(env.text);
  return { app, provider, auth: basicAuth(env.body.environment.sessionToken, 'AuSecret') };
}

describeWithSamples('AU StudentPersonals and SchoolInfos from the shipped model', () => {
  let dir: string;
  let s: Session & { provider: SifProvider };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sif3-au-'));
    s = await open(dir);
  });
  afterAll(async () => {
    await s.provider.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const post = (path: string, type: 'xml' | 'json', body: string | object) =>
    request(s.app).post(`/sif3/requests/${path}`).set('Authorization', s.auth).set('Content-Type', `application/${type}`).set('Accept', `application/${type}`).send(body);
  const get = (path: string, type: 'xml' | 'json') => request(s.app).get(`/sif3/requests/${path}`).set('Authorization', s.auth).set('Accept', `application/${type}`);
  const del = (path: string) => request(s.app).delete(`/sif3/requests/${path}`).set('Authorization', s.auth);

  test.each([
    ['StudentPersonals', 'StudentPersonal', 'StudentPersonal.spec-example-2019.xml'],
    ['SchoolInfos', 'SchoolInfo', 'SchoolInfo.spec-example-2021.xml'],
  ])('%s: the official sample survives XML → JSON → XML unchanged (up to whitespace), and every answer validates against the AU XSD', async (plural, object, file) => {
    const original = sample(file);
    const refId = /RefId="([^"]+)"/.exec(original)![1]!;
    const created = await post(`${plural}/${object}`, 'xml', original);
    expect(created.status).toBe(201);
    expect(canonical(created.text)).toBe(canonical(original));
    const asJson = await get(`${plural}/${refId}`, 'json');
    expect(asJson.status).toBe(200);
    expect((await del(`${plural}/${refId}`)).status).toBe(204);
    const again = await post(`${plural}/${object}`, 'json', asJson.body);
    expect(again.status).toBe(201);
    const back = await get(`${plural}/${refId}`, 'xml');
    expect(canonical(back.text)).toBe(canonical(original));
    const page = await get(plural, 'xml');
    for (const doc of [created.text, back.text, page.text]) expect(auXsdErrors(doc)).toBeUndefined();
    expect((await del(`${plural}/${refId}`)).status).toBe(204);
  });

  test('a repeating element is an array in JSON whether one or two were sent, and a single one never is (XML and JSON alike)', async () => {
    const one = `<StudentPersonal xmlns="${AU_NS}"><LocalId>1</LocalId><PersonInfo><Name Type="LGL"><FamilyName>Smith</FamilyName><GivenName>Ann</GivenName></Name>
      <AddressList><Address Type="0123" Role="012B"><Street><Line1>1 Main St</Line1></Street><City>Perth</City><StateProvince>WA</StateProvince><Country>1101</Country><PostalCode>6000</PostalCode></Address></AddressList></PersonInfo></StudentPersonal>`;
    const created = await post('StudentPersonals/StudentPersonal', 'xml', one);
    expect(created.status).toBe(201);
    expect(auXsdErrors(created.text)).toBeUndefined();
    const refId = /RefId="([^"]+)"/.exec(created.text)![1]!;
    const json = await get(`StudentPersonals/${refId}`, 'json');
    expect(Array.isArray(json.body.StudentPersonal.PersonInfo.AddressList.Address)).toBe(true);
    expect(json.body.StudentPersonal.PersonInfo.Name.FamilyName).toBe('Smith');
    expect(Array.isArray(json.body.StudentPersonal.PersonInfo.Name)).toBe(false);
    // JSON with the single element as a one-item array, and the repeating one as an object: both normalised.
    const fromJson = await post('StudentPersonals/StudentPersonal', 'json', {
      StudentPersonal: { LocalId: ['2'], PersonInfo: { Name: [{ '@Type': 'LGL', FamilyName: 'Jones', GivenName: 'Bo' }], OtherNames: { Name: { '@Type': 'AKA', FamilyName: 'J' } } } },
    });
    expect(fromJson.status).toBe(201);
    expect(fromJson.body.StudentPersonal.LocalId).toBe('2');
    expect(Array.isArray(fromJson.body.StudentPersonal.PersonInfo.Name)).toBe(false);
    expect(fromJson.body.StudentPersonal.PersonInfo.OtherNames.Name).toEqual([{ '@Type': 'AKA', FamilyName: 'J' }]);
    // Every student so far, as one XML page, is valid AU 3.4.8.
    const page = await get('StudentPersonals', 'xml');
    expect(page.text.match(/<StudentPersonal /g)!.length).toBeGreaterThanOrEqual(2);
    expect(auXsdErrors(page.text)).toBeUndefined();
    // An element that does not repeat, sent twice, is the consumer's mistake.
    const twice = await post('StudentPersonals/StudentPersonal', 'xml', `<StudentPersonal xmlns="${AU_NS}"><LocalId>1</LocalId><LocalId>2</LocalId></StudentPersonal>`);
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('StudentPersonal/LocalId occurs 2 times; it does not repeat');
  });

  test('Base Architecture §3: a payload in another namespace, or in none, is a 400 that says which; JSON carries none', async () => {
    const na = await post('StudentPersonals/StudentPersonal', 'xml', '<StudentPersonal xmlns="http://www.sifassociation.org/datamodel/na/3.6"><LocalId>1</LocalId></StudentPersonal>');
    expect(na.status).toBe(400);
    expect(na.text).toContain('is in the namespace &quot;http://www.sifassociation.org/datamodel/na/3.6&quot;; StudentPersonals takes &quot;http://www.sifassociation.org/datamodel/au/3.4&quot;');
    const none = await post('SchoolInfos', 'xml', '<SchoolInfos><SchoolInfo><SchoolName>X</SchoolName></SchoolInfo></SchoolInfos>');
    expect(none.status).toBe(400);
    expect(none.text).toContain(`The SchoolInfos has no namespace; SchoolInfos takes xmlns=&quot;${AU_NS}&quot;`);
    const prefixed = await post('StudentPersonals/StudentPersonal', 'xml', `<au:StudentPersonal xmlns:au="${AU_NS}"><au:LocalId>p</au:LocalId><au:PersonInfo><au:Name Type="LGL"><au:FamilyName>P</au:FamilyName><au:GivenName>Q</au:GivenName></au:Name></au:PersonInfo></au:StudentPersonal>`);
    expect(prefixed.status).toBe(201);
  });

  test('validate: a 400 names every offending path (unknown element, wrong type, enumeration, missing mandatory element); partial updates need no mandatory element', async () => {
    const bad = await post('StudentPersonals/StudentPersonal', 'json', {
      StudentPersonal: { Nickname: 'x', ESLDateAssessed: '2020-13-01', OtherIdList: { OtherId: 'no type' }, PersonInfo: { Name: { '@Type': 'ZZZ', FamilyName: 'S', GivenName: 'T' }, Demographics: { Sex: '7' } } },
    });
    expect(bad.status).toBe(400);
    const message = bad.body.error.message as string;
    for (const expected of [
      'StudentPersonal/Nickname is not an element of StudentPersonalType',
      'StudentPersonal/ESLDateAssessed: "2020-13-01" is not a date (YYYY-MM-DD)',
      'StudentPersonal/PersonInfo/Name/@Type: "ZZZ" is not one of LGL',
      'StudentPersonal/PersonInfo/Demographics/Sex: "7" is not one of',
      'StudentPersonal/LocalId is missing',
      'StudentPersonal/OtherIdList/OtherId[1]/@Type is missing',
    ]) {
      expect(message).toContain(expected);
    }
    const created = await post('StudentPersonals/StudentPersonal', 'json', { StudentPersonal: { LocalId: 'v1', PersonInfo: { Name: { '@Type': 'LGL', FamilyName: 'V', GivenName: 'W' } } } });
    expect(created.status).toBe(201);
    const refId = created.body.StudentPersonal['@RefId'];
    const put = (body: object) => request(s.app).put(`/sif3/requests/StudentPersonals/${refId}`).set('Authorization', s.auth).set('Content-Type', 'application/json').send(body);
    expect((await put({ StudentPersonal: { OnTimeGraduationYear: '2031' } })).status).toBe(204);
    const badUpdate = await put({ StudentPersonal: { OnTimeGraduationYear: 'soon' } });
    expect(badUpdate.status).toBe(400);
    expect(badUpdate.text).toContain('StudentPersonal/OnTimeGraduationYear: &quot;soon&quot; is not a year');
    // A multi-object create refuses the invalid object alone, in its createResponse.
    const many = await post('StudentPersonals', 'json', {
      StudentPersonals: { StudentPersonal: [{ LocalId: 'ok', PersonInfo: { Name: { '@Type': 'LGL', FamilyName: 'A', GivenName: 'B' } } }, { LocalId: 'bad', Extra: '1' }] },
    });
    expect(many.status).toBe(200);
    const creates = many.body.createResponse.creates.create as { '@statusCode': string; error?: { message: string } }[];
    expect(creates.map((c) => c['@statusCode'])).toEqual(['201', '400']);
    expect(creates[1]!.error!.message).toContain('StudentPersonal/Extra is not an element of StudentPersonalType');
  });
});

describe('services from a model: output order, validateOutput, configuration', () => {
  const au = dataModel('au-3.4.8');
  const dirs: string[] = [];
  const providers: SifProvider[] = [];
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  async function host(student: StudentPersonal, validateOutput?: 'log' | 'refuse', logger?: SifLogger) {
    const dir = mkdtempSync(join(tmpdir(), 'sif3-au-'));
    dirs.push(dir);
    const provider = createSifProvider({
      database: join(dir, 'state.db'),
      logger: logger ?? { warn: () => undefined, error: () => undefined },
      services: {
        StudentPersonals: au.service('StudentPersonal', {
          ...(validateOutput ? { validateOutput } : {}),
          handlers: {
            // Typed: the object is a StudentPersonal, its elements known to the compiler.
            read: async (_ctx, refId) => ({ ...student, '@RefId': refId }),
            query: async () => ({ objects: [student], totalCount: 1 }),
          },
        }),
      },
      consumers: [{ applicationKey: 'App', secret: 'S', environment: { defaultZone: { id: 'Z', services: [{ name: 'StudentPersonals', rights: ['QUERY'] }] } } }],
    });
    providers.push(provider);
    const app = express().use('/sif3', provider.router);
    const env = await request(app).post('/sif3/environments/environment').set('Authorization', basicAuth('App', 'S')).set('Accept', 'application/json');
    return { app, auth: basicAuth(env.body.environment.sessionToken, 'S') };
  }

  test('output follows schema element order whatever order the handler gives (XML validates when xmllint is at hand)', async () => {
    const { app, auth } = await host({
      PersonInfo: { Name: { GivenName: 'Ann', FamilyName: 'Lee', '@Type': 'LGL' } },
      LocalId: 'L1',
      '@RefId': 'A1B2C3D4-0000-4000-8000-000000000001',
    });
    const res = await request(app).get('/sif3/requests/StudentPersonals/A1B2C3D4-0000-4000-8000-000000000001').set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<LocalId>L1</LocalId><PersonInfo><Name Type="LGL"><FamilyName>Lee</FamilyName><GivenName>Ann</GivenName></Name></PersonInfo>');
    const json = await request(app).get('/sif3/requests/StudentPersonals').set('Authorization', auth).set('Accept', 'application/json');
    expect(Object.keys(json.body.StudentPersonals.StudentPersonal[0])).toEqual(['@RefId', 'LocalId', 'PersonInfo']);
    if (!skip) expect(auXsdErrors(res.text)).toBeUndefined();
  });

  test("validateOutput: 'log' warns and sends; 'refuse' answers 500 instead of an invalid object", async () => {
    const invalid = { LocalId: 'L1', PersonInfo: { Name: { '@Type': 'NOPE' } } } as unknown as StudentPersonal;
    const warnings: unknown[] = [];
    const logged = await host(invalid, 'log', { warn: (m, d) => warnings.push([m, d]), error: () => undefined });
    expect((await request(logged.app).get('/sif3/requests/StudentPersonals/x1').set('Authorization', logged.auth)).status).toBe(200);
    expect(JSON.stringify(warnings)).toContain('StudentPersonal/PersonInfo/Name/@Type: \\"NOPE\\" is not one of LGL');
    const refused = await host(invalid, 'refuse');
    const res = await request(refused.app).get('/sif3/requests/StudentPersonals').set('Authorization', refused.auth);
    expect(res.status).toBe(500);
    expect(res.text).toContain('The StudentPersonals handlers returned an invalid StudentPersonal');
  });

  test('configuration: validate needs a model; a model contradicting objectName or namespace is refused by name', () => {
    const base = { database: ':memory:', consumers: [] };
    expect(() => createSifProvider({ ...base, services: { X: { objectName: 'x', namespace: 'urn:x', validate: true, handlers: { read: async () => null } } } })).toThrow(/services\.X\.validate/);
    expect(() => createSifProvider({ ...base, services: { X: { ...au.service('SchoolInfo'), objectName: 'School' } } })).toThrow(/services\.X\.objectName.*SchoolInfo/);
    expect(() => createSifProvider({ ...base, services: { X: { ...au.service('SchoolInfo'), namespace: 'urn:x' } } })).toThrow(/services\.X\.namespace/);
    expect(() => au.object('Nope' as 'SchoolInfo')).toThrow(/has no object Nope/);
  });
});
