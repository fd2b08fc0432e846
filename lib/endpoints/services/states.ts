import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, QuotaExceededError } from '../../errors';
import { readPayload } from '../../http/payload';
import { withPhaseState } from '../../jobs/model';
import type { JobPhase, StatesOperation } from '../../jobs/types';
import { readStateCreate, stateObject, statesObject } from '../../payload/job';
import { newId } from '../../util/ids';
import type { FunctionalTarget } from './common';
import { functionalTarget, ownedJob } from './common';
import { phaseOf, refuseEnded } from './phase';

// A phase's states (`{job}/{phase}/states`): the consumer reads the history and adds a state, the
// one way it changes a phase's state itself; the phase's `statesRights` decide (job.xsd stateType).

/** `GET {services}/{service}/{jobId}/{phase}/states` → 200 with the phase's states, oldest first. */
export function readStates(core: ProviderCore) {
  return async function readStatesStep(req: Request, res: Response): Promise<void> {
    const { phase } = await statesTarget(core, req, 'QUERY');
    core.responder.payload(req, res, 200, 'states', statesObject(phase.states));
  };
}

/**
 * `POST {services}/{service}/{jobId}/{phase}/states/state` → 201 with the stored state, appended to
 * the phase's history (it is now the phase's state; the job state is derived again). Refused with
 * 403 once the job is COMPLETED or FAILED. The service's `stateChanged` runs before the answer; its
 * failure is logged, and the state stays.
 */
export function createState(core: ProviderCore) {
  return async function createStateStep(req: Request, res: Response): Promise<void> {
    const { target, phase } = await statesTarget(core, req, 'CREATE');
    const payload = await readPayload(req, core.config.limits);
    if (!payload) throw new BadRequestError('A state create request needs a state payload', { scope: target.serviceName });
    const asked = readStateCreate(payload);
    const id = asked.id ?? newId();
    const record = await core.jobs!.change(
      String(req.params.jobId),
      (job, now) => {
        refuseEnded(job);
        refuseStatesFlood(job.phases.find((p) => p.name === phase.name)!, core.config.limits.statesPerPhase, target.serviceName);
        if (job.phases.some((p) => p.states.some((s) => s.id === id))) throw new ConflictError(`The job already has a state ${id}`);
        return withPhaseState(job, phase.name, { id, type: asked.type, created: now, lastModified: now, description: asked.description }, now);
      },
      target.env.id,
    );
    if (!record) throw new NotFoundError('No such job', { scope: target.serviceName });
    const state = record.job.phases.find((p) => p.name === phase.name)!.states.find((s) => s.id === id)!;
    try {
      await target.job.stateChanged?.(target.ctx, record.job, phase.name, asked.type);
    } catch (err) {
      core.config.logger.error(`sif3-direct: the stateChanged hook of ${target.serviceName} failed for job ${record.job.id}`, err);
    }
    core.responder.payload(req, res, 201, 'state', stateObject(state));
  };
}

/** A consumer adding states without end would grow the job without bound: 409 at `limits.statesPerPhase`. */
function refuseStatesFlood(phase: JobPhase, max: number, scope: string): void {
  if (phase.states.length < max) return;
  throw new QuotaExceededError(409, 'limits.statesPerPhase', `Phase ${phase.name} holds ${max} states, the most a consumer may add to`, { scope });
}

/** The caller's job and its phase, with `right` approved in the phase's `statesRights` (403). */
async function statesTarget(core: ProviderCore, req: Request, right: StatesOperation): Promise<{ target: FunctionalTarget; phase: JobPhase }> {
  const target = functionalTarget(core, req, undefined);
  const record = await ownedJob(core.jobs!, target, String(req.params.jobId));
  const name = phaseOf(target, record, String(req.params.phase)).name;
  if (right === 'CREATE') refuseEnded(record.job);
  const phase = record.job.phases.find((p) => p.name === name)!;
  if (!phase.statesRights.includes(right)) {
    throw new ForbiddenError(`${right} is not approved on the states of phase ${name} of ${target.serviceName}`, { scope: target.serviceName });
  }
  return { target, phase };
}
