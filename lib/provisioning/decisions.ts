import type { RightType, ServiceType } from '../protocol/enums';
import { DEFAULT_CONTEXT, RIGHT_TYPES } from '../protocol/enums';
import type { ProvisionAssertion } from '../protocol/provisioning';

/** Rights on one service in one zone and context: what a consumer asked for, or what a host approves. */
export interface ProvisionChoice {
  readonly zoneId: string;
  readonly serviceName: string;
  /** The service's type (always set in what the provider hands over; not needed in an approval). */
  readonly serviceType?: ServiceType;
  /** Default DEFAULT. */
  readonly contextId?: string;
  readonly rights: readonly RightType[];
}

/** The consumer a provision request comes from. */
export interface ProvisionConsumer {
  readonly applicationKey: string;
  readonly instanceId: string | undefined;
  readonly userToken: string | undefined;
  readonly solutionId: string | undefined;
  readonly consumerName: string | undefined;
}

/**
 * A provision request as the host decides it: the rights asked for that the provider could grant.
 * Rights it cannot grant (a zone the environment does not have, a service not offered, an operation
 * no handler serves) are refused by the provider and not handed over; rights already granted are
 * answered APPROVED without asking.
 */
export interface ProvisionRequestInfo {
  readonly id: string;
  readonly environmentId: string;
  /** ISO-8601 time the request was received. */
  readonly createdAt: string;
  readonly requested: readonly ProvisionChoice[];
  readonly consumer: ProvisionConsumer;
}

/**
 * The host's answer to a provision request: grant everything asked (`'approve'`), nothing
 * (`'reject'`), only the rights listed (`{ approve: [...] }`: the rest are refused), or not yet
 * (`'pending'`: the consumer is told to ask again later, and an operator decides through
 * `provider.provisionRequests.decide(id, decision)`).
 *
 * @example
 * const decision: ProvisionDecision = { approve: [{ zoneId: 'District', serviceName: 'xStudents', rights: ['QUERY'] }] };
 */
export type ProvisionDecision = 'approve' | 'reject' | 'pending' | { readonly approve: readonly ProvisionChoice[] };

/**
 * The decision checked, for answers that come from host code: a `TypeError` naming what is wrong.
 *
 * @example
 * checkedDecision(await decide(info)); // throws TypeError for 'yes'
 */
export function checkedDecision(value: unknown): ProvisionDecision {
  if (value === 'approve' || value === 'reject' || value === 'pending') return value;
  const approve = typeof value === 'object' && value !== null ? (value as { approve?: unknown }).approve : undefined;
  if (!Array.isArray(approve)) {
    throw new TypeError(`sif3-direct: a provision decision is 'approve', 'reject', 'pending' or { approve: [...] } (got ${JSON.stringify(value)?.slice(0, 80)})`);
  }
  approve.forEach((choice: unknown, i) => {
    const c = choice as Partial<ProvisionChoice> | null;
    const fine =
      typeof c === 'object' && c !== null && typeof c.zoneId === 'string' && typeof c.serviceName === 'string' &&
      (c.contextId === undefined || typeof c.contextId === 'string') &&
      Array.isArray(c.rights) && c.rights.every((r) => (RIGHT_TYPES as readonly string[]).includes(r));
    if (!fine) throw new TypeError(`sif3-direct: approve[${i}] of a provision decision needs zoneId, serviceName and rights (${RIGHT_TYPES.join(', ')})`);
  });
  return value as ProvisionDecision;
}

/**
 * The assertions with every REQUESTED right answered by a final decision (not `'pending'`). An
 * approval of something not asked for grants nothing.
 *
 * @example
 * answered(record.assertions, 'reject'); // every REQUESTED right now REJECTED
 */
export function answered(assertions: readonly ProvisionAssertion[], decision: Exclude<ProvisionDecision, 'pending'>): ProvisionAssertion[] {
  const approves = (a: ProvisionAssertion, right: RightType): boolean => {
    if (decision === 'approve') return true;
    if (decision === 'reject') return false;
    return decision.approve.some(
      (c) => c.zoneId === a.zoneId && c.serviceName === a.serviceName && (c.contextId ?? DEFAULT_CONTEXT) === a.contextId && c.rights.includes(right),
    );
  };
  return assertions.map((a) => ({
    ...a,
    rights: Object.fromEntries(
      Object.entries(a.rights).map(([right, value]) => [right, value === 'REQUESTED' ? (approves(a, right as RightType) ? 'APPROVED' : 'REJECTED') : value]),
    ),
  }));
}

/**
 * What is still to be decided in these assertions, as the host sees it.
 *
 * @example
 * openChoices(record.assertions); // [{ zoneId: 'District', serviceName: 'xStudents', contextId: 'DEFAULT', rights: ['CREATE'] }]
 */
export function openChoices(assertions: readonly ProvisionAssertion[]): ProvisionChoice[] {
  return assertions
    .map((a) => ({
      zoneId: a.zoneId,
      serviceName: a.serviceName,
      serviceType: a.serviceType,
      contextId: a.contextId,
      rights: RIGHT_TYPES.filter((r) => a.rights[r] === 'REQUESTED'),
    }))
    .filter((c) => c.rights.length > 0);
}
