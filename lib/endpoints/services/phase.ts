import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, ForbiddenError, InternalServiceError, NotFoundError } from '../../errors';
import { headerOrQuery } from '../../http/params';
import { readPayload } from '../../http/payload';
import type { RegisteredPhase } from '../../jobs/definition';
import { END_STATES } from '../../jobs/model';
import type { Job, PhaseOperation, PhaseResult } from '../../jobs/types';
import { pageOffset, parsePaging } from '../../protocol/paging';
import type { ResponseAction } from '../../protocol/enums';
import type { JobRecord } from '../../store/job-records';
import type { FunctionalTarget } from './common';
import { functionalTarget, methodOverride, ownedJob } from './common';

// Requests to a job's phase (`{services}/{service}/{jobId}/{phase}`): checked against the phase's
// own rights and handed to the host's phase handler, which answers them (Base Architecture §5.16).

/** The status a phase answer has when its handler names none. */
const DEFAULT_STATUS: Readonly<Record<PhaseOperation, number>> = { QUERY: 200, CREATE: 201, UPDATE: 200, DELETE: 204 };

/**
 * Any method on a phase. The operation comes from the method and `methodOverride`: GET (or POST +
 * GET) queries, POST creates, PUT updates, PUT + DELETE (or DELETE) deletes. The job must be the
 * caller's (404) and the phase one of its phases (404); anything but a query is refused once the
 * job is COMPLETED or FAILED (403), and the phase's `rights` must approve the operation (403).
 */
export function phaseRequest(core: ProviderCore) {
  return async function phaseRequestStep(req: Request, res: Response): Promise<void> {
    const operation = phaseOperation(req.method, methodOverride(req));
    const target = functionalTarget(core, req, undefined);
    const record = await ownedJob(core.jobs!, target, String(req.params.jobId));
    const phase = phaseOf(target, record, String(req.params.phase));
    if (operation !== 'QUERY') refuseEnded(record.job);
    // The job's own rights decide (a copy of the definition's at creation); a handler must serve them.
    const handler = phase.handlers[operation];
    if (!handler || !record.job.phases.find((p) => p.name === phase.name)!.rights.includes(operation)) {
      throw new ForbiddenError(`${operation} is not approved on phase ${phase.name} of ${target.serviceName}`, { scope: target.serviceName });
    }
    const payload = await readPayload(req, core.config.limits);
    const page = operation === 'QUERY' ? parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging) : undefined;
    const result = await handler(target.ctx, {
      job: record.job,
      phaseName: phase.name,
      operation,
      payload,
      page: page && { ...page, offset: pageOffset(page) },
    });
    send(core, req, res, operation, result ?? undefined, `${target.serviceName} phase ${phase.name}`);
  };
}

/**
 * The phase of a job and its definition: 404 when the job has no phase of this name. (The A4L
 * framework answers 403; no such resource is what it is.)
 *
 * @example
 * const phase = phaseOf(target, record, String(req.params.phase));
 */
export function phaseOf(target: FunctionalTarget, record: JobRecord, name: string): RegisteredPhase {
  const phase = record.job.phases.some((p) => p.name === name) ? target.job.phases.find((p) => p.name === name) : undefined;
  if (!phase) throw new NotFoundError(`Job ${record.job.id} has no phase ${name.slice(0, 80)}`, { scope: target.serviceName });
  return phase;
}

/**
 * 403 once the job is COMPLETED or FAILED: its phases can no longer be changed by consumers.
 *
 * @example
 * if (operation !== 'QUERY') refuseEnded(record.job);
 */
export function refuseEnded(job: Job): void {
  if (END_STATES.includes(job.state)) {
    throw new ForbiddenError(`The job is ${job.state}: its phases cannot be changed any more`, { scope: job.serviceName });
  }
}

function phaseOperation(method: string, override: string | undefined): PhaseOperation {
  switch (`${method} ${override ?? ''}`) {
    case 'GET ':
    case 'HEAD ':
    case 'POST GET':
      return 'QUERY';
    case 'POST ':
    case 'POST POST':
    case 'POST CREATE':
      return 'CREATE';
    case 'PUT ':
    case 'PUT PUT':
    case 'PUT UPDATE':
      return 'UPDATE';
    case 'PUT DELETE':
    case 'DELETE ':
      return 'DELETE';
    default:
      throw new BadRequestError(`${method}${override ? ` with methodOverride ${override.slice(0, 20)}` : ''} does not apply to a phase`);
  }
}

const ACTIONS: Readonly<Record<PhaseOperation, ResponseAction>> = { QUERY: 'QUERY', CREATE: 'CREATE', UPDATE: 'UPDATE', DELETE: 'DELETE' };

/** Writes a phase handler's answer; a status outside 2xx is the handler's mistake (a 500, logged by the error handler). */
function send(core: ProviderCore, req: Request, res: Response, operation: PhaseOperation, result: PhaseResult | undefined, scope: string): void {
  const status = result?.status ?? (operation === 'DELETE' && result?.payload ? 200 : DEFAULT_STATUS[operation]);
  if (!Number.isInteger(status) || status < 200 || status > 299) {
    throw new InternalServiceError(`The ${scope} handler answered status ${String(status)}; throw a SifError to refuse a request`);
  }
  const options = { responseAction: req.method === 'HEAD' ? ('HEAD' as const) : ACTIONS[operation], headers: result?.headers };
  if (result?.payload && status !== 204) {
    const { root, value, namespace } = result.payload;
    core.responder.payload(req, res, status, root, value, { ...options, namespace });
  } else {
    core.responder.empty(req, res, status, options);
  }
}
