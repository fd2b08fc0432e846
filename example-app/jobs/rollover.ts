import { randomUUID } from 'node:crypto';
import type { GoessnerObject, Job, ServiceDefinition, SifProvider, SifRequestContext } from 'sif3-direct';
import { BadRequestError, ConflictError } from 'sif3-direct';
import type { SisConnection } from '../sis/connection';
import { claimRun, doneRollover, endRun, ensureRolloverTable, orphanRuns, planRollover, runRollover } from './rollover-work';
import type { RolloverPlan, RolloverRun } from './rollover-work';

/** The namespace of the rollover's own phase payloads (plans and reports): the SIS's, not SIF's. */
export const ROLLOVER_NS = 'http://springfield.k12.example/sis/rollover';

/**
 * `RolloverStudents`, the Springfield SIS's year-end functional service (the A4L framework's demo
 * job, made real). A district system creates a job with the new `schoolYear` in its initialization,
 * then:
 * 1. `oldYearEnrolment` (INPROGRESS from the start): GET it for the plan (who moves up, who
 *    leaves), then add the state COMPLETED to approve it (`…/oldYearEnrolment/states/state`);
 *    `newYearEnrolment` becomes PENDING.
 * 2. `newYearEnrolment`: POST it to roll over (202): every enrolled student moves up a grade, or
 *    leaves after the school's last one, in one SIS transaction, reported to xStudents subscribers;
 *    the phase, and with it the job, becomes COMPLETED. GET it for the report.
 * Each year is rolled over once (a second job for it is a 409).
 *
 * A run survives restarts: it is recorded (`rollover_runs`) before the 202, and `attach` resumes
 * every run no live instance holds whose phase is still INPROGRESS. The rollover is one SIS
 * transaction that records its year, so a resumed run either finds the year done (the restart came
 * after the commit) and reports it, or rolls over from scratch (nothing was committed). On
 * PostgreSQL an instance's claim lapses after `leaseMs` without word, and another takes the run over.
 *
 * @example
 * const rollover = new RolloverService(connection, log);
 * const provider = createSifProvider({ services: { ...sisServices(connection), RolloverStudents: rollover.definition() }, … });
 * rollover.attach(provider);
 */
export class RolloverService {
  private provider: SifProvider | undefined;
  /** Rollovers running in this process, by job id. */
  private readonly running = new Map<string, Promise<void>>();
  /** This instance, as the holder of the runs it claims. */
  private readonly owner = randomUUID();
  private resuming: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `leaseMs`: how long another instance's run may go without word before this one takes it over;
   * 0 (the default) when this process alone serves the SIS, as on SQLite: every run left is its own.
   */
  constructor(
    private readonly sis: SisConnection,
    private readonly log: (line: string) => void,
    private readonly leaseMs = 0,
  ) {}

  /** The provider whose `jobs` the rollover moves on; before any request. Resumes runs a restart cut off. */
  attach(provider: SifProvider): void {
    this.provider = provider;
    this.kick();
    if (this.leaseMs > 0) {
      // Runs of an instance that went silent are looked for again once its claims can have lapsed.
      this.timer = setInterval(() => this.kick(), this.leaseMs);
      this.timer.unref();
    }
  }

