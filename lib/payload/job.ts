import { BadRequestError } from '../errors';
import type { Job, JobInitialization, JobPhase, JobPhaseState, PhaseState } from '../jobs/types';
import { PHASE_OPERATIONS, PHASE_STATES } from '../protocol/enums';
import type { DecodedPayload } from './codec';
import { requireInfrastructureRoot } from './fields';
import type { GoessnerObject, GoessnerValue } from './goessner';
import { asArray, isElement, textOf } from './goessner';

// The infrastructure `job` and `state` objects (Infrastructure Services 3.2.1 job.xsd, 3.3
// SIF_Message.xsd, SIF 3.5 §3.5.2): written in schema element order, read from what consumers send.

/** A version 4-style UUID (`uuidType`): what ids of jobs and states must look like. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The operations a phase's `statesRights` can name. */
const STATES_OPERATIONS = ['QUERY', 'CREATE'] as const;

/**
 * The `job` element in schema order: `@id`, name, description, state, stateDescription, created,
 * lastModified, timeout, phases, initialization. Every phase lists all of its rights, APPROVED or
 * REJECTED (`rightsType` needs at least one `right`).
 *
 * @example
 * responder.payload(req, res, 200, 'job', jobObject(job));
 */
export function jobObject(job: Job): GoessnerObject {
  const out: GoessnerObject = { '@id': job.id, name: job.name };
  if (job.description !== undefined) out.description = job.description;
  out.state = job.state;
  if (job.stateDescription !== undefined) out.stateDescription = job.stateDescription;
  out.created = job.created;
  if (job.lastModified !== undefined) out.lastModified = job.lastModified;
  if (job.timeout !== undefined) out.timeout = job.timeout;
  out.phases = { phase: job.phases.map(phaseObject) };
  if (job.initialization) {
    const init: GoessnerObject = {};
    if (job.initialization.phaseName !== undefined) init.phaseName = job.initialization.phaseName;
    init.payload = job.initialization.payload;
    out.initialization = init;
  }
  return out;
}

/**
 * A job as a DELETE event carries it: its id and name (name is mandatory in `jobType`, so the
 * event stays schema-valid, unlike the A4L framework's `<job id=".."/>`).
 *
 * @example
 * deletedJobObject(job); // { '@id': '8dc5…', name: 'rolloverStudent' }
 */
export function deletedJobObject(job: Job): GoessnerObject {
  return { '@id': job.id, name: job.name };
}

function phaseObject(phase: JobPhase): GoessnerObject {
  return {
    name: phase.name,
    states: statesObject(phase.states),
    required: phase.required ? 'true' : 'false',
    rights: rightsObject(PHASE_OPERATIONS, phase.rights),
    statesRights: rightsObject(STATES_OPERATIONS, phase.statesRights),
  };
}

function rightsObject(all: readonly string[], approved: readonly string[]): GoessnerObject {
  return { right: all.map((type) => ({ '@type': type, '#text': approved.includes(type) ? 'APPROVED' : 'REJECTED' })) };
}

/**
 * The `states` collection of a phase: `{ state: [...] }`.
 *
 * @example
 * responder.payload(req, res, 200, 'states', statesObject(phase.states));
 */
export function statesObject(states: readonly JobPhaseState[]): GoessnerObject {
  return { state: states.map(stateObject) };
}

/**
 * A `state` element in schema order: `@id`, type, created, lastModified, description.
 *
 * @example
 * stateObject(state); // { '@id': '3b9c…', type: 'PENDING', created: '…', lastModified: '…' }
 */
export function stateObject(state: JobPhaseState): GoessnerObject {
  const out: GoessnerObject = {};
  if (state.id !== undefined) out['@id'] = state.id;
  out.type = state.type;
  if (state.created !== undefined) out.created = state.created;
  if (state.lastModified !== undefined) out.lastModified = state.lastModified;
  if (state.description !== undefined) out.description = state.description;
  return out;
}

/** What a consumer's job create carries that the provider uses: its suggested id and its initialization. */
export interface JobCreateRequest {
  readonly id: string | undefined;
  readonly initialization: JobInitialization | undefined;
}

/**
 * Reads a `job` create payload. Only `@id` and `initialization` are used: name, phases, rights and
 * timeout come from the service's definition, whatever the consumer sent (as in the A4L framework).
 *
 * @example
 * readJobCreate(payload); // { id: '8dc5…', initialization: { phaseName: 'oldYearEnrolment', payload: {…} } }
 */
