import type { ModelBinding } from '../models/binding';
import type { GoessnerObject } from '../payload/goessner';
import type { ServiceType } from '../protocol/enums';
import type { OrderTerm, WhereNode } from '../query/ast';
import type { JobDefinition } from '../jobs/types';

/**
 * A service the provider offers, registered under its (plural) name, e.g. `xStudents`.
 *
 * @example
 * const xStudents: ServiceDefinition = {
 *   objectName: 'xStudent',
 *   namespace: 'http://www.sifassociation.org/datamodel/na/3.6',
 *   repeatable: ['otherIds/otherId', 'otherEmails/email'],
 *   handlers: { query: async (ctx, q) => ({ objects: await db.page(q.offset, q.pageSize), totalCount: await db.count() }) },
 * };
 */
export interface ServiceDefinition {
  /** Default OBJECT; `'FUNCTIONAL'` with a `job` for a functional service (jobs with phases, `{mount}/services/{name}`). */
  type?: ServiceType;
  /** A FUNCTIONAL service's job: its name, phases and their handlers (see `JobDefinition`). */
  job?: JobDefinition;
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
  /**
   * Paths, relative to the object, of attributes other than the id (e.g. `name/@type`). PESC JSON
   * (SIF 3.3 `+pesc`) writes attributes without `@`: this is how its input is read back correctly.
   */
  attributes?: string[];
  /** What the service can do. An operation without a handler is answered with 405. */
  handlers?: ServiceHandlers;
  /**
   * Asynchronous provider (SIF 3.5): handlers that take a DELAYED request and answer it later, in
   * parts, through `provider.respond(ref, part)` and `provider.complete(ref)`. Needs `queues`.
   */
  delayed?: DelayedHandlers;
  /**
   * SIF 3.5 asynchronous provider in pull mode: the service is provided by another application,
   * which opens no port. It registers as a consumer (its `applicationKey` is `provider`), needs
   * PROVIDE on the service, subscribes a queue of its own with `messageType: REQUEST`, pulls the
   * consumers' DELAYED requests from it and posts the answers back (lib/remote). No `handlers` or
   * `delayed` then: an IMMEDIATE request is answered 503, send it DELAYED.
   */
  remote?: RemoteProvision;
  /**
   * The query features the `query` handler (and the service paths) implement. A query that uses a
   * feature not declared here is refused with 400 rather than answered unfiltered. Default: none.
   */
  supports?: QueryFeatures;
  /**
   * Service paths that return objects of this service, e.g. `'xSchools/{}/xStudents'` (one `{}` per
   * parent id). Rights are checked against the SERVICEPATH service of that name.
   */
  paths?: Record<string, ServicePathHandler>;
  /**
   * Keep a change log so that consumers can ask for changes since a marker (Base Architecture
   * §5.10). Needs a `read` handler. Default: true when there is a `read` handler.
   */
  changeTracking?: boolean;
  /**
   * The object's data model (`dataModel('au-3.4.8').object('StudentPersonal')`; `service()` sets it):
   * gives objectName, namespace, idAttribute and every repeating element, and writes output in
   * schema element order. `repeatable` adds paths to the model's.
   */
  model?: ModelBinding;
  /**
   * Check incoming objects against `model`: unknown elements, wrong scalar types, values outside an
   * enumeration, and (for creates, not partial updates) missing mandatory elements are a 400 naming
   * every offending path. Default false.
   */
  validate?: boolean;
  /**
   * Check what handlers return against `model`: `'log'` warns (once per object) and sends it anyway;
   * `'refuse'` answers 500 instead of an invalid object. Default off.
   */
  validateOutput?: 'log' | 'refuse';
}

/**
 * Who provides a remote service.
 *
 * @example
 * const xStaffs: ServiceDefinition = { objectName: 'xStaff', namespace: NA, remote: { provider: 'StaffDirectory' } };
 */
export interface RemoteProvision {
  /** The application key the provider registers with. */
  provider: string;
}

