import request from 'supertest';
import type { GoessnerObject, GoessnerValue } from '../../lib/payload/goessner';
import { parseJson } from '../../lib/payload/json';
import { fromPesc } from '../../lib/payload/profiles/pesc';
import { infrastructureShape } from '../../lib/payload/profiles/shape';
import { parseXml, toXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';
import { schemaSkipReason, xsdErrors } from '../helpers/xsd';

// Every payload of the functional services connector, the registries, named queries and provision
// requests in PESC JSON (Version Indication & Negotiation §3.2.1), over real HTTP against the example
// SIS: each answer asked for with `Accept-Profile: …+pesc` carries that `Content-Profile`, writes its
// attributes as plain keys, its repeats as arrays, its integers and booleans as JSON types, and reads
// back (with the infrastructure's PESC shape) to the very object the XML answer carries, which
// validates against the 3.3 XSD. Bodies sent in PESC are read as their XML would be.

const INF = 'urn:sif:inf/global/3.3+pesc';
const DATA = 'urn:sif:data/na/3.6+pesc';
const INFRA_33 = 'http://www.sifassociation.org/infrastructure/3.3';
const schemaSkip = schemaSkipReason();

let example: ReturnType<typeof startExample>;
let auth: string;

beforeAll(async () => {
  example = startExample({ seed: { students: 30 } });
  const res = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
  expect(res.status).toBe(201);
  auth = basicAuth(res.body.environment.sessionToken, 'DemoSecret');
});
afterAll(() => example.close());

type Method = 'get' | 'post' | 'put' | 'delete';

/** A request asking for PESC (infrastructure and data), its body (if any) sent as PESC. */
function pesc(method: Method, path: string, body?: unknown, accept = INF) {
  const req = request(example.app)[method](path).set('Authorization', auth).set('Accept', 'application/json').set('Accept-Profile', accept);
  return body === undefined ? req : req.set('Content-Type', 'application/json').set('Content-Profile', INF).send(JSON.stringify(body));
}

/** The same request in XML of the 3.3 infrastructure. */
function xml(method: Method, path: string) {
  return request(example.app)[method](path).set('Authorization', auth).set('Accept', 'application/xml').set('Accept-Profile', 'urn:sif:inf/global/3.3');
}

/** One-item arrays as the single item: XML cannot tell one repeat from a single element. */
function unwrap(value: GoessnerValue): GoessnerValue {
  if (Array.isArray(value)) return value.length === 1 ? unwrap(value[0]!) : value.map(unwrap);
  if (typeof value === 'string') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
}

/**
 * GETs `path` in XML and in PESC; checks the PESC answer's profile, that it reads back to the XML
 * answer's object, and that this object validates as 3.3 XML. Returns the PESC document's root value.
 */
async function sameAsXml(path: string, root: string): Promise<Record<string, any>> {
  const [x, p] = [await xml('get', path), await pesc('get', path)];
  expect([x.status, p.status]).toEqual([200, 200]);
  expect(p.headers['content-profile']).toBe(INF);
  const document = JSON.parse(p.text);
  expect(Object.keys(document)).toEqual([root]);
  const read = fromPesc(parseJson(p.text).value, infrastructureShape(root));
  const fromXml = parseXml(x.text);
  expect(fromXml.root).toBe(root);
  expect(unwrap(read)).toEqual(unwrap(fromXml.value));
  if (!schemaSkip) expect(xsdErrors(toXml(root, read, INFRA_33), '3.3')).toBeUndefined();
  return document[root];
}

const JOBS = '/sif3/services/RolloverStudents';

describe('functional services in PESC (Base Architecture §5.16; Version Indication & Negotiation §3.2.1)', () => {
  let id: string;

  test('POST job: the PESC body is read (initialization payload, property name attribute) and the job answered in PESC', async () => {
    const job = { job: { name: 'rolloverStudent', initialization: { phaseName: 'oldYearEnrolment', payload: { property: [{ value: '2027', name: 'schoolYear' }] } } } };
    const res = await pesc('post', `${JOBS}/RolloverStudent`, job);
    expect(res.status).toBe(201);
    expect(res.headers['content-profile']).toBe(INF);
    const created = res.body.job;
    id = created.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created['@id']).toBeUndefined();
    expect(created.initialization.payload.property).toEqual([{ value: '2027', name: 'schoolYear' }]);
    expect(Array.isArray(created.phases.phase)).toBe(true);
    const phase = created.phases.phase[0];
    expect(typeof phase.required).toBe('boolean');
    expect(Array.isArray(phase.states.state)).toBe(true);
    expect(phase.states.state[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Array.isArray(phase.rights.right)).toBe(true);
  });

  test('job, jobs, states: each reads back to the XML answer', async () => {
    const job = await sameAsXml(`${JOBS}/${id}`, 'job');
    expect(job.id).toBe(id);
    const jobs = await sameAsXml(JOBS, 'jobs');
    expect(jobs.job.map((j: { id: string }) => j.id)).toContain(id);
    const states = await sameAsXml(`${JOBS}/${id}/oldYearEnrolment/states`, 'states');
    expect(Array.isArray(states.state)).toBe(true);
  });

  test('POST state in PESC: 201 and the state in PESC, its id a plain key', async () => {
    const res = await pesc('post', `${JOBS}/${id}/oldYearEnrolment/states/state`, { state: { type: 'COMPLETED' } });
    expect(res.status).toBe(201);
    expect(res.headers['content-profile']).toBe(INF);
    expect(res.body.state).toMatchObject({ type: 'COMPLETED', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await sameAsXml(`${JOBS}/${id}/oldYearEnrolment/states`, 'states');
  });

  test('an error of the services connector is PESC too (code a JSON number)', async () => {
    const res = await pesc('get', `${JOBS}/00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(404);
    expect(res.headers['content-profile']).toBe(INF);
    expect(res.body.error.code).toBe(404);
  });
});

describe('registries and named queries in PESC (Utility Services §2, §3, §6; Base Architecture §5.6.2)', () => {
  test('zones and zone', async () => {
    const zones = await sameAsXml('/sif3/requests/zones', 'zones');
    expect(Array.isArray(zones.zone)).toBe(true);
    expect(zones.zone.map((z: { id: string }) => z.id)).toEqual(expect.arrayContaining(['District', 'environment-global']));
    await sameAsXml('/sif3/requests/zones/District', 'zone');
  });

  test('providers and provider: querySupport booleans and maxPageSize as JSON types', async () => {
    const providers = await sameAsXml('/sif3/requests/providers', 'providers');
    expect(Array.isArray(providers.provider)).toBe(true);
    const students = providers.provider.find((p: { serviceName: string }) => p.serviceName === 'xStudents');
    expect(students.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof students.querySupport.paged).toBe('boolean');
    expect(Object.values(students.querySupport).every((v) => typeof v === 'boolean' || typeof v === 'number' || typeof v === 'object')).toBe(true);
    await sameAsXml(`/sif3/requests/providers/${students.id}`, 'provider');
  });

  test('xQueryTemplates: xquerys and xquery, parameters as arrays', async () => {
    const xquerys = await sameAsXml('/sif3/requests/xQueryTemplates', 'xquerys');
    const template = xquerys.xquery.find((q: { id: string }) => q.id === 'StudentsByGrade');
    expect(Array.isArray(template.parameters.parameter)).toBe(true);
    await sameAsXml('/sif3/requests/xQueryTemplates/StudentsByGrade', 'xquery');
  });

  test('a named query page: the data profile, refId a plain key, the objects an array', async () => {
    const schools = await pesc('get', '/sif3/requests/xSchools', undefined, `${DATA},${INF}`);
    const school = schools.body.xSchools.xSchool[0];
    const students = await pesc('get', '/sif3/requests/xStudents', undefined, `${DATA},${INF}`).set('navigationPageSize', '100');
    const grade = students.body.xStudents.xStudent.find((s: { schoolRefId?: string; enrollment?: { schoolRefId?: string } }) => (s.enrollment?.schoolRefId ?? s.schoolRefId) === school.refId)?.enrollment?.gradeLevel ?? '09';
    const path = `/sif3/requests/StudentsByGrade?schoolRefId=${school.refId}&gradeLevel=${grade}`;
    const res = await pesc('get', path, undefined, `${DATA},${INF}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-profile']).toBe(DATA);
    expect(Array.isArray(res.body.xStudents.xStudent)).toBe(true);
    expect(res.body.xStudents.xStudent[0].refId).toMatch(/^[0-9a-f-]{36}$/);
    const x = await request(example.app).get(path).set('Authorization', auth).set('Accept', 'application/xml');
    const refIds = (parseXml(x.text).value.xStudent as GoessnerObject[]).map((s) => s['@refId']);
    expect(res.body.xStudents.xStudent.map((s: { refId: string }) => s.refId)).toEqual(refIds);
  });
});

describe('provision requests in PESC (Infrastructure Services §6)', () => {
  test('POST a provisionRequest in PESC; it, and the list, answer in PESC and read back to the XML', async () => {
    const asked = {
      provisionRequest: {
        provisionedZones: {
          provisionedZone: [{ services: { service: [{ rights: { right: [{ value: 'REQUESTED', type: 'QUERY' }, { value: 'REQUESTED', type: 'DELETE' }] }, type: 'OBJECT', name: 'xRosters', contextId: 'DEFAULT' }] }, id: 'District' }],
        },
      },
    };
    const res = await pesc('post', '/sif3/provisionRequests/provisionRequest', asked);
    expect(res.status).toBe(201);
    expect(res.headers['content-profile']).toBe(INF);
    const answer = res.body.provisionRequest;
    expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
    const service = answer.provisionedZones.provisionedZone[0].services.service[0];
    expect(service).toMatchObject({ type: 'OBJECT', name: 'xRosters', contextId: 'DEFAULT' });
    expect(service.rights.right).toEqual(expect.arrayContaining([{ value: expect.any(String), type: 'QUERY' }, { value: expect.any(String), type: 'DELETE' }]));
    await sameAsXml('/sif3/provisionRequests', 'provisionRequests');
  });
});
