import type { JobState } from '../jobs/types';
import { INFRASTRUCTURE_NAMESPACE } from './codec';
import { SifClientError } from './errors';
import { PhaseClient, StatesClient } from './job-phases';
import type { JobInfo } from './job-shapes';
import { parseJob } from './job-shapes';
import { FunctionalTarget } from './job-target';
import { operationResults } from '../payload/operation-results';
import type { Transport } from './transport';
import type { OperationResult, Scope, SifObject } from './types';
import { walk } from './walk';

// The consumer side of functional services (Base Architecture §5.16, Infrastructure Services §11):
// jobs created, read, listed and deleted through the services connector, their phases and states.

export type { JobInfo, JobPhaseInfo, JobStateEntry } from './job-shapes';
export type { PhaseAnswer, PhasePayload } from './job-phases';
export { PhaseClient, StatesClient } from './job-phases';

/**
 * A functional service's options: the zone and context its jobs live in (default: the consumer's
 * default zone and DEFAULT), the page size of `list`, and the names a create request carries.
 *
 * @example
 * client.functionalService('RolloverStudents', { zoneId: 'District', pageSize: 20 });
 */
export interface FunctionalServiceOptions extends Scope {
  /** The last segment of the create URL; default the service name without its final `s`. */
  singular?: string;
  /** The `name` a created job carries (providers take theirs from the service); default the singular, first letter lower-case. */
  jobName?: string;
  /** Jobs per page of `list`; default 100. */
  pageSize?: number;
}

/**
 * What a job is started with (`initializationType`): the phase it concerns and an opaque payload
 * (`jobProperties` makes the usual `propertiesType` one).
 *
 * @example
 * await rollover.create({ phaseName: 'oldYearEnrolment', payload: jobProperties({ schoolYear: '2027' }) });
 */
export interface JobInitializationInput {
  phaseName?: string;
  payload: SifObject | string;
}

/**
 * How `waitFor` polls: every `intervalMs` (default 1000) until `timeoutMs` (default 60000), or until
 * `signal` aborts.
 *
 * @example
 * await job.waitFor(['COMPLETED', 'FAILED'], { intervalMs: 500, timeoutMs: 120_000 });
 */
export interface WaitOptions {
  intervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Job states after which a provider takes no more changes: what `waitFor` waits for by default. */
export const FINAL_JOB_STATES: readonly JobState[] = ['COMPLETED', 'FAILED'];

/**
 * A `propertiesType` payload (`<property name="…">…</property>`), the usual initialization.
 *
 * @example
 * jobProperties({ schoolYear: '2027' }); // { property: [{ '@name': 'schoolYear', '#text': '2027' }] }
 */
export function jobProperties(properties: Readonly<Record<string, string>>): SifObject {
  return { property: Object.entries(properties).map(([name, value]) => ({ '@name': name, '#text': value })) };
}

/**
 * The jobs of one functional service: made by `client.functionalService(name)`. Requests are signed
 * in the client's session and carry `serviceType: FUNCTIONAL`; zone and context travel as matrix
 * parameters.
 *
 * @example
 * const rollover = client.functionalService('RolloverStudents');
 * const job = await rollover.create({ phaseName: 'oldYearEnrolment', payload: jobProperties({ schoolYear: '2027' }) });
 * for await (const j of rollover.list()) console.log(j.id, j.state);
 */
export class FunctionalServiceClient {
  readonly name: string;
  readonly singular: string;
  readonly jobName: string;
  private readonly target: FunctionalTarget;

  constructor(transport: Transport, name: string, options: FunctionalServiceOptions = {}) {
    this.target = new FunctionalTarget(transport, name, { zoneId: options.zoneId, contextId: options.contextId }, options.pageSize);
    this.name = name;
    this.singular = options.singular ?? (name.endsWith('s') ? name.slice(0, -1) : name);
    this.jobName = options.jobName ?? this.singular.charAt(0).toLowerCase() + this.singular.slice(1);
  }

  /**
   * Starts a job: 201 with the job as the provider made it (its phases, rights and timeout come
   * from the provider). With `id` the provider must use it (`mustUseAdvisory`; a 409 when taken).
   *
   * @example
   * const job = await rollover.create({ payload: jobProperties({ schoolYear: '2027' }) });
   */
  async create(initialization?: JobInitializationInput, options: { id?: string } = {}): Promise<JobInfo> {
    const response = await this.target.send({
      method: 'POST',
      url: this.target.url([this.singular]),
      headers: { mustUseAdvisory: options.id ? 'true' : undefined },
      body: { root: 'job', value: this.jobBody(initialization, options.id), namespace: INFRASTRUCTURE_NAMESPACE },
      expect: [201, 200],
      what: `POST ${this.name}/${this.singular}`,
    });
    if (!response.body || response.body.root !== 'job') throw new SifClientError(response.status, `POST ${this.name}/${this.singular}: the answer holds no job`);
    return parseJob(response.body.value);
  }

  /**
   * Starts several jobs in one request (`jobs`); one result per job, in order (a refused job does not
   * stop the others). With ids, the provider must use them.
   *
   * @example
   * const results = await rollover.createMany([{ payload: jobProperties({ schoolYear: '2027' }) }]); // [{ id, status: 201, ok: true }]
   */
  async createMany(jobs: ReadonlyArray<{ initialization?: JobInitializationInput; id?: string }>): Promise<OperationResult[]> {
    const withIds = jobs.some((j) => j.id);
    const response = await this.target.send({
      method: 'POST',
      url: this.target.url([]),
      headers: { mustUseAdvisory: withIds ? 'true' : undefined },
      body: { root: 'jobs', value: { job: jobs.map((j) => this.jobBody(j.initialization, j.id)) }, namespace: INFRASTRUCTURE_NAMESPACE },
      expect: [200],
      what: `POST ${this.name}`,
    });
    return response.body ? operationResults(response.body.value, 'creates', 'create') : [];
  }

