import type { Format } from 'sif3-direct/client';
import { SifClient, SifClientError, jobProperties } from 'sif3-direct/client';
import { runCli } from '../../lib/client/cli/main';
import { listen } from '../helpers/example';
import { createTestHost } from '../helpers/host';
import type { RunningProvider } from './provider';
import { DEMO, collect, startProvider } from './provider';

// The consumer side of functional services (Base Architecture §5.16, Infrastructure Services §11):
// the client's jobs API and `sif3 job`, over real HTTP against the example SIS, running its
// RolloverStudents job end to end (review the plan, approve it with a state, run the next phase,
// wait for COMPLETED, find the students moved), in both formats.

jest.setTimeout(60_000);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STUDENTS = 50;

/** What a failing call rejected with: its status (the test fails if it did not reject). */
async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SifClientError) return error.status;
    throw error;
  }
  throw new Error('expected a SifClientError');
}

describe.each<Format>(['json', 'xml'])('client.functionalService in %s', (format) => {
  let provider: RunningProvider;
  let client: SifClient;

  beforeAll(async () => {
    provider = await startProvider();
    client = await SifClient.connect({ url: provider.url, ...DEMO, authMethod: 'SIF_HMACSHA256', format, instanceId: `jobs-${format}` });
  });
  afterAll(async () => {
    await client.close();
    await provider.close();
  });

  test('RolloverStudents end to end: create, plan, approve with a state, run the phase, wait for COMPLETED; the students moved', async () => {
    const rollover = client.functionalService('RolloverStudents');
    const [student] = await collect(client.service('xStudents').query({ where: '[enrollment/gradeLevel="03"]', pageSize: 1 }));

    // The SIS refuses a job without its school year (its init throws), and keeps none.
    expect(await statusOf(rollover.create())).toBe(400);
    expect(await collect(rollover.list())).toEqual([]);

    const created = await rollover.create({ phaseName: 'oldYearEnrolment', payload: jobProperties({ schoolYear: '2027' }) });
    expect(created.id).toMatch(UUID);
    expect(created).toMatchObject({ name: 'rolloverStudent', state: 'INPROGRESS', timeout: 'P7D' });
    // XML brings a single property back as an object (JSON as sent): the payload is opaque to SIF.
    const property = (created.initialization?.payload as { property: unknown }).property;
    expect([created.initialization?.phaseName, [property].flat()]).toEqual(['oldYearEnrolment', [{ '@name': 'schoolYear', '#text': '2027' }]]);
    expect(created.phases.map((p) => [p.name, p.state, p.rights, p.statesRights])).toEqual([
      ['oldYearEnrolment', 'INPROGRESS', ['QUERY'], ['QUERY', 'CREATE']],
      ['newYearEnrolment', 'NOTSTARTED', ['QUERY', 'CREATE'], ['QUERY']],
    ]);
    const job = rollover.job(created.id);

    // 1. The plan, then the approval; the rollover refuses to run before it, and the phase rights hold.
    const plan = await job.phase('oldYearEnrolment').get();
    expect(plan.status).toBe(200);
    expect(plan.body?.root).toBe('rolloverPlan');
    expect(Number(plan.body!.value.promoted) + Number(plan.body!.value.graduated)).toBe(STUDENTS);
    expect(await statusOf(job.phase('newYearEnrolment').post())).toBe(409);
    expect(await statusOf(job.phase('oldYearEnrolment').put({ root: 'plan', value: { ok: 'true' } }))).toBe(403);
    expect(await statusOf(job.phase('oldYearEnrolment').delete())).toBe(403);
    expect(await statusOf(job.states('newYearEnrolment').create('COMPLETED'))).toBe(403);
    const approved = await job.states('oldYearEnrolment').create('COMPLETED');
    expect(approved).toMatchObject({ id: expect.stringMatching(UUID), type: 'COMPLETED', created: expect.any(String), lastModified: expect.any(String) });
    expect((await job.states('oldYearEnrolment').list()).map((s) => s.type)).toEqual(['NOTSTARTED', 'INPROGRESS', 'COMPLETED']);
    expect((await job.get())!.phases[1]!.state).toBe('PENDING');

    // 2. Run it: 202 from the phase, then wait for the job to finish.
    const started = await job.phase('newYearEnrolment').post();
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ root: 'rolloverStarted', value: { schoolYear: '2027' } });
    const done = await job.waitFor(undefined, { intervalMs: 50, timeoutMs: 30_000 });
    expect(done.state).toBe('COMPLETED');
    expect(done.phases.map((p) => p.state)).toEqual(['COMPLETED', 'COMPLETED']);
    expect((await job.phase('newYearEnrolment').get()).body?.value).toMatchObject({ state: 'COMPLETED' });
    expect(await statusOf(job.phase('newYearEnrolment').post())).toBe(403);
    const moved = await client.service('xStudents').read(student!['@refId'] as string);
    expect(moved).toMatchObject({ enrollment: { gradeLevel: '04' } });

    // The list pages through the consumer's jobs; delete one, then several (204 / 404 each).
    const second = await rollover.create({ payload: jobProperties({ schoolYear: '2028' }) });
    const third = await rollover.create({ payload: jobProperties({ schoolYear: '2029' }) }, { id: crypto.randomUUID() });
    expect((await collect(rollover.list({ pageSize: 1 }))).map((j) => j.id)).toEqual([created.id, second.id, third.id]);
    expect(await rollover.delete(second.id)).toBe(true);
    expect(await rollover.delete(second.id)).toBe(false);
    expect(await rollover.get(second.id)).toBeNull();
    expect(await statusOf(rollover.job(second.id).waitFor())).toBe(404);
    const results = await rollover.deleteMany([created.id, third.id, second.id]);
    expect(results.map((r) => [r.id, r.status])).toEqual([[created.id, 204], [third.id, 204], [second.id, 404]]);
    expect(await collect(rollover.list())).toEqual([]);
  });

  test('createMany: one result per job, a refused one beside the others; waitFor gives up after its timeout', async () => {
    const rollover = client.functionalService('RolloverStudents');
    const id = crypto.randomUUID();
    const results = await rollover.createMany([{ id, initialization: { payload: jobProperties({ schoolYear: '2031' }) } }, { initialization: { payload: jobProperties({}) } }]);
    expect(results.map((r) => [r.status, r.ok])).toEqual([[201, true], [400, false]]);
    expect(results[0]!.id).toBe(id);
    const started = Date.now();
    const error = await rollover.job(id).waitFor(['COMPLETED'], { intervalMs: 20, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SifClientError);
    expect((error as SifClientError).status).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await rollover.delete(id)).toBe(true);
  });

  test('a service that is not functional is a 404 (a job read there is null, as a job that is not there)', async () => {
    expect(await statusOf(client.functionalService('xStudents').create())).toBe(404);
    expect(await statusOf(client.functionalService('NoSuchJobs').job(crypto.randomUUID()).states('any').list())).toBe(404);
    expect(await client.functionalService('NoSuchJobs').get(crypto.randomUUID())).toBeNull();
  });
});

