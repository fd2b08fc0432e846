import { SifConfigError } from '../errors';
import type { RightType, RightValue, ServiceType } from '../protocol/enums';
import type { RegisteredService, RegisteredServicePath } from '../services/registry';
import type { ServiceHandlers } from '../services/types';

// Options that are each valid but contradict one another are refused at start-up, naming the
// option to change: a consumer granted an operation that nothing serves would only learn it from a
// 405 (or a missing queue) in production, and a vendor would learn it from that consumer.

/**
 * What the provider offers, as far as a consumer's grants are concerned: the type each service is
 * registered with, and whether a right on it can be served. Consumers are checked against it when
 * they are normalized: at start-up for a list, when looked up for a lookup function.
 */
export interface ServiceOffer {
  /** The registered type of a service or service path, or undefined when it is not offered. */
  type(name: string): ServiceType | undefined;
  /** Why `right` on service `name` cannot be served, or undefined when it can. */
  cannotServe(name: string, right: RightType): string | undefined;
}

/**
 * The handlers that serve each right on an object service: any one of them is enough (a batch
 * handler alone serves single-object requests too, as a batch of one).
 */
const SERVED_BY: Partial<Record<RightType, readonly (keyof ServiceHandlers)[]>> = {
  QUERY: ['query', 'read'],
  CREATE: ['create', 'createMany'],
  UPDATE: ['update', 'updateMany'],
  DELETE: ['delete', 'deleteMany'],
};

/**
 * The offer of these services, service paths and queues (`queues` as resolved: on or off).
 *
 * @example
 * const offer = serviceOffer(services, servicePaths, queues !== undefined);
 * offer.cannotServe('xStudents', 'SUBSCRIBE'); // 'needs queues; the queues option is off' when off
 */
export function serviceOffer(
  services: ReadonlyMap<string, RegisteredService>,
  servicePaths: ReadonlyMap<string, RegisteredServicePath>,
  queues: boolean,
  templates: ReadonlySet<string> = new Set(),
): ServiceOffer {
  return {
    type: (name) => services.get(name)?.type ?? (servicePaths.has(name) ? 'SERVICEPATH' : templates.has(name) ? 'XQUERYTEMPLATE' : undefined),
    cannotServe(name, right) {
      if (templates.has(name)) return right === 'QUERY' ? undefined : 'cannot be served: a named query (XQuery template) can only be queried';
      if (right === 'SUBSCRIBE') return queues ? undefined : 'needs queues (subscriptions deliver events to them), and the queues option is off';
      // A remote provider pulls its requests from a queue, and consumers reach it with DELAYED requests.
      if (services.get(name)?.remote && !queues) return 'cannot be served: the service is provided remotely, which needs the queues option';
      const handlers = SERVED_BY[right];
      // PROVIDE and ADMIN have no operation in a Direct environment: granting them changes nothing.
      if (!handlers) return undefined;
      if (servicePaths.has(name)) return right === 'QUERY' ? undefined : 'cannot be served: a service path can only be queried';
      const service = services.get(name);
      // Jobs are created, read and deleted; never updated (their phases are, through phase rights).
      if (service?.job) return right === 'UPDATE' ? 'cannot be served: a job is never updated (phases carry their own rights)' : undefined;
      if (!service || handlers.some((h) => service.handlers[h])) return undefined;
      const [first, ...others] = handlers;
      return `cannot be served: service "${name}" has no ${first} handler${others.length ? ` (nor ${others.join(' nor ')})` : ''}`;
    },
  };
}

/** Right values that tell a consumer an operation works: only these must be servable. */
const CLAIMS: readonly RightValue[] = ['APPROVED', 'SUPPORTED'];

/**
 * Throws a `SifConfigError` naming `path.RIGHT` when a grant states APPROVED or SUPPORTED for a right
 * the offer cannot serve. REJECTED and UNSUPPORTED are always consistent.
 *
 * @example
 * checkGrant(offer, 'xStudents', { QUERY: 'APPROVED', CREATE: 'APPROVED' }, 'consumers[0].environment.defaultZone.services[0].rights');
 * // throws: option consumers[0]….rights.CREATE cannot be served: service "xStudents" has no create handler
 */
export function checkGrant(offer: ServiceOffer, name: string, rights: Readonly<Partial<Record<RightType, RightValue>>>, path: string): void {
  for (const [right, value] of Object.entries(rights) as [RightType, RightValue][]) {
    if (!CLAIMS.includes(value)) continue;
    const problem = offer.cannotServe(name, right);
    if (problem) throw new SifConfigError(`${path}.${right}`, `is ${value}, but ${right} ${problem}`);
  }
}

/**
 * Checks the resolved services against each other: a service that declares `supports.where`,
 * `order` or `queryByExample` needs a `query` handler to apply them (a read handler serves one object
 * by id, never a filtered list). Called by `resolveOptions` before the store is opened, so that a
 * refused configuration leaves no database file behind.
 *
 * @example
 * checkConsistency(services); // throws: option services.xStudents.supports.where needs handlers.query
 */
export function checkConsistency(services: ReadonlyMap<string, RegisteredService>): void {
  for (const service of services.values()) {
    if (service.handlers.query) continue;
    for (const feature of ['where', 'order', 'queryByExample'] as const) {
      if (service.supports[feature]) {
        throw new SifConfigError(`services.${service.name}.supports.${feature}`, 'needs handlers.query: queries are what it applies to');
      }
    }
  }
}