  /** Resolves when no rollover runs and none is being resumed (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.resuming) await Promise.allSettled([...this.running.values(), this.resuming]);
  }

  /** Stops looking for runs to resume, and waits for those running. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }

  /** Looks for runs to resume, unless a look is under way. */
  private kick(): void {
    this.resuming ??= this.resume()
      .catch((err) => this.log(`[rollover] looking for runs to resume failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.resuming = undefined;
      });
  }

  /**
   * Resumes the runs no live instance holds: those whose job still has newYearEnrolment INPROGRESS
   * run (again); the others (finished, deleted, or cut off before the 202) are forgotten.
   */
  private async resume(): Promise<void> {
    const { owner, leaseMs } = this;
    const runs = await this.sis.write(function* (sql) {
      yield* ensureRolloverTable(sql);
      return yield* orphanRuns(sql, owner, Date.now() - leaseMs);
    });
    for (const run of runs) {
      if (this.running.has(run.jobId)) continue;
      const job = await this.jobs().get(run.jobId);
      const states = job?.phases.find((p) => p.name === 'newYearEnrolment')?.states;
      if (states?.[states.length - 1]?.type !== 'INPROGRESS') {
        await this.sis.write((sql) => endRun(sql, run.jobId));
        continue;
      }
      if (!(await this.claim(run))) continue;
      this.log(`[rollover] resuming job ${run.jobId} (${run.schoolYear}), cut off by a restart`);
      this.track(run);
    }
  }

  private claim(run: RolloverRun): Promise<boolean> {
    const { owner, leaseMs } = this;
    const now = Date.now();
    return this.sis.write(function* (sql) {
      yield* ensureRolloverTable(sql);
      return yield* claimRun(sql, run, owner, now, now - leaseMs);
    });
  }

  private track(run: RolloverRun): void {
    const running = this.run(run.jobId, run.schoolYear).finally(() => this.running.delete(run.jobId));
    this.running.set(run.jobId, running);
  }

  definition(): ServiceDefinition {
    return {
      type: 'FUNCTIONAL',
      job: {
        name: 'rolloverStudent',
        description: 'Roll every enrolled student over into the next school year',
        stateDescription: 'Review the plan of oldYearEnrolment, approve it, then run newYearEnrolment',
        timeout: 'P7D',
        phases: {
          oldYearEnrolment: {
            statesRights: ['QUERY', 'CREATE'],
            handlers: { query: async (_ctx, { job }) => ({ payload: planPayload(await this.sis.read((sql) => planRollover(sql, schoolYearOf(job)))) }) },
          },
          newYearEnrolment: {
            handlers: {
              create: async (_ctx, { job }) => this.start(job),
              query: async (_ctx, { job }) => report(job),
            },
          },
        },
        init: (ctx, job) => this.init(ctx, job),
        // A deleted job's run is not resumed (one under way here finishes: it is one transaction).
        deleted: async (job) =>
          this.sis.write(function* (sql) {
            yield* ensureRolloverTable(sql);
            yield* endRun(sql, job.id);
          }),
        stateChanged: async (_ctx, job, phase, state) => {
          if (phase === 'oldYearEnrolment' && state === 'COMPLETED') {
            await this.jobs().setPhaseState(job.id, 'newYearEnrolment', 'PENDING', 'Approved: POST to this phase to roll over');
          }
        },
      },
    };
  }

  /** A new job: its school year must be a year not yet rolled over; the review starts. */
  private async init(ctx: SifRequestContext, job: Job): Promise<void> {
    const year = schoolYearOf(job);
    const done = await this.sis.write(function* (sql) {
      yield* ensureRolloverTable(sql);
      return yield* doneRollover(sql, year);
    });
    if (done) throw new ConflictError(`School year ${year} was rolled over by job ${done.jobId}`);
    this.log(`[rollover] ${ctx.applicationKey} opened job ${job.id} for ${year}`);
    await this.jobs().setPhaseState(job.id, 'oldYearEnrolment', 'INPROGRESS', 'Review the plan (GET this phase), then add the state COMPLETED');
  }

  /**
   * `POST newYearEnrolment`: 202 once the rollover is recorded and runs; 409 before approval or
   * while it runs (here or on another instance).
   */
  private async start(job: Job) {
    const phase = (name: string) => job.phases.find((p) => p.name === name)!;
    const current = (name: string) => phase(name).states[phase(name).states.length - 1]!.type;
    if (current('oldYearEnrolment') !== 'COMPLETED') throw new ConflictError('Approve the plan first: add the state COMPLETED to oldYearEnrolment');
    if (this.running.has(job.id)) throw new ConflictError('The rollover is running');
    const year = schoolYearOf(job);
    if (!(await this.claim({ jobId: job.id, schoolYear: year }))) throw new ConflictError('The rollover is running on another instance');
    await this.jobs().setPhaseState(job.id, 'newYearEnrolment', 'INPROGRESS', `Rolling over into ${year}`);
    this.track({ jobId: job.id, schoolYear: year });
    return { status: 202, payload: { root: 'rolloverStarted', namespace: ROLLOVER_NS, value: { schoolYear: String(year) } } };
  }

  /**
   * The rollover itself, after the answer: one SIS transaction (a year already recorded is not
   * rolled over again, e.g. when a restart interrupted the job's last step), the changed students
   * reported to SIF, then the phase COMPLETED (or FAILED with the reason), then the run forgotten.
   */
  private async run(jobId: string, year: number): Promise<void> {
    const jobs = this.jobs();
    try {
      const now = new Date().toISOString();
      const { plan, changed } = await this.sis.write(function* (sql) {
        yield* ensureRolloverTable(sql);
        const done = yield* doneRollover(sql, year);
        if (done && done.jobId !== jobId) throw new ConflictError(`School year ${year} was rolled over by job ${done.jobId}`);
        if (done) return { plan: { schoolYear: year, promoted: done.promoted, graduated: done.graduated, byGrade: {} }, changed: [] };
        return yield* runRollover(sql, year, jobId, now);
      });
      if (changed.length > 0) await this.provider!.changed('xStudents', 'UPDATE', changed.map((s) => s.doc), { replacement: 'FULL', generatorId: `rollover-${jobId}` });
      this.log(`[rollover] job ${jobId}: ${plan.promoted} promoted, ${plan.graduated} left school`);
      await jobs.setPhaseState(jobId, 'newYearEnrolment', 'COMPLETED', `${plan.promoted} promoted, ${plan.graduated} left school`);
    } catch (err) {
      // Another instance may have rolled this job's year over meanwhile (the year is recorded once).
      const done = await this.sis.read((sql) => doneRollover(sql, year)).catch(() => undefined);
      if (done?.jobId === jobId) {
        await jobs.setPhaseState(jobId, 'newYearEnrolment', 'COMPLETED', `${done.promoted} promoted, ${done.graduated} left school`).catch(() => undefined);
      } else {
        this.log(`[rollover] job ${jobId} failed: ${err instanceof Error ? err.message : String(err)}`);
        await jobs.setPhaseState(jobId, 'newYearEnrolment', 'FAILED', 'The rollover failed; nothing was changed').catch(() => undefined);
      }
    }
    // Once the outcome is on the job; a restart before this finds the phase finished and forgets the run.
    await this.sis.write((sql) => endRun(sql, jobId)).catch(() => undefined);
  }

  private jobs() {
    if (!this.provider) throw new Error('RolloverService.attach(provider) was not called');
    return this.provider.jobs;
  }
}

/** The `schoolYear` property of the job's initialization (propertiesType); 400 without a plausible one. */
export function schoolYearOf(job: Job): number {
  const payload = job.initialization?.payload;
  const properties = payload && typeof payload === 'object' && !Array.isArray(payload) ? payload.property : undefined;
  const list = Array.isArray(properties) ? properties : properties ? [properties] : [];
  const year = list.map((p) => (typeof p === 'object' && !Array.isArray(p) && p['@name'] === 'schoolYear' ? p['#text'] : undefined)).find((v) => v !== undefined);
  if (typeof year !== 'string' || !/^\d{4}$/.test(year.trim())) {
    throw new BadRequestError('The job needs the new school year: <initialization><payload><property name="schoolYear">2027</property></payload></initialization>');
  }
  return Number(year.trim());
}

function planPayload(plan: RolloverPlan) {
  const grade: GoessnerObject[] = Object.entries(plan.byGrade).map(([at, n]) => ({ '@at': at, '#text': String(n) }));
  return {
    root: 'rolloverPlan',
    namespace: ROLLOVER_NS,
    value: { schoolYear: String(plan.schoolYear), promoted: String(plan.promoted), graduated: String(plan.graduated), grades: { grade } },
  };
}

/** `GET newYearEnrolment`: the phase's state and what it says (the counts, once done). */
function report(job: Job) {
  const states = job.phases.find((p) => p.name === 'newYearEnrolment')!.states;
  const last = states[states.length - 1]!;
  return { payload: { root: 'rolloverReport', namespace: ROLLOVER_NS, value: { state: last.type, ...(last.description ? { description: last.description } : {}) } } };
}
