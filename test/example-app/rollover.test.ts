import { basicAuth } from '../helpers/consumer-auth';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExampleApp } from '../../example-app/app';
import { openApp } from '../../example-app/app';
import { listen, startExample } from '../helpers/example';
import { postgresTarget } from '../store/postgres-target';
import { parseXml } from '../../lib/payload/xml';
import { SCHEMAS_DIR, schemaSkipReason, xsdErrors } from '../helpers/xsd';

// The example SIS's RolloverStudents job end to end over real HTTP (fetch), in JSON and in XML
// (Base Architecture §5.16, Infrastructure Services §11): create the job, review a phase, approve it
// with a state, run the next phase, poll the job to COMPLETED, find the students rolled over, receive
// the job's events (and the students') in a queue, delete the job.

jest.setTimeout(60_000);

const INFRA = 'http://www.sifassociation.org/infrastructure/3.2.1';
const schemas = !schemaSkipReason();
if (!schemas) console.warn(`SKIPPED schema validation in the XML rollover run: ${schemaSkipReason()} (${SCHEMAS_DIR ?? 'no SIF_SCHEMAS_DIR'})`);

const postgres = postgresTarget('the example SIS rollover on PostgreSQL');
const runs: ['json' | 'xml', 'SQLite' | 'PostgreSQL'][] = [['json', 'SQLite'], ['xml', 'SQLite'], ...(postgres ? [['json', 'PostgreSQL'] as ['json', 'PostgreSQL']] : [])];
afterAll(() => postgres?.end());

/** The example SIS on a fresh SQLite folder, or on a fresh PostgreSQL schema (SIS data and protocol state). */
async function start(backend: 'SQLite' | 'PostgreSQL'): Promise<{ example: ExampleApp; cleanup(): Promise<void> }> {
  if (backend === 'SQLite') {
    const example = startExample({ seed: { students: 240 } });
    return { example, cleanup: async () => undefined };
  }
  const schema = await postgres!.schema();
  const dataDir = mkdtempSync(join(tmpdir(), 'sif3-rollover-'));
  const example = await openApp({ dataDir, databaseUrl: schema.url, seed: { students: 240 }, log: () => undefined });
  return { example, cleanup: async () => (rmSync(dataDir, { recursive: true, force: true }), schema.drop()) };
}