describe('sif3 job', () => {
  let provider: RunningProvider;
  let env: Record<string, string>;

  beforeAll(async () => {
    provider = await startProvider();
    env = { SIF_URL: provider.url, SIF_APPLICATION_KEY: DEMO.applicationKey, SIF_SECRET: DEMO.secret, SIF_FORMAT: 'json', SIF_INSTANCE_ID: 'jobs-cli' };
  });
  afterAll(() => provider.close());

  /** One `sif3` run in this process (real HTTP), with its exit status and output. */
  async function sif3(...args: string[]): Promise<{ status: number; stdout: string; stderr: string; json: any }> {
    let stdout = '';
    let stderr = '';
    const status = await runCli(args, {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env,
      signal: new AbortController().signal,
    });
    const lines = stdout.split('\n').filter((l) => l !== '');
    return { status, stdout, stderr, json: lines.length === 1 ? JSON.parse(lines[0]!) : lines.map((l) => JSON.parse(l)) };
  }

  test('a rollover from the command line: create, plan, approve, run, wait, list, delete; each run reuses the environment', async () => {
    const created = await sif3('job', 'RolloverStudents', 'create', '--property', 'schoolYear=2027', '--init-phase', 'oldYearEnrolment');
    expect(created.status).toBe(0);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ state: 'INPROGRESS', initialization: { phaseName: 'oldYearEnrolment' } });
    expect(created.json.raw).toBeUndefined();

    const plan = await sif3('job', 'RolloverStudents', 'phase', id, 'oldYearEnrolment');
    expect(plan.json).toMatchObject({ status: 200, rolloverPlan: { schoolYear: '2027' } });
    expect((await sif3('job', 'RolloverStudents', 'state', id, 'oldYearEnrolment', 'completed')).json).toMatchObject({ type: 'COMPLETED' });
    expect((await sif3('job', 'RolloverStudents', 'phase', id, 'newYearEnrolment', '--method', 'POST')).json).toEqual({ status: 202, rolloverStarted: { schoolYear: '2027' } });
    const waited = await sif3('job', 'RolloverStudents', 'wait', id, '--interval', '0.05', '--timeout', '30');
    expect(waited.status).toBe(0);
    expect(waited.json.state).toBe('COMPLETED');
    expect((await sif3('job', 'RolloverStudents', 'states', id, 'newYearEnrolment')).json.map((s: any) => s.type)).toEqual(['NOTSTARTED', 'PENDING', 'INPROGRESS', 'COMPLETED']);
    expect((await sif3('job', 'RolloverStudents', 'list')).json).toMatchObject({ id, state: 'COMPLETED' });

    // Refusals are one line and exit 1; command lines it cannot run exit 2.
    const put = await sif3('job', 'RolloverStudents', 'phase', id, 'oldYearEnrolment', '--method', 'PUT', '--body', '{"plan":{"approved":"true"}}');
    expect(put.status).toBe(1);
    const refused = await sif3('job', 'RolloverStudents', 'phase', id, 'newYearEnrolment', '--method', 'POST');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^sif3: CREATE RolloverStudents\/.*: 403 /);
    expect((await sif3('job', 'RolloverStudents', 'delete', id)).json).toEqual({ deleted: id });
    const gone = await sif3('job', 'RolloverStudents', 'get', id);
    expect([gone.status, gone.stderr]).toEqual([1, `sif3: no RolloverStudents job with id ${id}\n`]);
    expect((await sif3('job', 'RolloverStudents', 'promote')).status).toBe(2);
    expect((await sif3('job', 'RolloverStudents', 'state', id, 'oldYearEnrolment', 'DONE')).status).toBe(2);
    expect((await sif3('job', 'RolloverStudents', 'phase', id)).status).toBe(2);
    expect((await sif3('job', 'RolloverStudents', 'phase', id, 'oldYearEnrolment', '--method', 'PUT', '--body', '{"plan"')).status).toBe(2);
    expect((await sif3('job', 'RolloverStudents', 'phase', id, 'oldYearEnrolment', '--method', 'PATCH')).status).toBe(2);
  });
});

test('a provider without functional services offers no servicesConnector: the client says so before sending anything', async () => {
  const host = createTestHost();
  const server = await listen(host.app);
  try {
    const client = await SifClient.connect({ url: `${server.base}/sif3`, ...DEMO, instanceId: 'no-jobs' });
    expect(client.environment.urls.servicesConnector).toBeUndefined();
    const error = await client.functionalService('RolloverStudents').create().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SifClientError);
    expect((error as SifClientError).message).toMatch(/no servicesConnector/);
    await client.close();
  } finally {
    await server.close();
    await host.close();
  }
});
