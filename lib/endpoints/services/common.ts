import type { NextFunction, Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, NotFoundError } from '../../errors';
import { getSifContext } from '../../http/context';
import { checkServiceType } from '../../http/request-headers';
import { handlerContext } from '../../http/handler-context';
import { header } from '../../http/params';
import type { JobManager } from '../../jobs/manager';
import type { RegisteredJob } from '../../jobs/definition';
import type { JobOwner } from '../../jobs/types';
import { DEFAULT_CONTEXT } from '../../protocol/enums';
import type { RightType } from '../../protocol/enums';
import { findProvisioned, requireGranted } from '../../protocol/rights';
import type { SifRequestContext } from '../../services/types';
import type { JobRecord } from '../../store/job-records';
import type { EnvironmentRecord } from '../../store/store';

// What every services-connector endpoint shares: which functional service a request is aimed at,
// in which zone and context, whether the consumer may, and which of its jobs it names.

/** A services-connector request, resolved. */
export interface FunctionalTarget {
  readonly serviceName: string;
  readonly job: RegisteredJob;
  readonly env: EnvironmentRecord;
  /** Who the caller is, and where a job it creates lives. */
  readonly owner: JobOwner;
  /** What host hooks and phase handlers receive. */
  readonly ctx: SifRequestContext;
}

/**
 * Resolves `{services}/{service}…`: the functional service (404 for any other name), the zone and
 * context (matrix parameters, else headers, else the consumer's default zone and DEFAULT), the
 * service provisioned there for the caller (404), and, when given, `right` approved on it (403).
 *
 * @example
 * const target = functionalTarget(core, req, 'CREATE');
 */
export function functionalTarget(core: ProviderCore, req: Request, right: RightType | undefined): FunctionalTarget {
  const context = getSifContext(req);
  const env = context.session!.environment;
  const serviceName = String(req.params.service);
  const job = core.jobs!.definition(serviceName);
  if (!job) throw new NotFoundError(`No functional service ${serviceName.slice(0, 80)}`, { scope: serviceName.slice(0, 80) });
  context.serviceType = checkServiceType(req, serviceName, 'FUNCTIONAL', ['FUNCTIONAL']);
  const zoneId = context.matrix.zoneId || header(req, 'zoneId') || env.defaultZone.id;
  const contextId = context.matrix.contextId || header(req, 'contextId') || DEFAULT_CONTEXT;
  const where = { zoneId, serviceName, contextId };
  const provisioned = findProvisioned(env, where);
  if (!provisioned || provisioned.type !== 'FUNCTIONAL') {
    throw new NotFoundError(`No functional service ${serviceName} in zone ${zoneId.slice(0, 80)}, context ${contextId.slice(0, 80)}`);
  }
  if (right) requireGranted(provisioned, where, right);
  return {
    serviceName,
    job,
    env,
    owner: { environmentId: env.id, fingerprint: env.fingerprint, zoneId, contextId },
    ctx: handlerContext(req, env, where),
  };
}

/**
 * The job `{jobId}` of the caller's: 404 when there is none, or it is another service's, another
 * consumer's, or in another zone or context (stricter than the A4L framework, which compares the
 * owner only on lists and states; functional-services.md §6.5).
 *
 * @example
 * const record = await ownedJob(core.jobs!, target, String(req.params.jobId));
 */
export async function ownedJob(jobs: JobManager, target: FunctionalTarget, jobId: string): Promise<JobRecord> {
  const record = await jobs.read(jobId);
  const o = record?.owner;
  if (!record || record.job.serviceName !== target.serviceName || o!.environmentId !== target.owner.environmentId || o!.zoneId !== target.owner.zoneId || o!.contextId !== target.owner.contextId) {
    throw new NotFoundError('No such job', { scope: target.serviceName, description: `job ${jobId.slice(0, 80)}` });
  }
  return record;
}

/**
 * The `methodOverride` header, upper-cased, or undefined.
 *
 * @example
 * if (methodOverride(req) === 'DELETE') return remove(req, res);
 */
export function methodOverride(req: Request): string | undefined {
  return header(req, 'methodOverride')?.trim().toUpperCase() || undefined;
}

/**
 * Step: `requestType: DELAYED` is a 400 on the services connector: jobs are the functional
 * services' own way of answering later (the A4L framework answers the same in a DIRECT environment).
 *
 * @example
 * steps: (c) => [authenticateSession(c), refuseDelayed, readJob(c)]
 */
export function refuseDelayed(req: Request, _res: Response, next: NextFunction): void {
  if (header(req, 'requestType')?.trim().toUpperCase() === 'DELAYED') {
    throw new BadRequestError('DELAYED requests are not supported on the services connector: a job is itself answered over time');
  }
  next();
}

/**
 * The URL of a job.
 *
 * @example
 * jobUrl(core, req, 'RolloverStudents', id); // 'https://sis.example.org/sif3/services/RolloverStudents/8dc5…'
 */
export function jobUrl(core: ProviderCore, req: Request, serviceName: string, jobId: string): string {
  return `${core.responder.baseUrl(req)}/services/${serviceName}/${jobId}`;
}
