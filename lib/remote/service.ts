import { DelayedOnlyError, SifConfigError } from '../errors';
import { rejectUnknownKeys, requireObject, requireString } from '../util/validate';
import type { RemoteProvision, ServiceDefinition, ServiceHandlers } from '../services/types';

// A remote service (SIF 3.5 pull mode) as the registry holds it: the provider's application key,
// and handlers that only say how to reach it, so that rights, 405s and environments treat it as
// any service with query and multi-object create, update and delete.

/**
 * The `remote` option of a service definition, validated: undefined for a local service. A remote
 * service has no `handlers`, `delayed` handlers or service `paths` of its own.
 *
 * @example
 * resolveRemote({ objectName: 'xStaff', namespace: NA, remote: { provider: 'StaffDirectory' } }, 'services.xStaffs'); // { provider: 'StaffDirectory' }
 */
export function resolveRemote(def: ServiceDefinition, path: string): Readonly<RemoteProvision> | undefined {
  if (def.remote === undefined) return undefined;
  const remote = requireObject(def.remote, `${path}.remote`);
  rejectUnknownKeys(remote, ['provider'], `${path}.remote`);
  for (const own of ['handlers', 'delayed', 'paths'] as const) {
    if (def[own] !== undefined) throw new SifConfigError(`${path}.${own}`, 'cannot be given with remote: the remote provider answers');
  }
  if (def.changeTracking === true) throw new SifConfigError(`${path}.changeTracking`, 'is not kept for a remote service');
  return Object.freeze({ provider: requireString(remote.provider, `${path}.remote.provider`) });
}

/**
 * The handlers of a remote service: a query and the multi-object writes (single-object ones derive
 * from them), each refusing an IMMEDIATE request with 503, the answer Base Architecture §4.2.1.2
 * gives for a request the provider cannot answer at once: send it again as DELAYED. None reaches
 * them: remote/screen.ts refuses IMMEDIATE and single-object requests up front, and a DELAYED one
 * is routed to the provider's queue (remote/route.ts).
 *
 * @example
 * const handlers = remoteHandlers('xStaffs'); // handlers.query(...) rejects with a 503
 */
export function remoteHandlers(serviceName: string): ServiceHandlers {
  const refuse = async (): Promise<never> => {
    throw new DelayedOnlyError(`${serviceName} is provided by a remote (asynchronous) provider: send the request with requestType DELAYED`, {
      description: `Queries and multi-object creates, updates and deletes of ${serviceName} are answered in your queue; single-object requests are not served`,
    });
  };
  return { query: refuse, createMany: refuse, updateMany: refuse, deleteMany: refuse };
}
