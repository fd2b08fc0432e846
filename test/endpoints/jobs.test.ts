import request from 'supertest';
import { parseXml } from '../../lib/payload/xml';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import type { JobCalls } from '../helpers/jobs';
import { JOB_CONSUMERS, createJob, gradeExports, jobRequest, jobXml, newCalls, newJobId } from '../helpers/jobs';
import type { Session } from '../helpers/queues';
import { session } from '../helpers/queues';

// Functional services over the services connector (Infrastructure Services 3.2.1 §11, Base
// Architecture §5.16, job.xsd; functional-services.md for the A4L framework's wire behaviour).

let host: TestHost;
let calls: JobCalls;
let exporter: Session;
let other: Session;
let viewer: Session;

beforeEach(async () => {
  calls = newCalls();
  host = createTestHost({ services: { GradeExports: gradeExports(calls, () => host.provider) }, consumers: JOB_CONSUMERS, queues: true });
  exporter = await session(host, 'Exporter', 'ExporterSecret');
  other = await session(host, 'Other', 'OtherSecret');
  viewer = await session(host, 'Viewer', 'ViewerSecret');
});
afterEach(() => host.close());

const ID = '8dc59f05-4ed6-48e1-9985-f0ef27fed09d';

describe('environment (Infrastructure Services §4, §11)', () => {
  test('lists the servicesConnector and the FUNCTIONAL service with its rights', () => {
    const services = (exporter.body.infrastructureServices as { infrastructureService: { '@name': string; '#text': string }[] }).infrastructureService;
    const connector = services.find((s) => s['@name'] === 'servicesConnector');
    expect(connector?.['#text']).toMatch(/\/sif3\/services$/);
    const zone = (exporter.body.provisionedZones as { provisionedZone: { services: { service: Record<string, unknown>[] } }[] }).provisionedZone[0]!;
    expect(zone.services.service[0]).toMatchObject({ '@type': 'FUNCTIONAL', '@name': 'GradeExports' });
  });
});

describe('the services root', () => {
  test('a provider without FUNCTIONAL services leaves /services to the host app; with one, unknown paths there are SIF 404s', async () => {
    const plain = createTestHost({}, { mount: '/' });
    try {
      plain.app.get('/services/status', (_req, res) => void res.json({ ours: true }));
      const res = await request(plain.app).get('/services/status');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ours: true });
    } finally {
      await plain.close();
    }
    const unknown = await request(host.app).get('/sif3/services/Nope').set('Authorization', exporter.auth);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.messagetype).toBe('ERROR');
  });
});

