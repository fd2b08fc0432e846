import type { GoessnerObject, GoessnerValue } from '../payload/goessner';
import type { SifRequestContext } from '../services/types';
import type { JOB_STATES, PHASE_OPERATIONS, PHASE_STATES } from '../protocol/enums';

/** A job's state (`jobStateType`). */
export type JobState = (typeof JOB_STATES)[number];

/** A phase's state (`phaseStateType`). */
export type PhaseState = (typeof PHASE_STATES)[number];

/** An operation on a phase, allowed by the phase right of that name. */
export type PhaseOperation = (typeof PHASE_OPERATIONS)[number];

/** The operations on a phase's states: read them (`GET …/states`), add one (`POST …/states/state`). */
export type StatesOperation = 'QUERY' | 'CREATE';

/** One entry of a phase's state history; the last one is the phase's current state. */
export interface JobPhaseState {
  readonly id: string | undefined;
  readonly type: PhaseState;
  readonly created: string | undefined;
  readonly lastModified: string | undefined;
  readonly description: string | undefined;
}

/** A phase of a job, as the job object carries it. */
export interface JobPhase {
  readonly name: string;
  /** The history, oldest first; never empty. */
  readonly states: readonly JobPhaseState[];
  readonly required: boolean;
  /** Operations approved on `{job}/{phase}` (the phase `rights`). */
  readonly rights: readonly PhaseOperation[];
  /** Operations approved on `{job}/{phase}/states` (the phase `statesRights`). */
  readonly statesRights: readonly StatesOperation[];
}

/**
 * A job (the infrastructure `job` object, Infrastructure Services 3.2.1 job.xsd, SIF 3.5 §3.5.2) as
 * the provider keeps it and as host code sees it. Immutable: changes go through `provider.jobs`.
 */
export interface Job {
  readonly id: string;
  /** The functional service (URL name, e.g. `RolloverStudents`) the job belongs to. */
  readonly serviceName: string;
  /** The job's `name` element, from the definition (e.g. `rolloverStudent`). */
  readonly name: string;
  readonly description: string | undefined;
  readonly state: JobState;
  readonly stateDescription: string | undefined;
  readonly created: string;
  readonly lastModified: string | undefined;
  /** `xs:duration`, e.g. `P30D`: the job is removed that long after its creation. */
  readonly timeout: string | undefined;
  readonly phases: readonly JobPhase[];
  /** What the consumer sent to start the job with: a phase name and an opaque payload. */
  readonly initialization: JobInitialization | undefined;
}

/** The `initialization` of a job, as the consumer sent it (payload in Goessner form). */
export interface JobInitialization {
  readonly phaseName: string | undefined;
  readonly payload: GoessnerValue;
}

/** Who owns a job, and where it lives: what events and ownership checks need. */
export interface JobOwner {
  readonly environmentId: string;
  readonly fingerprint: string;
  readonly zoneId: string;
  readonly contextId: string;
}

/**
 * A functional service's job (Base Architecture §5.16): its name, phases with their handlers, and
 * what happens when a job starts and when a consumer changes a phase's state.
 *
 * @example
 * const job: JobDefinition = {
 *   name: 'rolloverStudent',
 *   timeout: 'P7D',
 *   phases: {
 *     preview: { handlers: { query: async (ctx, { job }) => ({ payload: await plan(job) }) } },
 *     rollover: { statesRights: ['QUERY', 'CREATE'], handlers: { create: async (ctx, { job }) => startRollover(job) } },
 *   },
 *   async init(ctx, job) { await provider.jobs.setPhaseState(job.id, 'preview', 'INPROGRESS') },
 * };
 */
export interface JobDefinition {
  /** The job's `name` element (informational; the URL uses the service name). */
  name: string;
  description?: string;
  /** `stateDescription` of a new job. */
  stateDescription?: string;
  /** How long after creation a job is removed by housekeeping (`xs:duration`). Default `P30D`. */
  timeout?: string;
  /** The phases, by name, in the order the job lists them. At least one. */
  phases: Record<string, PhaseDefinition>;
  /**
   * Called once a new job is stored, before the consumer is answered: start work, set phase states
   * with `provider.jobs`. A throw removes the job and answers the consumer with the error.
   */
  init?(ctx: SifRequestContext, job: Job): Promise<void>;
  /**
   * Called after a consumer added a state to a phase (`POST …/{phase}/states/state`), before it is
   * answered: move the job on (other phases, the job state) with `provider.jobs`. A throw is logged;
   * the consumer still gets its 201, as the state is stored.
   */
  stateChanged?(ctx: SifRequestContext, job: Job, phaseName: string, state: PhaseState): Promise<void>;
  /**
   * Called once a job is removed (by its consumer, with its consumer's environment, by
   * `provider.jobs.delete`, or by housekeeping after its timeout): stop its work.
   */
  deleted?(job: Job): Promise<void>;
}

