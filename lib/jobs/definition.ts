import { SifConfigError } from '../errors';
import { optionalBoolean, optionalString, rejectUnknownKeys, requireObject, requireString } from '../util/validate';
import { isDuration } from './duration';
import type { JobDefinition, PhaseHandler, PhaseOperation, StatesOperation } from './types';

/** A phase after validation: its rights are the operations it has handlers for. */
export interface RegisteredPhase {
  readonly name: string;
  readonly required: boolean;
  readonly rights: readonly PhaseOperation[];
  readonly statesRights: readonly StatesOperation[];
  readonly handlers: Readonly<Partial<Record<PhaseOperation, PhaseHandler>>>;
}

/** A functional service's job definition after validation. */
export interface RegisteredJob {
  readonly name: string;
  readonly description: string | undefined;
  readonly stateDescription: string | undefined;
  readonly timeout: string;
  readonly phases: readonly RegisteredPhase[];
  readonly init: JobDefinition['init'];
  readonly stateChanged: JobDefinition['stateChanged'];
  readonly deleted: JobDefinition['deleted'];
}

/** Default `timeout` of a job: the A4L framework's template value. */
export const DEFAULT_JOB_TIMEOUT = 'P30D';

const HANDLER_RIGHTS: readonly (readonly [keyof NonNullable<RegisteredPhase['handlers']>, string])[] = [
  ['QUERY', 'query'],
  ['CREATE', 'create'],
  ['UPDATE', 'update'],
  ['DELETE', 'delete'],
];

/**
 * Validates the `job` of a FUNCTIONAL service (`services.{name}.job`) once, at start-up; a
 * `SifConfigError` names the bad option.
 *
 * @example
 * resolveJob({ name: 'rolloverStudent', phases: { rollover: { handlers: { create } } } }, 'services.RolloverStudents.job');
 */
export function resolveJob(value: unknown, path: string): RegisteredJob {
  const d = requireObject(value, path);
  rejectUnknownKeys(d, ['name', 'description', 'stateDescription', 'timeout', 'phases', 'init', 'stateChanged', 'deleted'], path);
  const name = requireString(d.name, `${path}.name`);
  if (!/^\S+( \S+)*$/.test(name)) throw new SifConfigError(`${path}.name`, 'must be a token (no leading, trailing or double spaces)');
  const timeout = optionalString(d.timeout, `${path}.timeout`) ?? DEFAULT_JOB_TIMEOUT;
  if (!isDuration(timeout)) throw new SifConfigError(`${path}.timeout`, 'must be an xs:duration such as P30D or PT12H');
  const phases = Object.entries(requireObject(d.phases, `${path}.phases`)).map(([phase, def]) => resolvePhase(phase, def, `${path}.phases.${phase}`));
  if (phases.length === 0) throw new SifConfigError(`${path}.phases`, 'must declare at least one phase');
  for (const hook of ['init', 'stateChanged', 'deleted'] as const) {
    if (d[hook] !== undefined && typeof d[hook] !== 'function') throw new SifConfigError(`${path}.${hook}`, 'must be a function');
  }
  const def = d as unknown as JobDefinition;
  return Object.freeze({
    name,
    description: optionalString(d.description, `${path}.description`),
    stateDescription: optionalString(d.stateDescription, `${path}.stateDescription`),
    timeout,
    phases: Object.freeze(phases),
    init: def.init,
    stateChanged: def.stateChanged,
    deleted: def.deleted,
  });
}

function resolvePhase(name: string, value: unknown, path: string): RegisteredPhase {
  // Phase names are URL segments: `states` would collide with nothing, but `.`, `/` and `;` would.
  if (!/^[A-Za-z][\w-]*$/.test(name)) throw new SifConfigError(path, 'must be a plain name (letters, digits, _ and -)');
  const p = requireObject(value, path);
  rejectUnknownKeys(p, ['required', 'statesRights', 'handlers'], path);
  const h = p.handlers === undefined ? {} : requireObject(p.handlers, `${path}.handlers`);
  rejectUnknownKeys(h, HANDLER_RIGHTS.map(([, key]) => key), `${path}.handlers`);
  const handlers: Partial<Record<PhaseOperation, PhaseHandler>> = {};
  for (const [right, key] of HANDLER_RIGHTS) {
    if (h[key] === undefined) continue;
    if (typeof h[key] !== 'function') throw new SifConfigError(`${path}.handlers.${key}`, 'must be a function');
    handlers[right] = h[key] as PhaseHandler;
  }
  const statesRights = p.statesRights === undefined ? ['QUERY'] : p.statesRights;
  if (!Array.isArray(statesRights)) throw new SifConfigError(`${path}.statesRights`, "must be an array of 'QUERY' and 'CREATE'");
  statesRights.forEach((r, i) => {
    if (r !== 'QUERY' && r !== 'CREATE') throw new SifConfigError(`${path}.statesRights[${i}]`, "must be 'QUERY' or 'CREATE'");
  });
  return Object.freeze({
    name,
    required: optionalBoolean(p.required, `${path}.required`) ?? true,
    rights: Object.freeze(HANDLER_RIGHTS.map(([right]) => right).filter((r) => handlers[r])),
    statesRights: Object.freeze([...new Set(statesRights as StatesOperation[])]),
    handlers: Object.freeze(handlers),
  });
}