describe('create a job (§11, functional-services.md §3.1)', () => {
  test('XML with mustUseAdvisory: 201, the id asked for, the definition\'s phases and rights, the initialization kept, in job.xsd order', async () => {
    const res = await createJob(host, exporter, jobXml(ID), { mustUseAdvisory: 'true' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toMatch(new RegExp(`/sif3/services/GradeExports/${ID}$`));
    expect(res.headers.messagetype).toBe('RESPONSE');
    expect(res.headers.responseaction).toBe('CREATE');
    expect(res.headers.relativeservicepath).toBe('/GradeExports/GradeExport');
    const { root, value } = parseXml(res.text);
    expect(root).toBe('job');
    expect(Object.keys(value)).toEqual(['@id', 'name', 'description', 'state', 'stateDescription', 'created', 'timeout', 'phases', 'initialization']);
    expect(value).toMatchObject({ '@id': ID, name: 'gradeExport', description: 'Export final grades', state: 'NOTSTARTED', timeout: 'P1D' });
    expect(value.initialization).toEqual({ phaseName: 'select', payload: { property: { '@name': 'term', '#text': 'T1' } } });
    const phases = (value.phases as { phase: Record<string, any>[] }).phase;
    expect(phases.map((p) => p.name)).toEqual(['select', 'export']);
    expect(phases[0]!.rights.right).toEqual([
      { '@type': 'QUERY', '#text': 'APPROVED' },
      { '@type': 'CREATE', '#text': 'REJECTED' },
      { '@type': 'UPDATE', '#text': 'APPROVED' },
      { '@type': 'DELETE', '#text': 'REJECTED' },
    ]);
    expect(phases[1]!.statesRights.right).toEqual([{ '@type': 'QUERY', '#text': 'APPROVED' }, { '@type': 'CREATE', '#text': 'REJECTED' }]);
    expect(phases[0]!.states.state.type).toBe('NOTSTARTED');
    expect(calls.init.map((j) => j.id)).toEqual([ID]);
  });

  test('JSON without mustUseAdvisory: the provider assigns the id; a repeated id under mustUseAdvisory is a 409', async () => {
    const res = await request(host.app)
      .post('/sif3/services/GradeExports/GradeExport')
      .set('Authorization', exporter.auth)
      .set('Accept', 'application/json')
      .type('json')
      .send({ job: { '@id': ID, name: 'x' } });
    expect(res.status).toBe(201);
    expect(res.body.job['@id']).not.toBe(ID);
    expect(res.body.job.phases.phase).toHaveLength(2);
    expect((await createJob(host, exporter, jobXml(ID), { mustUseAdvisory: 'true' })).status).toBe(201);
    const again = await createJob(host, exporter, jobXml(ID), { mustUseAdvisory: 'true' });
    expect(again.status).toBe(409);
    expect(again.headers.messagetype).toBe('ERROR');
  });

  test.each([
    ['no body', '', {}, 400],
    ['another root', '<queue xmlns="http://www.sifassociation.org/infrastructure/3.2.1"/>', {}, 400],
    ['mustUseAdvisory without an id', jobXml(), { mustUseAdvisory: 'true' }, 400],
    ['an id that is no UUID', jobXml('job-1'), {}, 400],
    ['an initialization without payload', `<job xmlns="${'http://www.sifassociation.org/infrastructure/3.2.1'}"><name>x</name><initialization><phaseName>a</phaseName></initialization></job>`, {}, 400],
    ['requestType DELAYED', jobXml(), { requestType: 'DELAYED' }, 400],
  ])('%s: a 400, nothing stored', async (_what, body, headers, status) => {
    const res = await createJob(host, exporter, body, headers);
    expect(res.status).toBe(status);
    const list = await jobRequest(host, exporter, 'get', '');
    expect(list.body.jobs.job ?? []).toHaveLength(0);
  });

  test('CREATE not approved: 403; an unknown functional service: 404; the object connector does not serve it: 404', async () => {
    expect((await createJob(host, viewer)).status).toBe(403);
    expect((await request(host.app).post('/sif3/services/Nope/Nope').set('Authorization', exporter.auth).type('xml').send(jobXml())).status).toBe(404);
    expect((await request(host.app).get('/sif3/requests/GradeExports').set('Authorization', exporter.auth)).status).toBe(404);
  });

  test('an init that throws: its error is the answer and the job is not kept', async () => {
    const { ConflictError } = await import('sif3-direct');
    calls.failInit = new ConflictError('An export is already running');
    const res = await createJob(host, exporter, jobXml(ID), { mustUseAdvisory: 'true' });
    expect(res.status).toBe(409);
    calls.failInit = undefined;
    expect((await jobRequest(host, exporter, 'get', `/${ID}`)).status).toBe(404);
  });

  test('limits.jobsPerEnvironment: one job more is a 409 naming the limit; deleting one makes room', async () => {
    await host.close();
    host = createTestHost({ services: { GradeExports: gradeExports(calls, () => host.provider) }, consumers: JOB_CONSUMERS, queues: true, limits: { jobsPerEnvironment: 2 } });
    exporter = await session(host, 'Exporter', 'ExporterSecret');
    const first = await newJobId(host, exporter);
    await newJobId(host, exporter);
    const refused = await createJob(host, exporter).set('Accept', 'application/json');
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('limits.jobsPerEnvironment');
    expect((await jobRequest(host, exporter, 'delete', `/${first}`)).status).toBe(204);
    expect((await createJob(host, exporter)).status).toBe(201);
  });

  test('create many: 200 createResponse, each job on its own', async () => {
    const body = `<jobs xmlns="http://www.sifassociation.org/infrastructure/3.2.1"><job id="${ID}"><name>a</name></job><job id="${ID}"><name>b</name></job></jobs>`;
    const res = await request(host.app).post('/sif3/services/GradeExports').set('Authorization', exporter.auth).set('mustUseAdvisory', 'true').type('xml').send(body);
    expect(res.status).toBe(200);
    const creates = (parseXml(res.text).value.creates as { create: Record<string, unknown>[] }).create;
    expect(creates.map((c) => [c['@id'], c['@statusCode']])).toEqual([[ID, '201'], [ID, '409']]);
    const qbe = await request(host.app).post('/sif3/services/GradeExports').set('Authorization', exporter.auth).set('methodOverride', 'GET').type('xml').send(body);
    expect(qbe.status).toBe(400);
  });
});

describe('read, list and delete jobs (§11)', () => {
  test('a job is read by its owner only; others get 404', async () => {
    const id = await newJobId(host, exporter);
    const mine = await jobRequest(host, exporter, 'get', `/${id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.job['@id']).toBe(id);
    expect(mine.headers.responseaction).toBe('QUERY');
    expect((await jobRequest(host, other, 'get', `/${id}`)).status).toBe(404);
    expect((await request(host.app).get(`/sif3/services/GradeExports/${id};zoneId=Elementary`).set('Authorization', exporter.auth)).status).toBe(404);
  });

  test('the list pages through the caller\'s own jobs in the zone and context, oldest first; empty is 200 <jobs/>', async () => {
    const ids = [await newJobId(host, exporter), await newJobId(host, exporter), await newJobId(host, exporter)];
    await newJobId(host, other);
    const page2 = await jobRequest(host, exporter, 'get', '').set('navigationPage', '2').set('navigationPageSize', '2');
    expect(page2.status).toBe(200);
    expect([page2.body.jobs.job].flat().map((j: { '@id': string }) => j['@id'])).toEqual([ids[2]]);
    expect(page2.headers).toMatchObject({ navigationpage: '2', navigationcount: '3', navigationlastpage: '2' });
    const head = await jobRequest(host, exporter, 'head', '').set('navigationPageSize', '2');
    expect(head.status).toBe(200);
    expect(head.headers.navigationcount).toBe('3');
    const empty = await request(host.app).get('/sif3/services/GradeExports;zoneId=Elementary').set('Authorization', exporter.auth);
    expect(empty.status).toBe(200);
    expect(parseXml(empty.text).root).toBe('jobs');
  });

  test('delete: 204 then 404; delete many: deleteResponse 204/404; a job is never updated (403); DELETE on the collection is 405', async () => {
    const a = await newJobId(host, exporter);
    const b = await newJobId(host, exporter);
    const otherJob = await newJobId(host, other);
    expect((await jobRequest(host, exporter, 'delete', `/${a}`)).status).toBe(204);
    expect((await jobRequest(host, exporter, 'delete', `/${a}`)).status).toBe(404);
    expect(calls.deleted).toEqual([a]);
    expect((await jobRequest(host, exporter, 'put', `/${b}`).type('xml').send(jobXml())).status).toBe(403);
    expect((await jobRequest(host, exporter, 'put', '').type('xml').send('<jobs/>')).status).toBe(403);
    const many = await jobRequest(host, exporter, 'put', '')
      .set('methodOverride', 'DELETE')
      .type('json')
      .send({ deleteRequest: { deletes: { delete: [{ '@id': b }, { '@id': otherJob }] } } });
    expect(many.status).toBe(200);
    expect(many.body.deleteResponse.deletes.delete.map((d: Record<string, string>) => d['@statusCode'])).toEqual(['204', '404']);
    expect((await jobRequest(host, other, 'get', `/${otherJob}`)).status).toBe(200);
    const collection = await jobRequest(host, exporter, 'delete', '');
    expect(collection.status).toBe(405);
    expect((await jobRequest(host, viewer, 'delete', `/${otherJob}`)).status).toBe(403);
  });
});

describe('phases (Base Architecture §5.16): handed to the host, gated by the phase rights', () => {
  test('GET (and POST + methodOverride GET) reach the query handler with paging; PUT reaches update with the decoded payload; PUT + methodOverride DELETE reaches delete', async () => {
    const id = await newJobId(host, exporter);
    const query = await jobRequest(host, exporter, 'get', `/${id}/select`).set('navigationPage', '3').set('navigationPageSize', '5');
    expect(query.status).toBe(200);
    expect(query.body).toEqual({ selection: { term: 'T1', page: '3' } });
    expect(query.headers.relativeservicepath).toBe(`/GradeExports/${id}/select`);
    const update = await jobRequest(host, exporter, 'put', `/${id}/select`).type('json').send({ choice: { term: 'T2' } });
    expect(update.status).toBe(200);
    expect(calls.phase[1]).toMatchObject({ operation: 'UPDATE', phaseName: 'select', payload: { root: 'choice', value: { term: 'T2' } } });
    const asQuery = await jobRequest(host, exporter, 'post', `/${id}/select`).set('methodOverride', 'GET').type('json').send({ filter: { term: 'T1' } });
    expect(asQuery.status).toBe(200);
    expect(calls.phase[2]).toMatchObject({ operation: 'QUERY', payload: { root: 'filter' } });
    const remove = await jobRequest(host, exporter, 'put', `/${id}/export`).set('methodOverride', 'DELETE');
    expect(remove.status).toBe(204);
    expect(remove.headers.responseaction).toBe('DELETE');
    expect(calls.phase[3]).toMatchObject({ operation: 'DELETE', phaseName: 'export' });
    expect((await jobRequest(host, exporter, 'put', `/${id}/export`).set('methodOverride', 'GET')).status).toBe(400);
  });

  test('POST reaches create, which answers with its own status and payload (XML in the infrastructure namespace) and moves the phase on', async () => {
    const id = await newJobId(host, exporter);
    const res = await request(host.app).post(`/sif3/services/GradeExports/${id}/export`).set('Authorization', exporter.auth).type('xml').send('<grades><grade>A</grade></grades>');
    expect(res.status).toBe(202);
    expect(res.text).toContain(`<exportStarted xmlns="http://www.sifassociation.org/infrastructure/3.2.1" jobId="${id}"`);
    expect(calls.phase[0]!.payload).toMatchObject({ root: 'grades', value: { grade: 'A' } });
    const job = await jobRequest(host, exporter, 'get', `/${id}`);
    expect(job.body.job.state).toBe('INPROGRESS');
    expect(job.body.job.phases.phase[1].states.state.map((s: { type: string }) => s.type)).toEqual(['NOTSTARTED', 'INPROGRESS']);
  });

  test('an operation the phase does not approve is 403; an unknown phase 404; another consumer\'s job 404; all before any handler', async () => {
    const id = await newJobId(host, exporter);
    expect((await jobRequest(host, exporter, 'post', `/${id}/select`).type('xml').send('<x/>')).status).toBe(403);
    expect((await jobRequest(host, exporter, 'get', `/${id}/export`)).status).toBe(403);
    expect((await jobRequest(host, exporter, 'get', `/${id}/nope`)).status).toBe(404);
    expect((await jobRequest(host, other, 'get', `/${id}/select`)).status).toBe(404);
    expect(calls.phase).toHaveLength(0);
  });
});

describe('states (job.xsd stateType: [services connector]/[job]/[id]/[phase]/states/state)', () => {
  test('a consumer adds a state: 201 with id, times and its description (stateType order), the job state derived, stateChanged told; GET states lists the history', async () => {
    const id = await newJobId(host, exporter);
    const res = await request(host.app)
      .post(`/sif3/services/GradeExports/${id}/select/states/state`)
      .set('Authorization', exporter.auth)
      .type('xml')
      .send('<state xmlns="http://www.sifassociation.org/infrastructure/3.3"><type>INPROGRESS</type><description>selecting 12 grades</description></state>');
    expect(res.status).toBe(201);
    const { root, value } = parseXml(res.text);
    expect(root).toBe('state');
    expect(Object.keys(value)).toEqual(['@id', 'type', 'created', 'lastModified', 'description']);
    expect(value.description).toBe('selecting 12 grades');
    expect(calls.stateChanged).toEqual([{ jobId: id, phase: 'select', state: 'INPROGRESS' }]);
    const states = await jobRequest(host, exporter, 'get', `/${id}/select/states`);
    expect(states.status).toBe(200);
    expect(states.body.states.state.map((s: { type: string }) => s.type)).toEqual(['NOTSTARTED', 'INPROGRESS']);
    expect(states.body.states.state[1]).toMatchObject({ type: 'INPROGRESS', description: 'selecting 12 grades' });
    const json = await jobRequest(host, exporter, 'post', `/${id}/select/states/state`).type('json').send({ state: { type: 'INPROGRESS', description: 'in JSON' } });
    expect([json.status, json.body.state.description]).toEqual([201, 'in JSON']);
    const nested = await jobRequest(host, exporter, 'post', `/${id}/select/states/state`).type('json').send({ state: { type: 'INPROGRESS', description: { x: '1' } } });
    expect(nested.status).toBe(400);
    expect((await jobRequest(host, exporter, 'get', `/${id}`)).body.job).toMatchObject({ state: 'INPROGRESS', lastModified: expect.any(String) });
  });

  test('statesRights without CREATE: 403; a type outside phaseStateType: 400; another consumer: 404; batch and per-state routes: 405', async () => {
    const id = await newJobId(host, exporter);
    const post = (who: Session, phase: string, body: object) => jobRequest(host, who, 'post', `/${id}/${phase}/states/state`).type('json').send(body);
    expect((await post(exporter, 'export', { state: { type: 'COMPLETED' } })).status).toBe(403);
    expect((await post(exporter, 'select', { state: { type: 'DONE' } })).status).toBe(400);
    expect((await post(other, 'select', { state: { type: 'COMPLETED' } })).status).toBe(404);
    expect((await jobRequest(host, exporter, 'post', `/${id}/select/states`).type('json').send({ states: {} })).status).toBe(405);
    expect((await jobRequest(host, exporter, 'get', `/${id}/select/states/state`)).status).toBe(405);
    expect(calls.stateChanged).toHaveLength(0);
  });

  test('once the job is COMPLETED, phases and states refuse changes (403) and stay readable', async () => {
    const id = await newJobId(host, exporter);
    await host.provider.jobs.setPhaseState(id, 'select', 'COMPLETED');
    const done = await host.provider.jobs.setPhaseState(id, 'export', 'COMPLETED', 'exported 12 grades');
    expect(done?.state).toBe('COMPLETED');
    expect((await jobRequest(host, exporter, 'post', `/${id}/export`).type('xml').send('<x/>')).status).toBe(403);
    expect((await jobRequest(host, exporter, 'post', `/${id}/select/states/state`).type('json').send({ state: { type: 'FAILED' } })).status).toBe(403);
    expect((await jobRequest(host, exporter, 'get', `/${id}/select`)).status).toBe(200);
    const job = await jobRequest(host, exporter, 'get', `/${id}`);
    expect(job.body.job.state).toBe('COMPLETED');
    expect(job.body.job.phases.phase[1].states.state[1]).toMatchObject({ type: 'COMPLETED', description: 'exported 12 grades' });
  });
});
