import type { ResolvedConfig } from '../config/resolve';
import { BadRequestError, ConflictError, QuotaExceededError } from '../errors';
import type { JobCreateRequest } from '../payload/job';
import type { SifRequestContext } from '../services/types';
import type { JobRecord } from '../store/job-records';
import { newId } from '../util/ids';
import type { RegisteredJob } from './definition';
import type { JobEvents } from './events';
import { expiryOf, newJob, withJobState, withPhaseState } from './model';
import type { Job, JobOwner, JobState, JobsApi, PhaseState } from './types';
import { JOB_STATES, PHASE_STATES } from '../protocol/enums';

/** How often housekeeping looks for jobs past their timeout. */
const HOUSEKEEPING_MS = 60_000;
/** Expired jobs removed per store read during housekeeping. */
const HOUSEKEEPING_BATCH = 100;
/** Attempts at a change that keeps meeting concurrent changes to the same job. */
const MAX_ATTEMPTS = 20;

/**
 * The jobs of a provider's functional services: created and read for the services connector,
 * changed by consumers (states) and by host code (`provider.jobs`), removed by their consumer or
 * after their timeout. Every change is a read-modify-write against the stored version, retried on
 * a concurrent change, and then published (jobs/events.ts).
 *
 * @example
 * const jobs = new JobManager(config, new JobEvents(queues?.publisher, namespace));
 * await jobs.setPhaseState(jobId, 'rollover', 'COMPLETED');
 */
