import type { Request } from 'express';
import type { EnvironmentRecord } from '../store/store';
import type { SifRequestContext } from '../services/types';
import { header } from './params';

/**
 * What host handlers receive about a request: who asks (the environment) and where it is aimed
 * (service, zone, context), with the request's `generatorId` and `requestId`. Frozen.
 *
 * @example
 * const ctx = handlerContext(req, session.environment, { serviceName: 'xStudents', zoneId: 'District', contextId: 'DEFAULT' });
 */
export function handlerContext(req: Request, env: EnvironmentRecord, where: { serviceName: string; zoneId: string; contextId: string }): SifRequestContext {
  return Object.freeze({
    serviceName: where.serviceName,
    zoneId: where.zoneId,
    contextId: where.contextId,
    applicationKey: env.applicationKey,
    environmentId: env.id,
    fingerprint: env.fingerprint,
    instanceId: env.instanceId,
    userToken: env.userToken,
    solutionId: env.solutionId,
    generatorId: header(req, 'generatorId'),
    requestId: header(req, 'requestId'),
  });
}
