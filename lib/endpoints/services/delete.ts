import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { ForbiddenError, NotFoundError } from '../../errors';
import type { ItemOutcome } from '../../payload/responses';
import { deleteResponse } from '../../payload/responses';
import { readDeleteRequest } from '../requests/delete';
import type { FunctionalTarget } from './common';
import { functionalTarget, methodOverride, ownedJob } from './common';

// Deleting jobs, and refusing to update them: a job changes only through its phases and states
// (Base Architecture §5.16; the A4L framework answers an update with 403 too).

/** `DELETE {services}/{service}/{jobId}` (or PUT with `methodOverride: DELETE`) → 204. */
export function deleteJob(core: ProviderCore) {
  return async function deleteJobStep(req: Request, res: Response): Promise<void> {
    const target = functionalTarget(core, req, 'DELETE');
    if (!(await removeOwned(core, target, String(req.params.jobId)))) throw new NotFoundError('No such job', { scope: target.serviceName });
    core.responder.empty(req, res, 204, { responseAction: 'DELETE' });
  };
}

/** `PUT {services}/{service}/{jobId}`: with `methodOverride: DELETE` a delete, else 403 (jobs are never updated). */
export function putJob(core: ProviderCore) {
  const remove = deleteJob(core);
  return async function putJobStep(req: Request, res: Response): Promise<void> {
    if (methodOverride(req) === 'DELETE') return remove(req, res);
    throw new ForbiddenError('A job cannot be updated: change it through its phases and their states', { scope: String(req.params.service).slice(0, 80) });
  };
}

/**
 * `PUT {services}/{service}` with `methodOverride: DELETE` and a `deleteRequest` → 200 with a
 * `deleteResponse` (204 or 404 per job); without the override, 403 (jobs are never updated).
 */
export function putJobs(core: ProviderCore) {
  return async function putJobsStep(req: Request, res: Response): Promise<void> {
    if (methodOverride(req) !== 'DELETE') {
      throw new ForbiddenError('Jobs cannot be updated: delete several with PUT and methodOverride: DELETE', { scope: String(req.params.service).slice(0, 80) });
    }
    const target = functionalTarget(core, req, 'DELETE');
    const ids = await readDeleteRequest(req, core);
    const outcomes: ItemOutcome[] = [];
    for (const id of ids) {
      const deleted = await removeOwned(core, target, id);
      outcomes.push(deleted ? { id, statusCode: 204 } : { id, statusCode: 404, error: new NotFoundError('No such job', { scope: target.serviceName }) });
    }
    core.responder.payload(req, res, 200, 'deleteResponse', deleteResponse(outcomes, `Delete ${target.serviceName}`), { responseAction: 'DELETE' });
  };
}

/** Removes the caller's job; false when it has none by this id. */
async function removeOwned(core: ProviderCore, target: FunctionalTarget, jobId: string): Promise<boolean> {
  let record;
  try {
    record = await ownedJob(core.jobs!, target, jobId);
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
  return core.jobs!.remove(record, target.env.id);
}
