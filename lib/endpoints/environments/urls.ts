import type { Request } from 'express';
import type { ProviderCore } from '../../core';
import type { InfrastructureUrls } from '../../payload/environment';

/** The absolute URLs of an environment's infrastructure services, for this request's host. */
export function environmentUrls(core: ProviderCore, req: Request, environmentId: string): InfrastructureUrls {
  return {
    environment: core.responder.environmentUrl(req, environmentId),
    requestsConnector: `${core.responder.baseUrl(req)}/requests`,
  };
}