  /**
   * One of this consumer's jobs; null when there is none (404: deleted, expired, or not its own).
   *
   * @example
   * const job = await rollover.get(id); if (job?.state === 'COMPLETED') …
   */
  async get(id: string): Promise<JobInfo | null> {
    const response = await this.target.send({ method: 'GET', url: this.target.url([id]), expect: [200, 404], what: `GET ${this.name}/${id}` });
    if (response.status === 404 || !response.body) return null;
    return parseJob(response.body.value);
  }

  /**
   * Every job of this consumer's in the zone and context, oldest first, page after page.
   *
   * @example
   * for await (const job of rollover.list()) console.log(job.id, job.state);
   */
  async *list(options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<JobInfo> {
    const pages = walk(this.target, options, (page, size) => ({
      method: 'GET',
      url: this.target.url([]),
      headers: { navigationPage: String(page), navigationPageSize: String(size) },
    }));
    for await (const page of pages) for (const job of page.objects) yield parseJob(job);
  }

  /**
   * Deletes a job (the provider stops its work); false when there is none (404).
   *
   * @example
   * await rollover.delete(id);
   */
  async delete(id: string): Promise<boolean> {
    const response = await this.target.send({ method: 'DELETE', url: this.target.url([id]), expect: [204, 200, 404], what: `DELETE ${this.name}/${id}` });
    return response.status !== 404;
  }

  /**
   * Deletes several jobs in one request (`PUT` + `methodOverride: DELETE` + `deleteRequest`); one
   * result per id (204, or 404 for one that is not there).
   *
   * @example
   * const results = await rollover.deleteMany([a, b]);
   */
  async deleteMany(ids: readonly string[]): Promise<OperationResult[]> {
    const response = await this.target.send({
      method: 'PUT',
      url: this.target.url([]),
      headers: { methodOverride: 'DELETE' },
      body: { root: 'deleteRequest', value: { deletes: { delete: ids.map((id) => ({ '@id': id })) } }, namespace: INFRASTRUCTURE_NAMESPACE },
      expect: [200],
      what: `DELETE ${this.name} (deleteRequest)`,
    });
    return response.body ? operationResults(response.body.value, 'deletes', 'delete') : [];
  }

  /**
   * One job by id: its phases, its states, waiting for it.
   *
   * @example
   * const job = rollover.job(id);
   * await job.states('oldYearEnrolment').create('COMPLETED');
   * await job.phase('newYearEnrolment').post();
   * const done = await job.waitFor();
   */
  job(id: string): JobClient {
    return new JobClient(this, this.target, id);
  }

  private jobBody(initialization: JobInitializationInput | undefined, id: string | undefined): SifObject {
    const body: SifObject = id ? { '@id': id, name: this.jobName } : { name: this.jobName };
    if (initialization) {
      body.initialization = initialization.phaseName === undefined ? { payload: initialization.payload } : { phaseName: initialization.phaseName, payload: initialization.payload };
    }
    return body;
  }
}

/**
 * One job: read or delete it, reach its phases and their states, wait for a state.
 *
 * @example
 * const job = client.functionalService('RolloverStudents').job(id);
 * const plan = await job.phase('oldYearEnrolment').get();
 */
export class JobClient {
  constructor(
    private readonly service: FunctionalServiceClient,
    private readonly target: FunctionalTarget,
    readonly id: string,
  ) {}

  /** The job now; null when it is gone. */
  get(): Promise<JobInfo | null> {
    return this.service.get(this.id);
  }

  /** Deletes the job; false when it was gone. */
  delete(): Promise<boolean> {
    return this.service.delete(this.id);
  }

  /** Requests to one of the job's phases. */
  phase(name: string): PhaseClient {
    return new PhaseClient(this.target, this.id, name);
  }

  /** The state history of one of the job's phases. */
  states(phase: string): StatesClient {
    return new StatesClient(this.target, this.id, phase);
  }

  /**
   * Polls the job until it is in one of `states` (default COMPLETED or FAILED) or `until` holds;
   * resolves with it. A job that disappears is a `SifClientError` 404; running out of time, one
   * with status 0; an aborted `signal` rejects with its reason.
   *
   * @example
   * const job = await rollover.job(id).waitFor(['COMPLETED', 'FAILED'], { intervalMs: 250, timeoutMs: 30_000 });
   */
  async waitFor(states: readonly JobState[] | ((job: JobInfo) => boolean) = FINAL_JOB_STATES, options: WaitOptions = {}): Promise<JobInfo> {
    const done = typeof states === 'function' ? states : (job: JobInfo) => job.state !== undefined && states.includes(job.state);
    const interval = options.intervalMs ?? 1000;
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      options.signal?.throwIfAborted();
      const job = await this.get();
      if (!job) throw new SifClientError(404, `${this.service.name}/${this.id}: the job is gone`, { request: `GET ${this.service.name}/${this.id}` });
      if (done(job)) return job;
      if (Date.now() + interval > deadline) {
        throw new SifClientError(0, `${this.service.name}/${this.id}: still ${job.state ?? 'without a state'} after ${options.timeoutMs ?? 60_000} ms`);
      }
      await sleep(interval, options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
