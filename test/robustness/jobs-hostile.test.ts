import request from 'supertest';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';

// Red team on functional services (Base Architecture §5.16, the services connector), against the
// example SIS's RolloverStudents job over real HTTP and a real SQLite file: other consumers' job
// ids, phase names with path tricks, methodOverride, floods of jobs and of states.

let example: ReturnType<typeof startExample>;
const J = 'application/json';
const SVC = '/sif3/services/RolloverStudents';

beforeAll(() => {
  example = startExample({
    seed: { students: 20 },
    provider: { limits: { jobsPerEnvironment: 3, statesPerPhase: 8 }, logger: { warn: () => undefined, error: () => undefined } },
  });
});
afterAll(async () => example.close());

async function session(applicationKey: string, secret: string, instanceId: string): Promise<{ auth: string }> {
  const res = await request(example.app)
    .post('/sif3/environments/environment')
    .set('Authorization', basicAuth(applicationKey, secret))
    .set('Accept', J)
    .type('json')
    .send({ environment: { solutionId: 'red-team', instanceId } });
  expect(res.status).toBe(201);
  return { auth: basicAuth(res.body.environment.sessionToken, secret) };
}

const jobOf = (year: number) => ({
  job: { name: 'rolloverStudent', initialization: { phaseName: 'oldYearEnrolment', payload: { property: { '@name': 'schoolYear', '#text': String(year) } } } },
});

async function newJob(who: { auth: string }, year: number): Promise<string> {
  const res = await request(example.app).post(`${SVC}/job`).set('Authorization', who.auth).set('Accept', J).type('json').send(jobOf(year));
  expect(res.status).toBe(201);
  return res.body.job['@id'];
}

function expectSifError(res: request.Response, status: number): void {
  expect([res.status, res.headers.messagetype, res.body?.error?.code]).toEqual([status, 'ERROR', String(status)]);
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+|node_modules/);
}

const addState = (who: { auth: string }, jobId: string, phase: string, type: string) =>
  request(example.app).post(`${SVC}/${jobId}/${phase}/states/state`).set('Authorization', who.auth).set('Accept', J).type('json').send({ state: { type } });

describe('jobs: another consumer’s job ids', () => {
  test('another application, and another environment of the same application, see no such job (404) and change nothing', async () => {
    const owner = await session('DemoApp', 'DemoSecret', 'job-owner');
    const jobId = await newJob(owner, 2101);
    const before = (await request(example.app).get(`${SVC}/${jobId}`).set('Authorization', owner.auth).set('Accept', J)).text;
    const readOnly = await session('ReadOnlyApp', 'ReadOnlySecret', 'job-reader');
    const sameApp = await session('DemoApp', 'DemoSecret', 'job-other-instance');
    for (const who of [readOnly, sameApp]) {
      expectSifError(await request(example.app).get(`${SVC}/${jobId}`).set('Authorization', who.auth).set('Accept', J), 404);
      expectSifError(await request(example.app).get(`${SVC}/${jobId}/oldYearEnrolment`).set('Authorization', who.auth).set('Accept', J), 404);
      expectSifError(await request(example.app).get(`${SVC}/${jobId}/oldYearEnrolment/states`).set('Authorization', who.auth).set('Accept', J), 404);
      if (who === sameApp) {
        expectSifError(await request(example.app).delete(`${SVC}/${jobId}`).set('Authorization', who.auth).set('Accept', J), 404);
        expectSifError(await addState(who, jobId, 'oldYearEnrolment', 'COMPLETED'), 404);
      }
      const listed = await request(example.app).get(SVC).set('Authorization', who.auth).set('Accept', J);
      expect(listed.text).not.toContain(jobId);
    }
    const after = await request(example.app).get(`${SVC}/${jobId}`).set('Authorization', owner.auth).set('Accept', J);
    expect(after.text).toBe(before);
    expect((await request(example.app).delete(`${SVC}/${jobId}`).set('Authorization', owner.auth)).status).toBe(204);
  });
});

describe('jobs: phase names and methodOverride', () => {
  test('phase names with path tricks are a 404 whose message is bounded; no phase is reached through them', async () => {
    const me = await session('DemoApp', 'DemoSecret', 'phase-tricks');
    const jobId = await newJob(me, 2102);
    for (const phase of ['..', '%2e%2e', '__proto__', 'constructor', 'toString', 'OLDYEARENROLMENT', 'oldYearEnrolment%00', 'oldYearEnrolment%2F..', 'y'.repeat(6000)]) {
      const read = await request(example.app).get(`${SVC}/${jobId}/${phase}`).set('Authorization', me.auth).set('Accept', J);
      expectSifError(read, 404);
      expect(read.text.length).toBeLessThan(1500);
      expectSifError(await addState(me, jobId, phase, 'COMPLETED'), 404);
    }
    const states = await request(example.app).get(`${SVC}/${jobId}/oldYearEnrolment/states`).set('Authorization', me.auth).set('Accept', J);
    expect([states.body.states.state].flat().map((s: { type: string }) => s.type)).not.toContain('COMPLETED');
    await request(example.app).delete(`${SVC}/${jobId}`).set('Authorization', me.auth);
  });

  test('methodOverride cannot turn a phase request into an operation the phase does not approve', async () => {
    const me = await session('DemoApp', 'DemoSecret', 'phase-override');
    const jobId = await newJob(me, 2103);
    for (const [method, override, status] of [
      ['put', 'DELETE', 403],
      ['put', 'PUT', 403],
      ['put', 'POST', 400],
      ['post', 'DELETE', 400],
      ['post', 'x'.repeat(500), 400],
    ] as const) {
      const res = await request(example.app)[method](`${SVC}/${jobId}/oldYearEnrolment`).set('Authorization', me.auth).set('Accept', J).set('methodOverride', override).type('json').send({ x: {} });
      expectSifError(res, status);
    }
    const readOnly = await session('ReadOnlyApp', 'ReadOnlySecret', 'override-delete');
    const many = await request(example.app).put(SVC).set('Authorization', readOnly.auth).set('Accept', J).set('methodOverride', 'DELETE').type('json').send({ deleteRequest: { jobs: { job: [{ '@id': jobId }] } } });
    expectSifError(many, 403);
    expect((await request(example.app).get(`${SVC}/${jobId}`).set('Authorization', me.auth)).status).toBe(200);
    await request(example.app).delete(`${SVC}/${jobId}`).set('Authorization', me.auth);
  });
});

