import type { ProvisionedZone } from '../config/consumers';
import { ForbiddenError } from '../errors';
import type { ServiceTarget } from '../protocol/rights';
import { requireRight } from '../protocol/rights';
import type { RegisteredService } from '../services/registry';

/**
 * Throws 403 unless this environment may provide the service there: the service is remote, its
 * provider is the environment's application, and the environment has PROVIDE approved on it in that
 * zone and context (Infrastructure Services §6). Checked when the provider subscribes with
 * `messageType: REQUEST`, when a request is routed to it, and on each of its answers.
 *
 * @example
 * requireProvider(service, session.environment, { zoneId: 'District', serviceName: 'xStaffs', contextId: 'DEFAULT' });
 */
export function requireProvider(
  service: RegisteredService,
  environment: { applicationKey: string; zones: readonly ProvisionedZone[] },
  target: ServiceTarget,
): void {
  if (!service.remote) throw new ForbiddenError(`${service.name} is provided by this provider itself, not by a remote provider`);
  if (service.remote.provider !== environment.applicationKey) {
    throw new ForbiddenError(`${service.name} is not provided by this application`, { description: `zone ${target.zoneId}, context ${target.contextId}` });
  }
  requireRight(environment, target, 'PROVIDE');
}
