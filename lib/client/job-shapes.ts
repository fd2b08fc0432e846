import type { JobState, PhaseState } from '../jobs/types';
import type { GoessnerValue } from '../payload/goessner';
import { asArray, isElement, textOf } from '../payload/goessner';
import { SifClientError } from './errors';
import type { SifObject } from './types';

// The infrastructure `job` and `state` objects as a consumer reads them (job.xsd, SIF 3.5 §3.5.2),
// whatever the peer's Goessner habits: a single `phase`, `state` or `right` may come as an object
// rather than an array (functional-services.md §5), and every scalar is text.

/**
 * One entry of a phase's state history, as the provider returned it.
 *
 * @example
 * const state: JobStateEntry = { id: '3b9c…', type: 'PENDING', created: '2026-…', lastModified: '2026-…', description: undefined };
 */
export interface JobStateEntry {
  /** Undefined for a template state without an id (A4L providers send one). */
  id: string | undefined;
  type: PhaseState;
  created: string | undefined;
  lastModified: string | undefined;
  description: string | undefined;
}

/**
 * A phase of a job: its history, its current state (the last of the history) and the operations
 * its rights approve.
 *
 * @example
 * const phase = job.phases.find((p) => p.name === 'oldYearEnrolment')!; phase.state; // 'INPROGRESS'
 */
export interface JobPhaseInfo {
  name: string;
  /** The current state: the last of `states`. */
  state: PhaseState | undefined;
  states: JobStateEntry[];
  required: boolean;
  /** Operations approved on the phase (`QUERY`, `CREATE`, `UPDATE`, `DELETE`). */
  rights: string[];
  /** Operations approved on its states (`QUERY`, `CREATE`). */
  statesRights: string[];
}

/**
 * A job as a consumer sees it, with the whole object as `raw`.
 *
 * @example
 * const job = await rollover.get(id); console.log(job?.state, job?.phases.map((p) => `${p.name}: ${p.state}`));
 */
export interface JobInfo {
  id: string;
  name: string | undefined;
  description: string | undefined;
  state: JobState | undefined;
  stateDescription: string | undefined;
  created: string | undefined;
  lastModified: string | undefined;
  timeout: string | undefined;
  phases: JobPhaseInfo[];
  /** What the job was started with, as sent: a phase name and an opaque payload. */
  initialization: { phaseName: string | undefined; payload: SifObject | string | undefined } | undefined;
  raw: SifObject;
}

/**
 * Reads a `job` object; a job without an id is a `SifClientError` (every provider answer carries one).
 *
 * @example
 * const job = parseJob(response.body.value);
 */
export function parseJob(value: SifObject): JobInfo {
  const id = textOf(value['@id']);
  if (!id) throw new SifClientError(0, 'The job the provider returned has no @id');
  const phases = isElement(value.phases) ? asArray(value.phases.phase).filter(isElement).map(parsePhase) : [];
  const init = value.initialization;
  return {
    id,
    name: textOf(value.name),
    description: textOf(value.description),
    state: textOf(value.state) as JobState | undefined,
    stateDescription: textOf(value.stateDescription),
    created: textOf(value.created),
    lastModified: textOf(value.lastModified),
    timeout: textOf(value.timeout),
    phases,
    initialization: isElement(init)
      ? { phaseName: textOf(init.phaseName), payload: isElement(init.payload) ? init.payload : textOf(init.payload) }
      : undefined,
    raw: value,
  };
}

/**
 * Reads a `state` object.
 *
 * @example
 * parseState({ '@id': '3b9c…', type: 'COMPLETED' }).type; // 'COMPLETED'
 */
export function parseState(value: SifObject): JobStateEntry {
  return {
    id: textOf(value['@id']),
    type: textOf(value.type) as PhaseState,
    created: textOf(value.created),
    lastModified: textOf(value.lastModified),
    description: textOf(value.description),
  };
}

/**
 * The entries of a `states` collection, oldest first.
 *
 * @example
 * parseStates(response.body.value).at(-1)?.type; // the phase's current state
 */
export function parseStates(value: SifObject | undefined): JobStateEntry[] {
  return value ? asArray(value.state).filter(isElement).map(parseState) : [];
}

function parsePhase(value: SifObject): JobPhaseInfo {
  const states = parseStates(isElement(value.states) ? value.states : undefined);
  return {
    name: textOf(value.name) ?? '',
    state: states[states.length - 1]?.type,
    states,
    required: textOf(value.required) !== 'false',
    rights: approved(value.rights),
    statesRights: approved(value.statesRights),
  };
}

function approved(rights: GoessnerValue | undefined): string[] {
  if (!isElement(rights)) return [];
  return asArray(rights.right)
    .filter(isElement)
    .filter((r) => textOf(r)?.trim() === 'APPROVED')
    .map((r) => textOf(r['@type']) ?? '');
}
