import { normaliseRepeatable } from './repeatable';
import type { Environment } from './environment';
import type { SendOptions, SifResponse, Transport } from './transport';
import type { Scope, SifObject } from './types';
import { sifUrl } from './url';

/** The data-model namespace XML objects are written in unless a service names another. */
export const DEFAULT_DATA_MODEL_NAMESPACE = 'http://www.sifassociation.org/datamodel/na/3.6';

/**
 * How one service's objects look. Everything has a default that fits the usual SIF naming.
 *
 * @example
 * client.service('xStudents', { repeatable: ['otherIds/otherId'], pageSize: 500 });
 */
export interface ServiceOptions {
  /** One object's element name; default the plural without its final `s` (`xStudents` → `xStudent`). */
  objectName?: string;
  /** The id attribute, without `@`; default `refId`. */
  idAttribute?: string;
  /** Element paths that always become arrays, as the provider's `repeatable` list. */
  repeatable?: readonly string[];
  /**
   * Attribute paths other than the id (`name/@type`), as the provider's `attributes` list: PESC
   * JSON (`json: 'pesc'`) writes attributes as plain keys, and this is how they are read back.
   */
  attributes?: readonly string[];
  /** Namespace of XML bodies sent; default NA 3.6. */
  namespace?: string;
  /** Page size of walks; default 100. */
  pageSize?: number;
}

/**
 * One service path with its options resolved, and the transport its requests go through: what the
 * read, walk, write and delayed modules share.
 */
export class ServiceTarget {
  /** Path segments below the requests connector, e.g. `['xSchools', '1234', 'xStudents']`. */
  readonly segments: readonly string[];
  /** The last segment. */
  readonly plural: string;
  readonly objectName: string;
  readonly idAttribute: string;
  readonly repeatable: readonly string[];
  readonly namespace: string;
  readonly pageSize: number;

  constructor(
    readonly transport: Transport,
    path: string,
    options: ServiceOptions,
  ) {
    this.segments = path.split('/').filter((s) => s !== '');
    const plural = this.segments[this.segments.length - 1];
    if (!plural) throw new Error('A service needs a name, e.g. xStudents');
    this.plural = plural;
    this.objectName = options.objectName ?? (plural.endsWith('s') ? plural.slice(0, -1) : plural);
    this.idAttribute = options.idAttribute ?? 'refId';
    this.repeatable = options.repeatable ?? [];
    this.namespace = options.namespace ?? DEFAULT_DATA_MODEL_NAMESPACE;
    this.pageSize = options.pageSize ?? 100;
    const attributes = options.attributes ?? [];
    transport.shapes.declare({ objectName: this.objectName, plural, idAttribute: this.idAttribute, repeatable: this.repeatable, attributes });
  }

  /** The URL of this service (plus `extra` segments) in whatever environment the transport holds. */
  url(extra: readonly string[], scope: Scope, query: Record<string, string | undefined> = {}): (env: Environment) => string {
    return (env) => sifUrl(env.urls.requestsConnector!, [...this.segments, ...extra], { zoneId: scope.zoneId, contextId: scope.contextId }, query);
  }

  send(request: SendOptions): Promise<SifResponse> {
    return this.transport.send({ dataNamespace: this.namespace, ...request });
  }

  /** Applies the `repeatable` list to an object the provider sent. */
  shape(object: SifObject): SifObject {
    return this.repeatable.length > 0 ? normaliseRepeatable(object, this.repeatable) : object;
  }
}
