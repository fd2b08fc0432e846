import { newId } from '../util/ids';
import { addDuration } from './duration';
import type { RegisteredJob } from './definition';
import type { Job, JobInitialization, JobPhase, JobPhaseState, JobState, PhaseState } from './types';

// The job's state machine, as pure functions over immutable jobs: a new job from its definition,
// a state appended to a phase, and the job state derived from its phases.

/** Job states after which a consumer may no longer act on phases (the A4L default end states). */
export const END_STATES: readonly JobState[] = ['COMPLETED', 'FAILED'];

/**
 * A new job of a service: every phase NOTSTARTED (a state with an id: the 3.3 schema keys states by
 * id), the job NOTSTARTED, `created` now.
 *
 * @example
 * const job = newJob('RolloverStudents', definition, id, now, initialization);
 */
export function newJob(serviceName: string, def: RegisteredJob, id: string, now: string, initialization: JobInitialization | undefined): Job {
  return {
    id,
    serviceName,
    name: def.name,
    description: def.description,
    state: 'NOTSTARTED',
    stateDescription: def.stateDescription,
    created: now,
    lastModified: undefined,
    timeout: def.timeout,
    phases: def.phases.map(
      (p): JobPhase => ({
        name: p.name,
        states: [{ id: newId(), type: 'NOTSTARTED', created: now, lastModified: now, description: undefined }],
        required: p.required,
        rights: p.rights,
        statesRights: p.statesRights,
      }),
    ),
    initialization,
  };
}

/**
 * When a job is removed by housekeeping: its creation plus its timeout (undefined without one).
 *
 * @example
 * expiryOf(job); // '2026-07-01T08:00:00.000Z' for a job created on 1 June with timeout P30D
 */
export function expiryOf(job: Job): string | undefined {
  return job.timeout === undefined ? undefined : addDuration(job.created, job.timeout);
}

/**
 * The current state of a phase: the last of its history.
 *
 * @example
 * currentState(job.phases[0]); // 'INPROGRESS'
 */
export function currentState(phase: JobPhase): PhaseState {
  return phase.states[phase.states.length - 1]!.type;
}

/**
 * The job with `state` appended to phase `phaseName`, its job state derived again, and
 * `lastModified` now. The caller has checked that the phase exists.
 *
 * @example
 * const next = withPhaseState(job, 'rollover', { id: newId(), type: 'INPROGRESS', created: now, lastModified: now, description: undefined }, now);
 */
export function withPhaseState(job: Job, phaseName: string, state: JobPhaseState, now: string): Job {
  const phases = job.phases.map((p) => (p.name === phaseName ? { ...p, states: [...p.states, state] } : p));
  return { ...job, phases, state: derivedState(phases), lastModified: now };
}

/**
 * The job with its state set outright.
 *
 * @example
 * const failed = withJobState(job, 'FAILED', 'The grading period is closed', now);
 */
export function withJobState(job: Job, state: JobState, description: string | undefined, now: string): Job {
  return { ...job, state, stateDescription: description ?? job.stateDescription, lastModified: now };
}

/**
 * The job state its phases imply: FAILED when one failed; COMPLETED when every required phase is
 * done (COMPLETED, SKIPPED or NOTAPPLICABLE; optional ones may be anything but running); INPROGRESS
 * once any phase has left NOTSTARTED; else NOTSTARTED.
 *
 * @example
 * derivedState(job.phases); // 'COMPLETED' once every required phase is done
 */
export function derivedState(phases: readonly JobPhase[]): JobState {
  const states = phases.map(currentState);
  if (states.includes('FAILED')) return 'FAILED';
  const done = (s: PhaseState) => s === 'COMPLETED' || s === 'SKIPPED' || s === 'NOTAPPLICABLE';
  const finished = phases.every((p, i) => (p.required ? done(states[i]!) : states[i] !== 'INPROGRESS' && states[i] !== 'PENDING'));
  if (finished && states.some(done)) return 'COMPLETED';
  return states.some((s) => s !== 'NOTSTARTED') ? 'INPROGRESS' : 'NOTSTARTED';
}
