import type { ProvisionedService, ProvisionedZone } from '../config/consumers';
import { ForbiddenError } from '../errors';
import type { RightType } from './enums';
import { DEFAULT_CONTEXT, ENVIRONMENT_GLOBAL_ZONE } from './enums';
import { UTILITY_ZONE } from './utility-zone';

/** The zones of an environment as provisioned, the utility zone included. */
export function provisionedZones(environment: { zones: readonly ProvisionedZone[] }): readonly ProvisionedZone[] {
  return [...environment.zones, UTILITY_ZONE];
}

/** Where a request is aimed: a service in a zone and context. */
export interface ServiceTarget {
  zoneId: string;
  serviceName: string;
  contextId: string;
}

/**
 * Throws 403 unless the environment grants `right` as APPROVED on the target service. The message
 * names the missing right, service, zone and context.
 *
 * @example
 * requireRight(session.environment, { zoneId: 'District', serviceName: 'xStudents', contextId: 'DEFAULT' }, 'CREATE');
 */
export function requireRight(environment: { zones: readonly ProvisionedZone[] }, target: ServiceTarget, right: RightType): void {
  requireGranted(findProvisioned(environment, target), target, right);
}

/** The service as provisioned in the environment at the target's zone and context, if it is. */
export function findProvisioned(environment: { zones: readonly ProvisionedZone[] }, target: ServiceTarget): ProvisionedService | undefined {
  const zone = provisionedZones(environment).find((z) => z.id === target.zoneId);
  return zone?.services.find((s) => s.name === target.serviceName && s.contextId === target.contextId);
}

/** Throws 403 unless `service` (as found by `findProvisioned`) has `right` APPROVED. */
export function requireGranted(service: ProvisionedService | undefined, target: ServiceTarget, right: RightType): void {
  const value = service?.rights[right];
  if (value !== 'APPROVED') {
    throw new ForbiddenError(
      `The ${right} right on ${target.serviceName} is ${value ?? 'not granted'} for this consumer`,
      { description: `zone ${target.zoneId}, context ${target.contextId}` },
    );
  }
}

/**
 * Throws 403 unless the environment grants `right` on the utility `name` (in environment-global,
 * where every utility is granted, whatever zone the request names: Utility Services §1.2.2).
 *
 * @example
 * requireUtilityRight(session.environment, 'zones', 'QUERY');
 */
export function requireUtilityRight(environment: { zones: readonly ProvisionedZone[] }, name: string, right: RightType): void {
  requireRight(environment, { zoneId: ENVIRONMENT_GLOBAL_ZONE, serviceName: name, contextId: DEFAULT_CONTEXT }, right);
}