/** Query features a service implements. */
export interface QueryFeatures {
  /** `where` clauses (Base Architecture §5.7), handed over as `QueryRequest.where`. */
  where?: boolean;
  /** `order` clauses (§5.8), handed over as `QueryRequest.order`. */
  order?: boolean;
  /** Query by example (§5.9), handed over as `like` conditions in `QueryRequest.where`. */
  queryByExample?: boolean;
}

/**
 * Answers a service path query such as `xSchools/{id}/xStudents`: `parentIds` are the ids in the
 * URL, in order.
 */
export type ServicePathHandler<O extends object = GoessnerObject> = (ctx: SifRequestContext, parentIds: readonly string[], query: QueryRequest) => Promise<QueryResult<O>>;

/**
 * The host app's code for one service. Objects cross this boundary in Goessner form (`@attr`,
 * `#text`, arrays for repeats, text as strings), the same whatever the wire format was. A handler may
 * throw a `SifError` (e.g. `NotFoundError`, `ConflictError`) to choose the error a consumer sees.
 */
export interface ServiceHandlers<O extends object = GoessnerObject> {
  /** One page of objects; `totalCount` (when known) gives the consumer `navigationCount` and `navigationLastPage`. */
  query?(ctx: SifRequestContext, query: QueryRequest): Promise<QueryResult<O>>;
  /**
   * The ids of every object the query matches, in its order (ignore the page fields). With it and
   * `read`, a consumer that says `queryIntention: ALL` gets consistent paging: the first page stores
   * these ids and later pages are served from them, whatever is inserted or deleted meanwhile.
   */
  queryIds?(ctx: SifRequestContext, query: QueryRequest): Promise<string[]>;
  /** One object, or null/undefined when there is none with this id. */
  read?(ctx: SifRequestContext, id: string): Promise<O | null | undefined>;
  /**
   * Creates an object and returns it as stored, with its id. The object may carry a suggested id;
   * with `mustUseAdvisory` the handler must use it or throw (e.g. `ConflictError` when it is taken).
   */
  create?(ctx: SifRequestContext, object: O, options: CreateOptions): Promise<O>;
  /** Applies the elements given to the object; false when there is no such object. */
  update?(ctx: SifRequestContext, id: string, partial: O): Promise<boolean>;
  /** Deletes the object; false when there is no such object. */
  delete?(ctx: SifRequestContext, id: string): Promise<boolean>;
  /**
   * Creates several objects at once (e.g. in one transaction): a multi-object create
   * (`POST {plural}`, immediate or delayed) calls it once instead of `create` per object. One result
   * per object, in order: the object as stored (with its id), or an Error for that object alone (a
   * `SifError` chooses its status; anything else is a 500 for that object). Results are checked as
   * `create`'s are. A result array of the wrong length, or a throw, fails every object of the
   * request (a thrown `SifError` with its status, anything else with a logged 500). Objects the
   * request already refuses (with `mustUseAdvisory`, one without an id) are not handed over. Without
   * `create`, single creates come here too, as a batch of one.
   *
   * @example
   * async createMany(ctx, students, { mustUseAdvisory }) {
   *   return db.transaction(() => students.map((s) => {
   *     if (mustUseAdvisory && db.has(s['@refId'])) return new ConflictError('refId taken');
   *     return db.insertStudent(s);                  // the student as stored, with its refId
   *   }));
   * }
   */
  createMany?(ctx: SifRequestContext, objects: O[], options: CreateOptions): Promise<(O | Error)[]>;
  /**
   * Applies several partial updates at once (`PUT {plural}`): per item, in order, true (updated),
   * false (no such object: a 404 for it) or an Error for it alone. Items without an id are refused
   * before and not handed over. Without `update`, single updates come here too, as a batch of one.
   *
   * @example
   * async updateMany(ctx, updates) {
   *   return db.transaction(() => updates.map(({ id, partial }) => db.updateStudent(id, partial)));
   * }
   */
  updateMany?(ctx: SifRequestContext, updates: { id: string; partial: O }[]): Promise<(boolean | Error)[]>;
  /**
   * Deletes several objects at once (`PUT {plural}` with `methodOverride: DELETE`): per id, in order,
   * true, false (a 404 for it) or an Error for it alone. Without `delete`, single deletes come here
   * too, as a batch of one.
   *
   * @example
   * async deleteMany(ctx, ids) {
   *   return db.transaction(() => ids.map((id) => db.deleteStudent(id)));
   * }
   */
  deleteMany?(ctx: SifRequestContext, ids: string[]): Promise<(boolean | Error)[]>;
}