export class JobManager implements JobsApi {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly events: JobEvents,
  ) {}

  /** The job definition of a functional service, or undefined when `serviceName` is not one. */
  definition(serviceName: string): RegisteredJob | undefined {
    return this.config.services.get(serviceName)?.job;
  }

  /**
   * Creates and stores a job for a consumer's request, then runs the definition's `init`; a failing
   * `init` removes the job again and its error is thrown. The suggested id is used under
   * `mustUseAdvisory` (400 without one, 409 when taken), else the provider assigns one.
   */
  async create(ctx: SifRequestContext, owner: JobOwner, request: JobCreateRequest, mustUseAdvisory: boolean): Promise<Job> {
    const def = this.definition(ctx.serviceName)!;
    if (mustUseAdvisory && !request.id) throw new BadRequestError('mustUseAdvisory is true, but the job has no id');
    const id = mustUseAdvisory ? request.id! : newId();
    const job = newJob(ctx.serviceName, def, id, this.now(), request.initialization);
    const record: JobRecord = { job, owner, expiresAt: expiryOf(job), version: 1 };
    const max = this.config.limits.jobsPerEnvironment;
    const outcome = await this.config.store.createJob(record, max);
    if (outcome === 'taken') throw new ConflictError(`A job with id ${id} exists`, { scope: ctx.serviceName });
    if (outcome === 'full') {
      throw new QuotaExceededError(409, 'limits.jobsPerEnvironment', `An environment may have at most ${max} jobs`, {
        scope: ctx.serviceName,
        description: 'Delete finished jobs first; jobs are also removed after their timeout',
      });
    }
    if (def.init) {
      try {
        await def.init(ctx, job);
      } catch (err) {
        await this.config.store.deleteJob(id);
        throw err;
      }
    }
    return (await this.config.store.getJob(id))?.job ?? job;
  }

  /** The stored job record. */
  read(jobId: string): Promise<JobRecord | undefined> {
    return this.config.store.getJob(jobId);
  }

  /**
   * Applies `make` to the job as stored and stores the result, again on a concurrent change, then
   * publishes it; `causedBy` is the environment whose request made the change. Undefined when the
   * job is gone.
   */
  async change(jobId: string, make: (job: Job, now: string) => Job, causedBy: string | undefined): Promise<JobRecord | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.config.store.getJob(jobId);
      if (!stored) return undefined;
      const next: JobRecord = { ...stored, job: make(stored.job, this.now()), version: stored.version + 1 };
      if (await this.config.store.replaceJob(next)) {
        await this.publish('UPDATE', next, causedBy);
        return next;
      }
    }
    throw new ConflictError(`Job ${jobId} is changing too often to be changed now; try again`);
  }

  /**
   * Removes a job, then tells the definition's `deleted` (once, even when several instances race to
   * remove it; a throw is logged) and publishes its DELETE event. False when it was gone.
   */
  async remove(record: JobRecord, causedBy: string | undefined): Promise<boolean> {
    if (!(await this.config.store.deleteJob(record.job.id))) return false;
    try {
      await this.definition(record.job.serviceName)?.deleted?.(record.job);
    } catch (err) {
      this.config.logger.error(`sif3-direct: the deleted hook of ${record.job.serviceName} failed for job ${record.job.id}`, err);
    }
    await this.publish('DELETE', record, causedBy);
    return true;
  }

  /**
   * Removes every job of an environment that is being deleted, each through `remove` (its service's
   * `deleted` hook runs once; no event, as the owner's subscriptions go with it), before the store
   * deletes the environment, which would drop them silently. How many it removed.
   */
  async removeEnvironmentJobs(environmentId: string): Promise<number> {
    let removed = 0;
    for (;;) {
      const owned = await this.config.store.environmentJobs(environmentId, HOUSEKEEPING_BATCH);
      let progress = false;
      for (const record of owned) {
        if (await this.remove(record, environmentId)) {
          removed++;
          progress = true;
        }
      }
      if (owned.length < HOUSEKEEPING_BATCH || !progress) return removed;
    }
  }

  async get(jobId: string): Promise<Job | undefined> {
    return (await this.read(jobId))?.job;
  }

  async setPhaseState(jobId: string, phaseName: string, state: PhaseState, description?: string): Promise<Job | undefined> {
    if (!(PHASE_STATES as readonly string[]).includes(state)) throw new TypeError(`sif3-direct: ${String(state)} is not a phase state (${PHASE_STATES.join(', ')})`);
    const record = await this.change(
      jobId,
      (job, now) => {
        if (!job.phases.some((p) => p.name === phaseName)) throw new TypeError(`sif3-direct: job ${jobId} of ${job.serviceName} has no phase ${phaseName}`);
        return withPhaseState(job, phaseName, { id: newId(), type: state, created: now, lastModified: now, description }, now);
      },
      undefined,
    );
    return record?.job;
  }

  async setJobState(jobId: string, state: JobState, description?: string): Promise<Job | undefined> {
    if (!(JOB_STATES as readonly string[]).includes(state)) throw new TypeError(`sif3-direct: ${String(state)} is not a job state (${JOB_STATES.join(', ')})`);
    return (await this.change(jobId, (job, now) => withJobState(job, state, description, now), undefined))?.job;
  }

  async delete(jobId: string): Promise<boolean> {
    const record = await this.read(jobId);
    return record ? this.remove(record, undefined) : false;
  }

  async housekeeping(): Promise<number> {
    let removed = 0;
    for (;;) {
      const expired = await this.config.store.expiredJobs(this.now(), HOUSEKEEPING_BATCH);
      let progress = false;
      for (const record of expired) {
        if (await this.remove(record, undefined)) {
          removed++;
          progress = true;
        }
      }
      if (expired.length < HOUSEKEEPING_BATCH || !progress) return removed;
    }
  }

  /** Starts housekeeping every minute (the timer does not keep the process alive). */
  start(): void {
    this.timer ??= setInterval(() => {
      this.housekeeping().catch((err) => this.config.logger.error('sif3-direct: job housekeeping failed', err));
    }, HOUSEKEEPING_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Publishes a stored change; a failure is logged (the change itself is stored and answered). */
  private async publish(action: 'UPDATE' | 'DELETE', record: JobRecord, causedBy: string | undefined): Promise<void> {
    try {
      await this.events.publish(action, record, causedBy);
    } catch (err) {
      this.config.logger.error(`sif3-direct: the ${action} event of job ${record.job.id} could not be queued`, err);
    }
  }

  private now(): string {
    return this.config.clock().toISOString();
  }
}
