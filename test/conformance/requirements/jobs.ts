import assert from 'node:assert/strict';
import type { Exchange, Harness, Session } from '../harness';
import { BA, IS, demoAuth, freshInstances } from './common';
import type { Requirement } from './types';

// Functional services (jobs, phases, states) over the services connector, against the example
// SIS's RolloverStudents job: Base Architecture 3.2.1 §5.16, Infrastructure Services 3.2.1 §11,
// job.xsd, SIF 3.5 Infrastructure Service Objects §3.5.2; functional-services.md for the wire.

const SO = 'SIF 3.5 Infrastructure Service Objects';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const JOB_ORDER = ['@id', 'name', 'description', 'state', 'stateDescription', 'created', 'lastModified', 'timeout', 'phases', 'initialization'];

const fresh = freshInstances('audit-jobs');
/** Each requirement rolls over (or plans) a school year of its own, so that none depends on another. */
let year = 2030;

/** A JSON request below the mount point as `s`. */
function call(h: Harness, s: Session, path: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; accept?: string } = {}): Promise<Exchange> {
  return h.call(path, {
    method: options.method,
    headers: { Accept: options.accept ?? 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    auth: demoAuth(s),
  });
}

function jobBody(schoolYear: number, id?: string) {
  return { job: { ...(id ? { '@id': id } : {}), name: 'rolloverStudent', initialization: { phaseName: 'oldYearEnrolment', payload: { property: { '@name': 'schoolYear', '#text': String(schoolYear) } } } } };
}

/** Creates a RolloverStudents job for a new school year; its JSON `job`. */
async function newJob(h: Harness, s: Session): Promise<any> {
  const res = await call(h, s, '/services/RolloverStudents/RolloverStudent', { method: 'POST', body: jobBody(++year) });
  assert.equal(res.status, 201, res.text);
  return res.json.job;
}

const list = (v: unknown): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const phaseOf = (job: any, name: string) => list(job.phases.phase).find((p: any) => p.name === name);
const current = (job: any, name: string) => list(phaseOf(job, name).states.state).at(-1).type as string;

/**
 * The functional-service requirements, in the order they run. What each behaviour is checked by:
 * create one and many (JOB-002, JOB-003), read (JOB-004), the list paged (JOB-004, JOB-014), delete
 * (JOB-011, and with the environment JOB-015), service rights (JOB-005), phase rights (JOB-006,
 * end states JOB-010), statesRights (JOB-007, JOB-008), states (JOB-007), events to the owner and
 * never its own (JOB-009, JOB-013), timeout and housekeeping (JOB-012, JOB-013).
 */
export const JOB_REQUIREMENTS: Requirement[] = [
  {
    id: 'JOB-001', source: `${IS} §5.2.3, §11; ${IS} §5 (provisionedZone service type)`, level: 'MUST',
    text: 'The environment lists the servicesConnector ({base}/services) and each functional service provisioned with type FUNCTIONAL',
    async check({ h, demo }) {
      const connector = demo.environment.infrastructureServices.infrastructureService.find((s: any) => s['@name'] === 'servicesConnector');
      assert.equal(connector?.['#text'], `${h.base}/services`);
      const services = list(list(demo.environment.provisionedZones.provisionedZone)[0].services.service);
      assert.equal(services.find((s: any) => s['@name'] === 'RolloverStudents')?.['@type'], 'FUNCTIONAL');
    },
  },
  {
    id: 'JOB-002', source: `${BA} §5.16; ${IS} job.xsd (jobType)`, level: 'MUST',
    text: 'Creating a job answers 201 with the job in schema order: a v4 UUID id, name, state, created, timeout, and phases each with states, required, rights and statesRights',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const res = await call(h, s, '/services/RolloverStudents/RolloverStudent', { method: 'POST', body: jobBody(++year) });
      assert.equal(res.status, 201);
      const job = res.json.job;
      assert.match(job['@id'], UUID4);
      assert.equal(res.headers.get('location'), `${h.base}/services/RolloverStudents/${job['@id']}`);
      assert.deepEqual(Object.keys(job), JOB_ORDER.filter((k) => k in job));
      for (const key of ['name', 'state', 'created', 'timeout', 'phases']) assert.ok(key in job, `job has ${key}`);
      for (const phase of list(job.phases.phase)) {
        assert.deepEqual(Object.keys(phase), ['name', 'states', 'required', 'rights', 'statesRights']);
        assert.ok(list(phase.rights.right).length > 0 && list(phase.statesRights.right).length > 0);
      }
      const xml = await call(h, s, `/services/RolloverStudents/${job['@id']}`, { accept: 'application/xml' });
      assert.match(xml.text, new RegExp(`^<\\?xml[^>]*\\?><job xmlns="http://www.sifassociation.org/infrastructure/${h.version.replace('.', '\\.')}" id="${job['@id']}">`));
    },
  },
  {
    id: 'JOB-003', source: `${BA} §4.3.2 (mustUseAdvisory); functional-services.md §2.3`, level: 'MUST',
    text: 'With mustUseAdvisory the job gets the id the consumer gave; a job id already taken is a 409; jobs are created one by one or many at once (createResponse)',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const id = crypto.randomUUID();
      const one = await call(h, s, '/services/RolloverStudents/RolloverStudent', { method: 'POST', body: jobBody(++year, id), headers: { mustUseAdvisory: 'true' } });
      assert.equal(one.status, 201);
      assert.equal(one.json.job['@id'], id);
      const again = await call(h, s, '/services/RolloverStudents/RolloverStudent', { method: 'POST', body: jobBody(year, id), headers: { mustUseAdvisory: 'true' } });
      assert.equal(again.status, 409);
      const other = crypto.randomUUID();
      const many = await call(h, s, '/services/RolloverStudents', { method: 'POST', headers: { mustUseAdvisory: 'true' }, body: { jobs: { job: [jobBody(year, other).job, jobBody(year, id).job] } } });
      assert.equal(many.status, 200);
      assert.deepEqual(list(many.json.createResponse.creates.create).map((c: any) => [c['@id'], c['@statusCode']]), [[other, '201'], [id, '409']]);
    },
  },
  {
    id: 'JOB-004', source: `${BA} §5.16, §5.4; functional-services.md §6.5`, level: 'MUST',
    text: "A consumer reads its job by id and pages through its own jobs (200, paging headers); another consumer's job is not found (404)",
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const t = await h.register('DemoApp', 'DemoSecret', fresh());
      const job = await newJob(h, s);
      await newJob(h, s);
      assert.equal((await call(h, s, `/services/RolloverStudents/${job['@id']}`)).status, 200);
      assert.equal((await call(h, t, `/services/RolloverStudents/${job['@id']}`)).status, 404);
      const page = await call(h, s, '/services/RolloverStudents', { headers: { navigationPage: '1', navigationPageSize: '1' } });
      assert.equal(page.status, 200);
      assert.equal(list(page.json.jobs.job).length, 1);
      assert.equal(page.headers.get('navigationCount'), '2');
      const none = await call(h, t, '/services/RolloverStudents');
      assert.equal(none.status, 200);
      assert.equal(list(none.json.jobs.job).length, 0);
    },
  },
  {
    id: 'JOB-005', source: `${BA} §5.1, §5.16 (CREATE and QUERY rights on the service)`, level: 'MUST',
    text: 'Job operations need the right on the functional service: CREATE rejected is a 403; a job is never updated (PUT is a 403)',
    async check({ h, demo, readOnly }) {
      assert.equal((await call(h, readOnly, '/services/RolloverStudents/RolloverStudent', { method: 'POST', body: jobBody(++year) })).status, 403);
      assert.equal((await call(h, readOnly, '/services/RolloverStudents')).status, 200);
      const job = await newJob(h, demo);
      assert.equal((await call(h, demo, `/services/RolloverStudents/${job['@id']}`, { method: 'PUT', body: jobBody(year) })).status, 403);
    },
  },
  {
    id: 'JOB-006', source: `${BA} §5.16; ${IS} job.xsd (phaseType rights)`, level: 'MUST',
    text: "A request to a phase is answered by the provider's phase code when the phase's rights approve its operation, and refused with 403 when they do not",
    async check({ h, demo }) {
      const job = await newJob(h, demo);
      const plan = await call(h, demo, `/services/RolloverStudents/${job['@id']}/oldYearEnrolment`);
      assert.equal(plan.status, 200);
      assert.ok(Number(plan.json.rolloverPlan.promoted) > 0);
      const put = await call(h, demo, `/services/RolloverStudents/${job['@id']}/oldYearEnrolment`, { method: 'PUT', body: { x: {} } });
      assert.equal(put.status, 403);
      assert.equal((await call(h, demo, `/services/RolloverStudents/${job['@id']}/nowhere`)).status, 404);
    },
  },
  {
    id: 'JOB-007', source: `${IS} job.xsd (stateType servicePath …/states/state); ${BA} §5.1`, level: 'MUST',
    text: 'A consumer adds a state to a phase (201 with id, type, created, lastModified); it becomes the phase state, listed last by GET …/states, and the job state follows',
    async check({ h, demo }) {
      const job = await newJob(h, demo);
      const res = await call(h, demo, `/services/RolloverStudents/${job['@id']}/oldYearEnrolment/states/state`, { method: 'POST', body: { state: { type: 'COMPLETED' } } });
      assert.equal(res.status, 201);
      assert.match(res.json.state['@id'], UUID4);
      assert.deepEqual(Object.keys(res.json.state), ['@id', 'type', 'created', 'lastModified']);
      const states = await call(h, demo, `/services/RolloverStudents/${job['@id']}/oldYearEnrolment/states`);
      assert.equal(list(states.json.states.state).at(-1)['@id'], res.json.state['@id']);
      const after = (await call(h, demo, `/services/RolloverStudents/${job['@id']}`)).json.job;
      assert.equal(current(after, 'oldYearEnrolment'), 'COMPLETED');
      assert.equal(after.state, 'INPROGRESS');
    },
  },
  {
    id: 'JOB-008', source: `${IS} job.xsd (phaseStateType, statesRights)`, level: 'MUST',
    text: 'A state type outside phaseStateType is a 400; a state on a phase whose statesRights do not approve CREATE is a 403',
    async check({ h, demo }) {
      const job = await newJob(h, demo);
      const bad = await call(h, demo, `/services/RolloverStudents/${job['@id']}/oldYearEnrolment/states/state`, { method: 'POST', body: { state: { type: 'DONE' } } });
      assert.equal(bad.status, 400);
      const refused = await call(h, demo, `/services/RolloverStudents/${job['@id']}/newYearEnrolment/states/state`, { method: 'POST', body: { state: { type: 'COMPLETED' } } });
      assert.equal(refused.status, 403);
    },
  },
  {
    id: 'JOB-009', source: `${SO} §3.5.2; ${BA} §4.3.2 (fingerprint)`, level: 'MUST',
    text: "Job events reach the job's owner through a FUNCTIONAL subscription, with its fingerprint; changes made by the owner's own requests are not published to it",
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const queue = (await call(h, s, '/queues/queue', { method: 'POST', body: { queue: { polling: 'IMMEDIATE' } } })).json.queue;
      const sub = await call(h, s, '/subscriptions', { method: 'POST', body: { subscription: { serviceType: 'FUNCTIONAL', serviceName: 'RolloverStudents', queueId: queue['@id'] } } });
      assert.equal(sub.status, 201);
      const job = await newJob(h, s); // the SIS opens the review: one UPDATE event
      await call(h, s, `/services/RolloverStudents/${job['@id']}/oldYearEnrolment/states/state`, { method: 'POST', body: { state: { type: 'FAILED' } } });
      const path = new URL(queue.queueUri).pathname.replace(/^\/sif3/, '');
      const first = await call(h, s, path);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('serviceType'), 'FUNCTIONAL');
      assert.equal(first.headers.get('eventAction'), 'UPDATE');
      assert.equal(first.headers.get('fingerprint'), s.environment.fingerprint);
      assert.equal(current(list(first.json.jobs.job)[0], 'oldYearEnrolment'), 'INPROGRESS');
      const next = await call(h, s, `${path};deleteMessageId=${first.headers.get('messageId')}`);
      assert.equal(next.status, 204, 'the consumer\'s own state (FAILED) is not echoed');
    },
  },
  {
    id: 'JOB-010', source: `${BA} §5.16; ${IS} job.xsd (jobStateType)`, level: 'MUST',
    text: 'A job runs through its phases to COMPLETED; after that its phases accept no changes (403) and the job stays readable',
    async check({ h, demo }) {
      const job = await newJob(h, demo);
      const base = `/services/RolloverStudents/${job['@id']}`;
      assert.equal((await call(h, demo, `${base}/oldYearEnrolment/states/state`, { method: 'POST', body: { state: { type: 'COMPLETED' } } })).status, 201);
      assert.equal((await call(h, demo, `${base}/newYearEnrolment`, { method: 'POST' })).status, 202);
      let state = '';
      for (let i = 0; i < 200 && state !== 'COMPLETED'; i++) {
        state = (await call(h, demo, base)).json.job.state;
        if (state !== 'COMPLETED') await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(state, 'COMPLETED');
      assert.equal((await call(h, demo, `${base}/newYearEnrolment`, { method: 'POST' })).status, 403);
      assert.equal((await call(h, demo, `${base}/oldYearEnrolment/states/state`, { method: 'POST', body: { state: { type: 'FAILED' } } })).status, 403);
      assert.equal((await call(h, demo, `${base}/newYearEnrolment`)).status, 200);
    },
  },
  {
    id: 'JOB-011', source: `${BA} §5.1, §5.14`, level: 'MUST',
    text: 'A consumer deletes its job (204, then 404), or several with PUT, methodOverride DELETE and a deleteRequest (deleteResponse)',
    async check({ h, demo }) {
      const a = await newJob(h, demo);
      const b = await newJob(h, demo);
      assert.equal((await call(h, demo, `/services/RolloverStudents/${a['@id']}`, { method: 'DELETE' })).status, 204);
      assert.equal((await call(h, demo, `/services/RolloverStudents/${a['@id']}`)).status, 404);
      const many = await call(h, demo, '/services/RolloverStudents', {
        method: 'PUT',
        headers: { methodOverride: 'DELETE' },
        body: { deleteRequest: { deletes: { delete: [{ '@id': b['@id'] }, { '@id': a['@id'] }] } } },
      });
      assert.equal(many.status, 200);
      assert.deepEqual(list(many.json.deleteResponse.deletes.delete).map((d: any) => d['@statusCode']), ['204', '404']);
    },
  },
  {
    id: 'JOB-012', source: `${IS} job.xsd (timeout); functional-services.md §3.3`, level: 'MUST',
    text: 'A job carries the timeout after which the provider removes it (an xs:duration)',
    async check({ h, demo }) {
      const job = await newJob(h, demo);
      assert.match(job.timeout, /^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/);
    },
  },
  {
    id: 'JOB-013', source: `${IS} job.xsd (timeout: "the amount of time after creation before this job is automatically deleted"); ${SO} §3.5.2`, level: 'MUST',
    text: "A job is kept until its timeout has passed, then removed by the provider's housekeeping (404), and its owner is sent the DELETE event",
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const queue = (await call(h, s, '/queues/queue', { method: 'POST', body: { queue: { polling: 'IMMEDIATE' } } })).json.queue;
      const sub = await call(h, s, '/subscriptions', { method: 'POST', body: { subscription: { serviceType: 'FUNCTIONAL', serviceName: 'RolloverStudents', queueId: queue['@id'] } } });
      assert.equal(sub.status, 201);
      const job = await newJob(h, s);
      const days = /^P(\d+)D$/.exec(job.timeout);
      assert.ok(days, `the example's timeout is a number of days (${job.timeout})`);
      const timeout = Number(days[1]) * 86_400_000;
      // Housekeeping as the provider's timer runs it, with the clock just before, then just after, the timeout.
      await h.later(timeout - 3_600_000, () => h.provider.jobs.housekeeping());
      assert.equal((await call(h, s, `/services/RolloverStudents/${job['@id']}`)).status, 200, 'kept before its timeout');
      assert.ok((await h.later(timeout + 1_000, () => h.provider.jobs.housekeeping())) >= 1);
      assert.equal((await call(h, s, `/services/RolloverStudents/${job['@id']}`)).status, 404, 'removed after its timeout');
      const path = new URL(queue.queueUri).pathname.replace(/^\/sif3/, '');
      const events: Exchange[] = [];
      for (let previous: string | null = null, i = 0; i < 10; i++) {
        const res = await call(h, s, previous ? `${path};deleteMessageId=${previous}` : path);
        if (res.status === 204) break;
        events.push(res);
        previous = res.headers.get('messageId');
      }
      const last = events.at(-1);
      assert.equal(last?.headers.get('eventAction'), 'DELETE');
      assert.equal(last?.headers.get('fingerprint'), s.environment.fingerprint);
      assert.equal(list(last?.json.jobs.job)[0]['@id'], job['@id']);
    },
  },
  {
    id: 'JOB-014', source: `${BA} §5.4 (paging); ${IS} §11`, level: 'MUST',
    text: "The list of a consumer's jobs pages like any collection: navigationPage, navigationPageSize, navigationCount and navigationLastPage on each page, every job once, oldest first",
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const ids = [(await newJob(h, s))['@id'], (await newJob(h, s))['@id'], (await newJob(h, s))['@id']];
      const seen: string[] = [];
      for (const [page, onPage] of [[1, 2], [2, 1]]) {
        const res = await call(h, s, '/services/RolloverStudents', { headers: { navigationPage: String(page), navigationPageSize: '2' } });
        assert.equal(res.status, 200);
        const headers = ['navigationPage', 'navigationPageSize', 'navigationCount', 'navigationLastPage'].map((n) => res.headers.get(n));
        assert.deepEqual(headers, [String(page), String(onPage), '3', '2']);
        seen.push(...list(res.json.jobs.job).map((j: any) => j['@id']));
      }
      assert.deepEqual(seen, ids);
    },
  },
  {
    id: 'JOB-015', source: `${IS} §5.3 (Delete); ${BA} §5.16`, level: 'MUST',
    text: 'Deleting an environment deletes its jobs: the consumer that registers again under the same identity finds none of them',
    async check({ h }) {
      const instanceId = fresh();
      const s = await h.register('DemoApp', 'DemoSecret', instanceId);
      const job = await newJob(h, s);
      assert.equal((await call(h, s, `/environments/${s.id}`, { method: 'DELETE' })).status, 204);
      const again = await h.register('DemoApp', 'DemoSecret', instanceId);
      assert.notEqual(again.id, s.id);
      assert.equal((await call(h, again, `/services/RolloverStudents/${job['@id']}`)).status, 404);
      assert.equal(list((await call(h, again, '/services/RolloverStudents')).json.jobs.job).length, 0);
    },
  },
  {
    id: 'JOB-016', source: `${IS} job.xsd (stateType description)`, level: 'MUST',
    text: 'The description a consumer sends with a state is kept: in the 201 answer after lastModified, and in GET …/states',
    async check({ h, demo }) {
      const job = await newJob(h, demo);
      const path = `/services/RolloverStudents/${job['@id']}/oldYearEnrolment/states`;
      const res = await call(h, demo, `${path}/state`, { method: 'POST', body: { state: { type: 'COMPLETED', description: 'enrolments closed' } } });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.json.state), ['@id', 'type', 'created', 'lastModified', 'description']);
      assert.equal(res.json.state.description, 'enrolments closed');
      const states = await call(h, demo, path);
      assert.equal(list(states.json.states.state).at(-1).description, 'enrolments closed');
    },
  },
];