/**
 * Handlers of an asynchronous provider (SIF 3.5). Each is called for a DELAYED request (after its
 * 202), takes the request, and returns at once; the answer follows later, in one or several parts,
 * through `provider.respond(request.ref, part)` and ends with `provider.complete(request.ref)` (or
 * `provider.fail`). Nothing waits on an HTTP connection meanwhile, and the ref survives restarts.
 *
 * @example
 * delayed: {
 *   async createMany(ctx, objects, { ref }) {
 *     importJobs.push({ ref, objects }); // a worker answers batch by batch with provider.respond(ref, { results })
 *   },
 * }
 */
export interface DelayedHandlers<O extends object = GoessnerObject> {
  /** A delayed query: answer with parts `{ objects, totalCount? }`, each one page; a `bulk` one (no paging named) with one part holding every object. */
  query?(ctx: SifRequestContext, query: QueryRequest, request: DeferredRequest): Promise<void>;
  /** A delayed multi-object create: answer with parts `{ results }`, each a `createResponse`. */
  createMany?(ctx: SifRequestContext, objects: O[], request: DeferredRequest): Promise<void>;
  /** A delayed multi-object update (each object with its id): parts `{ results }`, each an `updateResponse`. */
  updateMany?(ctx: SifRequestContext, objects: O[], request: DeferredRequest): Promise<void>;
  /** A delayed multi-object delete: parts `{ results }`, each a `deleteResponse`. */
  deleteMany?(ctx: SifRequestContext, ids: string[], request: DeferredRequest): Promise<void>;
}

/** A request an asynchronous provider has taken: its `ref` is what `provider.respond` needs. */
export interface DeferredRequest {
  readonly ref: string;
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

/**
 * What a query asks for: the 1-based `page`, its `pageSize` and the `offset` of its first object,
 * and, for services that declare support, the parsed `where` (or query by example) and `order`.
 */
export interface QueryRequest {
  readonly page: number;
  readonly pageSize: number;
  readonly offset: number;
  readonly where?: WhereNode;
  readonly order?: readonly OrderTerm[];
  /**
   * Set when this page continues a walk: where the previous page ended. A handler may seek past it
   * (objects after `id` in its order) instead of skipping `offset` rows; it must return the same
   * objects either way.
   *
   * @example
   * // ORDER BY familyName, refId: continue after the last row served instead of OFFSET
   * if (query.after) sql += ' WHERE (familyName, refId) > (?, ?)', params.push(query.after.orderValues[0], query.after.id);
   */
  readonly after?: QueryPosition;
  /** The total this handler reported earlier in the same walk: a handler may return it as totalCount instead of counting again. */
  readonly knownTotal?: number;
  /**
   * Set only for an asynchronous provider's (`delayed.query`) query that names no paging: a bulk
   * query (Base Architecture §5.4.1), every object or a 413. It comes as page 1 with `pageSize` =
   * `limits.maxBulkQueryObjects`; answer it in one part, `provider.complete(ref, { objects })`
   * (more objects than that, or a larger `totalCount`, is answered 413 for you).
   *
   * @example
   * if (query.bulk) await sif.complete(ref, { objects: await db.all(query.where) });
   */
  readonly bulk?: true;
}

/**
 * One position in a walk: the last object's id, and the values of the `order` terms on it (first
 * value at each path, as compareByOrder reads them; undefined when absent).
 *
 * @example
 * // after a page ordered by [name/familyName=ascending] that ended with Ann Smith:
 * const position: QueryPosition = { id: '6f1c…', orderValues: ['Smith'] };
 */
export interface QueryPosition {
  readonly id: string;
  readonly orderValues: readonly (string | undefined)[];
}

/** One page of objects. */
export interface QueryResult<O extends object = GoessnerObject> {
  objects: O[];
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
