import type { Request } from 'express';
import type { ProviderCore } from '../../core';
import type { InfrastructureUrls } from '../../payload/environment';

/** The absolute URLs of an environment's infrastructure services, for this request's host. */
export function environmentUrls(core: ProviderCore, req: Request, environmentId: string): InfrastructureUrls {
  const base = core.responder.baseUrl(req);
  return {
    environment: core.responder.environmentUrl(req, environmentId),
    requestsConnector: `${base}/requests`,
    provisionRequests: `${base}/provisionRequests`,
    ...(core.queues ? { queues: `${base}/queues`, subscriptions: `${base}/subscriptions` } : {}),
    ...(core.jobs ? { servicesConnector: `${base}/services` } : {}),
  };
}