describe('jobs: what the provider owns', () => {
  test('a consumer cannot set a job’s timeout, state, dates or phases; once FAILED its phases and states take no change (403)', async () => {
    const me = await session('DemoApp', 'DemoSecret', 'job-owned-fields');
    const sent = {
      job: {
        ...jobOf(2105).job,
        timeout: 'P99999999999D',
        state: 'COMPLETED',
        created: '1999-01-01T00:00:00Z',
        phases: { phase: [{ name: 'evil', states: { state: [{ type: 'COMPLETED' }] }, rights: { right: [{ '@type': 'DELETE', '#text': 'APPROVED' }] } }] },
      },
    };
    const res = await request(example.app).post(`${SVC}/job`).set('Authorization', me.auth).set('Accept', J).type('json').send(sent);
    expect(res.status).toBe(201);
    const job = res.body.job;
    expect([job.timeout, job.state, job.created.startsWith('1999')]).toEqual(['P7D', 'INPROGRESS', false]);
    expect([job.phases.phase].flat().map((p: { name: string }) => p.name)).toEqual(['oldYearEnrolment', 'newYearEnrolment']);
    expectSifError(await request(example.app).get(`${SVC}/${job['@id']}/evil`).set('Authorization', me.auth).set('Accept', J), 404);

    await example.provider.jobs.setPhaseState(job['@id'], 'newYearEnrolment', 'FAILED', 'stopped by the operator');
    expectSifError(await addState(me, job['@id'], 'oldYearEnrolment', 'COMPLETED'), 403);
    expectSifError(await request(example.app).post(`${SVC}/${job['@id']}/newYearEnrolment`).set('Authorization', me.auth).set('Accept', J).type('json').send({ x: {} }), 403);
    const after = await request(example.app).get(`${SVC}/${job['@id']}`).set('Authorization', me.auth).set('Accept', J);
    expect(after.body.job.state).toBe('FAILED');
    expect((await request(example.app).delete(`${SVC}/${job['@id']}`).set('Authorization', me.auth)).status).toBe(204);
  });
});

describe('jobs: floods', () => {
  test('limits.statesPerPhase: a consumer adding states without end is refused with 409 naming the limit, and the phase keeps what it had', async () => {
    const me = await session('DemoApp', 'DemoSecret', 'states-flood');
    const jobId = await newJob(me, 2104);
    const statesNow = async () => [(await request(example.app).get(`${SVC}/${jobId}/oldYearEnrolment/states`).set('Authorization', me.auth).set('Accept', J)).body.states.state].flat().length;
    let added = 0;
    let refused: request.Response | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const res = await addState(me, jobId, 'oldYearEnrolment', 'INPROGRESS');
      if (res.status === 201) added++;
      else refused = res;
    }
    expect(refused).toBeDefined();
    expectSifError(refused!, 409);
    expect(refused!.text).toContain('limits.statesPerPhase');
    expect(await statesNow()).toBe(8);
    expect(added).toBeLessThan(8);
    // The provider's own progress is not the consumer's flood: it still records states.
    await example.provider.jobs.setPhaseState(jobId, 'oldYearEnrolment', 'FAILED', 'stopped');
    expect(await statesNow()).toBe(9);
    await request(example.app).delete(`${SVC}/${jobId}`).set('Authorization', me.auth);
  });

  test('limits.jobsPerEnvironment holds under concurrent creates (409), for single and multi-object creates', async () => {
    const me = await session('DemoApp', 'DemoSecret', 'jobs-flood');
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => request(example.app).post(`${SVC}/job`).set('Authorization', me.auth).set('Accept', J).type('json').send(jobOf(2110 + i))));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of answers.filter((a) => a.status !== 201)) expectSifError(r, 409);
    const many = await request(example.app).post(SVC).set('Authorization', me.auth).set('Accept', J).type('json').send({ jobs: { job: [jobOf(2120).job, jobOf(2121).job] } });
    expect(many.status).toBe(200);
    expect([many.body.createResponse.creates.create].flat().map((c: { '@statusCode': string }) => c['@statusCode'])).toEqual(['409', '409']);
    const listed = await request(example.app).get(SVC).set('Authorization', me.auth).set('Accept', J);
    expect([listed.body.jobs.job].flat()).toHaveLength(3);
  });
});
