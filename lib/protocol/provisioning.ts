import type { ProvisionedService, ProvisionedZone } from '../config/consumers';
import type { RightType, RightValue, ServiceType } from './enums';
import { RIGHT_TYPES } from './enums';

// Provision requests (Infrastructure Services §6): what a consumer asks for, how the answer reads,
// and how an answer is merged into its environment. Pure functions, shared by every store.

/** The state of one right in a provision request: asked for, then granted or refused. */
export type AssertionValue = 'REQUESTED' | 'APPROVED' | 'REJECTED';

/** One service a provision request asks rights on (a `provisionedZone/services/service`). */
export interface ProvisionAssertion {
  zoneId: string;
  serviceName: string;
  serviceType: ServiceType;
  contextId: string;
  /** Each right asked for, in canonical order: REQUESTED until decided, then APPROVED or REJECTED. */
  rights: Partial<Record<RightType, AssertionValue>>;
}

/** `provisionRequest@completionStatus` (§6.1): present once every right is decided. */
export type CompletionStatus = 'ACCEPTED' | 'MIXED' | 'REJECTED';

/**
 * The completion status of a request's assertions; undefined while any right is still REQUESTED.
 *
 * @example
 * completionStatus([{ …, rights: { CREATE: 'REJECTED', UPDATE: 'APPROVED' } }]); // 'MIXED'
 */
export function completionStatus(assertions: readonly ProvisionAssertion[]): CompletionStatus | undefined {
  const values = assertions.flatMap((a) => Object.values(a.rights));
  if (values.includes('REQUESTED')) return undefined;
  if (values.length > 0 && values.every((v) => v === 'APPROVED')) return 'ACCEPTED';
  return values.includes('APPROVED') ? 'MIXED' : 'REJECTED';
}

/**
 * The environment's zones with a decided request merged in (§6.1: "the results of any additional
 * Service rights assertions (ACCEPTED or REJECTED) will be merged into the existing set"): an
 * APPROVED right is granted; a REJECTED one is written only where the environment stated nothing
 * for that right, so that refusing a request never takes away what was granted before. A service
 * not yet in its zone is added when some right on it is approved; assertions on zones the
 * environment does not have, and refusals on services it does not list, change nothing.
 *
 * @example
 * mergeDecision(env.zones, record.assertions); // the zones to store with the environment
 */
export function mergeDecision(zones: readonly ProvisionedZone[], decided: readonly ProvisionAssertion[]): ProvisionedZone[] {
  return zones.map((zone) => {
    const mine = decided.filter((a) => a.zoneId === zone.id);
    if (mine.length === 0) return zone;
    const services = [...zone.services];
    for (const assertion of mine) {
      const at = services.findIndex((s) => s.name === assertion.serviceName && s.contextId === assertion.contextId);
      const existing = at >= 0 ? services[at] : undefined;
      // Nothing granted on a service the environment does not list says nothing new; writing it in
      // would let a consumer grow its environment without bound with names that serve nothing.
      if (!existing && !Object.values(assertion.rights).includes('APPROVED')) continue;
      const rights: Partial<Record<RightType, RightValue>> = { ...existing?.rights };
      for (const [right, value] of Object.entries(assertion.rights) as [RightType, AssertionValue][]) {
        if (value === 'APPROVED') rights[right] = 'APPROVED';
        else if (value === 'REJECTED' && rights[right] === undefined) rights[right] = 'REJECTED';
      }
      const merged: ProvisionedService = {
        name: assertion.serviceName,
        type: existing?.type ?? assertion.serviceType,
        contextId: assertion.contextId,
        rights: inCanonicalOrder(rights),
      };
      if (Object.keys(merged.rights).length === 0) continue;
      if (existing) services[at] = merged;
      else services.push(merged);
    }
    return { ...zone, services };
  });
}

/**
 * The same rights, keyed in the order environments write them.
 *
 * @example
 * inCanonicalOrder({ DELETE: 'APPROVED', QUERY: 'APPROVED' }); // { QUERY: …, DELETE: … }
 */
export function inCanonicalOrder<V>(rights: Partial<Record<RightType, V>>): Partial<Record<RightType, V>> {
  const ordered: Partial<Record<RightType, V>> = {};
  for (const type of RIGHT_TYPES) if (rights[type] !== undefined) ordered[type] = rights[type];
  return ordered;
}
