import type { GoessnerObject } from '../payload/goessner';
import type { ServiceType } from '../protocol/enums';

/**
 * A service the provider offers, registered under its (plural) name, e.g. `xStudents`.
 *
 * @example
 * const xStudents: ServiceDefinition = {
 *   objectName: 'xStudent',
 *   namespace: 'http://www.sifassociation.org/datamodel/na/3.6',
 *   repeatable: ['otherIds/otherId', 'otherEmails/email'],
 *   handlers: { query: async (ctx, page) => ({ objects: await db.page(page.offset, page.pageSize), totalCount: await db.count() }) },
 * };
 */
export interface ServiceDefinition {
  /** Default OBJECT. */
  type?: ServiceType;
  /** The element name of one object, e.g. `xStudent`. Required with handlers. */
  objectName?: string;
  /** The attribute that identifies an object. Default `refId`. */
  idAttribute?: string;
  /** The XML namespace of the objects, e.g. `http://www.sifassociation.org/datamodel/na/3.6`. Required with handlers. */
  namespace?: string;
  /**
   * Paths, relative to the object, of elements that repeat (e.g. `otherIds/otherId`). They reach
   * handlers as arrays whether XML or JSON carried one or several, and are written to JSON as arrays.
   */
  repeatable?: string[];
  /** What the service can do. An operation without a handler is answered with 405. */
  handlers?: ServiceHandlers;
}

/**
 * The host app's code for one service. Objects cross this boundary in Goessner form (`@attr`,
 * `#text`, arrays for repeats, text as strings), the same whatever the wire format was. A handler may
 * throw a `SifError` (e.g. `NotFoundError`, `ConflictError`) to choose the error a consumer sees.
 */
export interface ServiceHandlers {
  /** One page of objects; `totalCount` (when known) gives the consumer `navigationCount` and `navigationLastPage`. */
  query?(ctx: SifRequestContext, page: QueryPage): Promise<QueryResult>;
  /** One object, or null/undefined when there is none with this id. */
  read?(ctx: SifRequestContext, id: string): Promise<GoessnerObject | null | undefined>;
  /**
   * Creates an object and returns it as stored, with its id. The object may carry a suggested id;
   * with `mustUseAdvisory` the handler must use it or throw (e.g. `ConflictError` when it is taken).
   */
  create?(ctx: SifRequestContext, object: GoessnerObject, options: CreateOptions): Promise<GoessnerObject>;
  /** Applies the elements given to the object; false when there is no such object. */
  update?(ctx: SifRequestContext, id: string, partial: GoessnerObject): Promise<boolean>;
  /** Deletes the object; false when there is no such object. */
  delete?(ctx: SifRequestContext, id: string): Promise<boolean>;
}

/** Who is asking, and where the request is aimed. */
export interface SifRequestContext {
  readonly serviceName: string;
  readonly zoneId: string;
  readonly contextId: string;
  readonly applicationKey: string;
  readonly environmentId: string;
  readonly fingerprint: string;
  readonly instanceId: string | undefined;
  readonly userToken: string | undefined;
  readonly solutionId: string | undefined;
  /** The `generatorId` header: who caused this request (e.g. a clerk). */
  readonly generatorId: string | undefined;
  /** The `requestId` header. */
  readonly requestId: string | undefined;
}

/** The page a query asks for: 1-based `page`, `pageSize`, and the `offset` of its first object. */
export interface QueryPage {
  readonly page: number;
  readonly pageSize: number;
  readonly offset: number;
}

/** One page of objects. */
export interface QueryResult {
  objects: GoessnerObject[];
  /** All objects matching the query, across pages, when known. */
  totalCount?: number;
}

/** Options of a create. */
export interface CreateOptions {
  /** The consumer insists that the suggested id be used. */
  readonly mustUseAdvisory: boolean;
}

/** The kinds of change a service reports. */
export type ChangeAction = 'CREATE' | 'UPDATE' | 'DELETE';
