import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, SifError } from '../../errors';
import { header } from '../../http/params';
import { readPayload } from '../../http/payload';
import { jobObject, readJobCreate, readJobsCreate } from '../../payload/job';
import type { ItemOutcome } from '../../payload/responses';
import { createResponse } from '../../payload/responses';
import { assertObjectCount } from '../requests/common';
import { functionalTarget, jobUrl, methodOverride } from './common';

// Creating jobs (Infrastructure Services §11, functional-services.md §2.1 routes 1 and 2): the job
// is the service's definition with the consumer's id (under mustUseAdvisory) and initialization.

/** `POST {services}/{service}/{singular}` → 201 with the new job and its Location. */
export function createJob(core: ProviderCore) {
  return async function createJobStep(req: Request, res: Response): Promise<void> {
    const target = functionalTarget(core, req, 'CREATE');
    const payload = await readPayload(req, core.config.limits);
    if (!payload) throw new BadRequestError('A job create request needs a job payload', { scope: target.serviceName });
    const job = await core.jobs!.create(target.ctx, target.owner, readJobCreate(payload), mustUseAdvisory(req));
    core.responder.payload(req, res, 201, 'job', jobObject(job), { headers: { Location: jobUrl(core, req, target.serviceName, job.id) } });
  };
}

/**
 * `POST {services}/{service}` with a `jobs` collection → 200 with a `createResponse`: each job
 * created (201) or refused on its own. `methodOverride: GET` (query by example) is a 400: jobs are
 * listed, not searched.
 */
export function createJobs(core: ProviderCore) {
  return async function createJobsStep(req: Request, res: Response): Promise<void> {
    if (methodOverride(req) === 'GET') throw new BadRequestError('Jobs cannot be queried by example: list them with GET');
    const target = functionalTarget(core, req, 'CREATE');
    const payload = await readPayload(req, core.config.limits);
    if (!payload) throw new BadRequestError('A create request needs a jobs payload', { scope: target.serviceName });
    const requests = readJobsCreate(payload);
    assertObjectCount(requests.length, core);
    const advisory = mustUseAdvisory(req);
    const outcomes: ItemOutcome[] = [];
    // One after another: each job's init may start work, and a refused one must not stop the rest.
    for (const request of requests) {
      try {
        const job = await core.jobs!.create(target.ctx, target.owner, request, advisory);
        outcomes.push({ id: job.id, advisoryId: request.id, statusCode: 201 });
      } catch (err) {
        if (!(err instanceof SifError)) core.config.logger.error(`sif3-direct: creating a ${target.serviceName} job failed`, err);
        const error = err instanceof SifError ? err : new SifError(500, 'The job could not be created');
        outcomes.push({ id: request.id, advisoryId: request.id, statusCode: error.status, error });
      }
    }
    core.responder.payload(req, res, 200, 'createResponse', createResponse(outcomes, `Create ${target.serviceName}`), { responseAction: 'CREATE' });
  };
}

function mustUseAdvisory(req: Request): boolean {
  return header(req, 'mustUseAdvisory')?.trim().toLowerCase() === 'true';
}