describe.each(runs)('RolloverStudents in %s on %s', (format, backend) => {
  let example: ExampleApp;
  let cleanup: () => Promise<void>;
  let server: { base: string; close(): Promise<void> };
  let auth: string;
  let env: any;

  beforeAll(async () => {
    ({ example, cleanup } = await start(backend));
    server = await listen(example.app);
    const res = await fetch(`${server.base}/sif3/environments/environment`, { method: 'POST', headers: { Authorization: basicAuth('DemoApp', 'DemoSecret'), Accept: 'application/json' } });
    expect(res.status).toBe(201);
    env = ((await res.json()) as any).environment;
    auth = basicAuth(env.sessionToken, 'DemoSecret');
  });
  afterAll(async () => {
    await server.close();
    await example.close();
    await cleanup();
  });

  const url = (name: string) => env.infrastructureServices.infrastructureService.find((s: any) => s['@name'] === name)['#text'] as string;
  const mediaType = format === 'json' ? 'application/json' : 'application/xml';

  /** A request in this suite's format; the answer decoded (JSON as is, XML through the provider's parser into the same shape). */
  async function send(method: string, target: string, body?: string, headers: Record<string, string> = {}) {
    const res = await fetch(target, {
      method,
      headers: { Authorization: auth, Accept: mediaType, ...(body ? { 'Content-Type': mediaType } : {}), ...headers },
      body,
    });
    const text = await res.text();
    let json: any;
    if (text && format === 'json') json = JSON.parse(text);
    if (text && format === 'xml') {
      if (schemas && res.headers.get('content-type')?.startsWith('application/xml') && text.includes(INFRA)) {
        expect({ target, errors: xsdErrors(text, '3.2.1') }).toEqual({ target, errors: undefined });
      }
      const { root, value } = parseXml(text);
      json = { [root]: value };
    }
    return { status: res.status, headers: res.headers, body: json };
  }
  const list = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const job = (schoolYear?: string) =>
    format === 'json'
      ? JSON.stringify({ job: { name: 'rolloverStudent', initialization: { phaseName: 'oldYearEnrolment', payload: { property: schoolYear ? [{ '@name': 'schoolYear', '#text': schoolYear }] : [] } } } })
      : `<job xmlns="${INFRA}"><name>rolloverStudent</name><initialization><phaseName>oldYearEnrolment</phaseName>` +
        `<payload xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="propertiesType">${schoolYear ? `<property name="schoolYear">${schoolYear}</property>` : ''}</payload></initialization></job>`;
  const phaseState = (j: any, phase: string) => {
    const states = list(list(j.phases.phase).find((p: any) => p.name === phase).states.state);
    return states[states.length - 1].type as string;
  };

  test('the job runs end to end: rights, states, events, the students really rolled over, then the job deleted', async () => {
    const services = url('servicesConnector');
    expect(services).toBe(`${server.base}/sif3/services`);

    // Listen for the job's events and for changed students.
    const queue = await send('POST', `${url('queues')}/queue`, format === 'json' ? '{"queue":{"polling":"IMMEDIATE"}}' : `<queue xmlns="${INFRA}"><polling>IMMEDIATE</polling></queue>`);
    expect(queue.status).toBe(201);
    for (const [serviceType, serviceName] of [['FUNCTIONAL', 'RolloverStudents'], ['OBJECT', 'xStudents']]) {
      const body = format === 'json'
        ? JSON.stringify({ subscription: { serviceType, serviceName, queueId: queue.body.queue['@id'] } })
        : `<subscription xmlns="${INFRA}"><serviceType>${serviceType}</serviceType><serviceName>${serviceName}</serviceName><queueId>${queue.body.queue['@id']}</queueId></subscription>`;
      expect((await send('POST', url('subscriptions'), body)).status).toBe(201);
    }

    // The students before: one who moves up, one who leaves the elementary school after grade 05.
    const before = list((await send('GET', `${url('requestsConnector')}/xStudents`, undefined, { navigationPageSize: '240' })).body.xStudents.xStudent);
    const mover = before.find((s: any) => s.enrollment.gradeLevel === '03')!;
    const leaver = before.find((s: any) => s.enrollment.gradeLevel === '12')!;

    // A job without its school year is refused by the SIS's init, and not kept.
    expect((await send('POST', `${services}/RolloverStudents/RolloverStudent`, job())).status).toBe(400);

    const created = await send('POST', `${services}/RolloverStudents/RolloverStudent`, job('2027'));
    expect(created.status).toBe(201);
    const id = created.body.job['@id'];
    expect(created.headers.get('location')).toBe(`${services}/RolloverStudents/${id}`);
    expect(phaseState(created.body.job, 'oldYearEnrolment')).toBe('INPROGRESS');
    expect(created.body.job.state).toBe('INPROGRESS');

    // 1. Review the plan, approve it; the next phase refuses to run before the approval.
    const plan = await send('GET', `${services}/RolloverStudents/${id}/oldYearEnrolment`);
    expect(plan.status).toBe(200);
    expect(Number(plan.body.rolloverPlan.promoted) + Number(plan.body.rolloverPlan.graduated)).toBe(240);
    expect((await send('POST', `${services}/RolloverStudents/${id}/newYearEnrolment`)).status).toBe(409);
    expect((await send('PUT', `${services}/RolloverStudents/${id}/oldYearEnrolment`, job())).status).toBe(403);
    const approve = format === 'json' ? '{"state":{"type":"COMPLETED"}}' : `<state xmlns="${INFRA}"><type>COMPLETED</type></state>`;
    const state = await send('POST', `${services}/RolloverStudents/${id}/oldYearEnrolment/states/state`, approve);
    expect(state.status).toBe(201);
    expect(state.body.state.type).toBe('COMPLETED');
    expect((await send('POST', `${services}/RolloverStudents/${id}/newYearEnrolment/states/state`, approve)).status).toBe(403);
    expect(phaseState((await send('GET', `${services}/RolloverStudents/${id}`)).body.job, 'newYearEnrolment')).toBe('PENDING');

    // 2. Run the rollover and poll the job to COMPLETED.
    const started = await send('POST', `${services}/RolloverStudents/${id}/newYearEnrolment`);
    expect(started.status).toBe(202);
    expect(started.body.rolloverStarted.schoolYear).toBe('2027');
    let polled: any;
    for (let i = 0; i < 100; i++) {
      polled = (await send('GET', `${services}/RolloverStudents/${id}`)).body.job;
      if (polled.state !== 'INPROGRESS') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(polled.state).toBe('COMPLETED');
    const report = await send('GET', `${services}/RolloverStudents/${id}/newYearEnrolment`);
    expect(report.body.rolloverReport).toEqual({ state: 'COMPLETED', description: `${plan.body.rolloverPlan.promoted} promoted, ${plan.body.rolloverPlan.graduated} left school` });
    // A completed job's phases take no more changes; a second rollover of the year is refused.
    expect((await send('POST', `${services}/RolloverStudents/${id}/newYearEnrolment`)).status).toBe(403);
    expect((await send('POST', `${services}/RolloverStudents/RolloverStudent`, job('2027'))).status).toBe(409);

    // The SIS's data changed for real.
    const moved = (await send('GET', `${url('requestsConnector')}/xStudents/${mover['@refId']}`)).body.xStudent;
    expect(moved.enrollment).toMatchObject({ gradeLevel: '04', entryDate: '2026-08-24' });
    const left = (await send('GET', `${url('requestsConnector')}/xStudents/${leaver['@refId']}`)).body.xStudent;
    expect(left.enrollment).toMatchObject({ gradeLevel: '12', exitDate: '2026-06-15' });

    // The events: the SIS's own moves of the job (never the consumer's own requests), and the students.
    const events: { headers: Headers; body: any }[] = [];
    let previous: string | undefined;
    for (;;) {
      const poll = await send('GET', `${queue.body.queue.queueUri}${previous ? `;deleteMessageId=${previous}` : ''}`);
      if (poll.status === 204) break;
      events.push({ headers: poll.headers, body: poll.body });
      previous = poll.headers.get('messageId')!;
    }
    const jobEvents = events.filter((e) => e.headers.get('serviceType') === 'FUNCTIONAL');
    expect(jobEvents.every((e) => e.headers.get('eventAction') === 'UPDATE' && e.headers.get('fingerprint') === env.fingerprint)).toBe(true);
    const moves = jobEvents.map((e) => list(e.body.jobs.job)[0]).map((j: any) => `${phaseState(j, 'oldYearEnrolment')}/${phaseState(j, 'newYearEnrolment')}/${j.state}`);
    expect(moves).toEqual(['INPROGRESS/NOTSTARTED/INPROGRESS', 'COMPLETED/PENDING/INPROGRESS', 'COMPLETED/INPROGRESS/INPROGRESS', 'COMPLETED/COMPLETED/COMPLETED']);
    const studentEvents = events.filter((e) => e.headers.get('serviceName') === 'xStudents');
    expect(studentEvents.flatMap((e) => list(e.body.xStudents.xStudent)).length).toBe(240);

    // Delete the job: 204, then it is gone; its owner is not sent its own delete.
    expect((await send('DELETE', `${services}/RolloverStudents/${id}`)).status).toBe(204);
    expect((await send('GET', `${services}/RolloverStudents/${id}`)).status).toBe(404);
    expect((await send('GET', queue.body.queue.queueUri)).status).toBe(204);
  });
});
