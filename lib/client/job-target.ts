import type { Environment } from './environment';
import { SifClientError } from './errors';
import { ServiceTarget } from './service-target';
import type { SendOptions, SifResponse, Transport } from './transport';
import type { Scope } from './types';
import { sifUrl } from './url';

/**
 * One functional service below the services connector (`{servicesConnector}/{service}`), with the
 * zone and context its jobs live in. A `ServiceTarget` whose collection is `jobs`/`job` with `@id`,
 * so the page walk of object services serves job lists too. Every request says
 * `serviceType: FUNCTIONAL`, as the A4L Java consumer does.
 *
 * @example
 * const target = new FunctionalTarget(transport, 'RolloverStudents', { zoneId: 'District' }, 50);
 */
export class FunctionalTarget extends ServiceTarget {
  constructor(
    transport: Transport,
    name: string,
    readonly scope: Scope,
    pageSize: number | undefined,
  ) {
    if (name === '' || name.includes('/')) throw new Error(`A functional service is named by one path segment, e.g. RolloverStudents (not "${name}")`);
    super(transport, name, { objectName: 'job', idAttribute: 'id', pageSize });
  }

  /** The URL of the service (plus `extra` segments) with the service's zone and context. */
  override url(extra: readonly string[], _scope: Scope = {}, query: Record<string, string | undefined> = {}): (env: Environment) => string {
    return (env) => sifUrl(servicesConnector(env), [this.plural, ...extra], { zoneId: this.scope.zoneId, contextId: this.scope.contextId }, query);
  }

  override send(request: SendOptions): Promise<SifResponse> {
    return this.transport.send({ ...request, headers: { serviceType: 'FUNCTIONAL', ...request.headers } });
  }
}

function servicesConnector(env: Environment): string {
  const url = env.urls.servicesConnector;
  if (!url) throw new SifClientError(0, 'The environment offers no servicesConnector: the provider serves no functional services');
  return url;
}