/**
 * One phase. Its `rights` are the operations it has handlers for: a phase with `handlers.create`
 * accepts `POST {job}/{phase}`, and so on; an operation without a handler is refused with 403.
 */
export interface PhaseDefinition {
  /** Default true. A job is COMPLETED (when its state is derived) once its required phases are. */
  required?: boolean;
  /** What a consumer may do with the phase's states: read them, add one. Default `['QUERY']`. */
  statesRights?: StatesOperation[];
  handlers?: PhaseHandlers;
}

/** A phase's handlers, by operation: GET, POST, PUT and PUT with `methodOverride: DELETE`. */
export interface PhaseHandlers {
  query?: PhaseHandler;
  create?: PhaseHandler;
  update?: PhaseHandler;
  delete?: PhaseHandler;
}

/**
 * Serves one request to a phase. Its answer: a status (default 200 for QUERY and UPDATE, 201 for
 * CREATE, 204 for DELETE without a payload) and an optional payload, encoded in the format the
 * consumer accepts. A thrown `SifError` chooses the consumer's error.
 *
 * @example
 * const preview: PhaseHandler = async (ctx, { job, payload }) => ({ payload: { root: 'plan', value: { students: '1250' } } });
 */
export type PhaseHandler = (ctx: SifRequestContext, request: PhaseRequest) => Promise<PhaseResult | void>;

/** A request to a phase, decoded. */
export interface PhaseRequest {
  readonly job: Job;
  readonly phaseName: string;
  readonly operation: PhaseOperation;
  /** The request body, decoded from XML or JSON by the provider's parser (undefined without a body). */
  readonly payload: { readonly root: string; readonly namespace: string | undefined; readonly value: GoessnerObject } | undefined;
  /** For QUERY: the page asked for (navigationPage, navigationPageSize). */
  readonly page: { readonly page: number; readonly pageSize: number; readonly offset: number } | undefined;
}

/** A phase handler's answer. */
export interface PhaseResult {
  status?: number;
  /** Written in the consumer's format; XML in `namespace` (default the infrastructure namespace). */
  payload?: { root: string; value: GoessnerValue; namespace?: string };
  /** Further response headers (e.g. paging headers). */
  headers?: Record<string, string>;
}

/**
 * What host code does with jobs: `provider.jobs`. Every change is stored at once, made against the
 * job as it then is (concurrent changes are not lost), and published to the owner's subscriptions.
 *
 * @example
 * await sif.jobs.setPhaseState(job.id, 'rollover', 'INPROGRESS');
 * // … the work …
 * await sif.jobs.setPhaseState(job.id, 'rollover', 'COMPLETED', '1,250 students promoted');
 */
export interface JobsApi {
  /** The job, or undefined when there is none with this id (deleted, expired). */
  get(jobId: string): Promise<Job | undefined>;
  /**
   * Appends a state to a phase (it becomes the phase's current state) and derives the job state from
   * its phases: FAILED when a phase failed, COMPLETED when every required phase is COMPLETED,
   * SKIPPED or NOTAPPLICABLE, INPROGRESS once any phase has left NOTSTARTED. Undefined when the job
   * is gone; throws a TypeError for a phase the job does not have.
   */
  setPhaseState(jobId: string, phaseName: string, state: PhaseState, description?: string): Promise<Job | undefined>;
  /** Sets the job state (and its `stateDescription`) outright; a later phase change derives it again. */
  setJobState(jobId: string, state: JobState, description?: string): Promise<Job | undefined>;
  /** Removes a job (then the definition's `deleted` is called); false when it was gone. */
  delete(jobId: string): Promise<boolean>;
  /** Removes the jobs past their timeout now (housekeeping also does this every minute); how many. */
  housekeeping(): Promise<number>;
}