export function readJobCreate(payload: DecodedPayload): JobCreateRequest {
  requireInfrastructureRoot(payload, 'job');
  return readJobElement(payload.value, 'job');
}

/**
 * Reads a `jobs` collection payload (create many): each job's suggested id and initialization;
 * 400 when it holds none.
 *
 * @example
 * readJobsCreate(payload).length; // 2 for <jobs><job/><job/></jobs>
 */
export function readJobsCreate(payload: DecodedPayload): JobCreateRequest[] {
  requireInfrastructureRoot(payload, 'jobs');
  const jobs = asArray(payload.value.job);
  if (jobs.length === 0) throw new BadRequestError('The jobs payload holds no job');
  return jobs.map((job, i) => {
    if (!isElement(job)) throw new BadRequestError(`job number ${i + 1} is not an element`);
    return readJobElement(job, `job number ${i + 1}`);
  });
}

function readJobElement(job: GoessnerObject, what: string): JobCreateRequest {
  return { id: optionalUuid(job['@id'], `${what} @id`), initialization: readInitialization(job.initialization, what) };
}

function readInitialization(value: GoessnerValue | undefined, what: string): JobInitialization | undefined {
  if (value === undefined) return undefined;
  if (!isElement(value)) throw new BadRequestError(`The initialization of ${what} must be an element with a payload`);
  const phaseName = value.phaseName === undefined ? undefined : textOf(value.phaseName)?.trim();
  if (value.phaseName !== undefined && !phaseName) throw new BadRequestError(`The initialization phaseName of ${what} must be text`);
  if (value.payload === undefined) throw new BadRequestError(`The initialization of ${what} needs a payload (mandatory in initializationType)`);
  return { phaseName, payload: opaque(value.payload) };
}

/**
 * An opaque payload as it is kept and written back: without schema-instance and namespace
 * attributes (the parser keeps no prefixes, so they could not be written back faithfully) and
 * without whitespace text beside elements (indentation of the sender's document).
 */
function opaque(value: GoessnerValue): GoessnerValue {
  if (Array.isArray(value)) return value.map(opaque);
  if (!isElement(value)) return value;
  const out: GoessnerObject = {};
  const hasChildren = Object.keys(value).some((k) => !k.startsWith('@') && k !== '#text');
  for (const [key, v] of Object.entries(value)) {
    if (/^@(xsi[.:]|xmlns)/.test(key)) continue;
    if (key === '#text' && hasChildren && typeof v === 'string' && v.trim() === '') continue;
    out[key] = opaque(v);
  }
  return out;
}

/** What a consumer's state create carries: its suggested id, the state type and its description. */
export interface StateCreateRequest {
  readonly id: string | undefined;
  readonly type: PhaseState;
  readonly description: string | undefined;
}

/**
 * Reads a `state` create payload (`POST …/{phase}/states/state`). The type must be a
 * `phaseStateType`; the consumer's `description` (stateType has one in 3.2.1 and 3.3) is kept as
 * sent, and must be text.
 *
 * @example
 * readStateCreate(payload); // { id: undefined, type: 'COMPLETED', description: undefined }
 */
export function readStateCreate(payload: DecodedPayload): StateCreateRequest {
  requireInfrastructureRoot(payload, 'state');
  const type = textOf(payload.value.type)?.trim();
  if (!type) throw new BadRequestError('A state needs a type (mandatory in stateType)');
  if (!(PHASE_STATES as readonly string[]).includes(type)) {
    throw new BadRequestError(`State type "${type.slice(0, 40)}" is not a phaseStateType`, { description: `one of ${PHASE_STATES.join(', ')}` });
  }
  const given = payload.value.description;
  const description = given === undefined ? undefined : textOf(given);
  if (given !== undefined && description === undefined) throw new BadRequestError('A state description must be text (xs:string in stateType)');
  return { id: optionalUuid(payload.value['@id'], 'state @id'), type: type as PhaseState, description: description === '' ? undefined : description };
}

function optionalUuid(value: GoessnerValue | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const text = textOf(value)?.trim();
  if (!text) return undefined;
  if (!UUID.test(text)) throw new BadRequestError(`${what} must be a UUID (uuidType)`, { description: `got "${text.slice(0, 60)}"` });
  return text.toLowerCase();
}
