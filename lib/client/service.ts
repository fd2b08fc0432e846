import { textOf } from '../payload/goessner';
import type { DelayedOptions, DelayedRequest } from './delayed';
import { delayedQuery } from './delayed';
import type { ServiceOptions } from './service-target';
import { ServiceTarget } from './service-target';
import type { SyncOptions, SyncResult } from './sync';
import { syncService } from './sync';
import type { Transport } from './transport';
import type { OperationResult, Page, Scope, SifObject } from './types';
import { pageOf } from './paging';
import type { ChangesPage, QueryOptions } from './walk';
import { changesPage, objectsOf, pagingHeaders, queryParams, walk } from './walk';
import type { CreateOptions } from './writes';
import * as writes from './writes';

// The request types live with the code that sends them; this module is the public face.
export { DEFAULT_DATA_MODEL_NAMESPACE } from './service-target';
export type { ServiceOptions } from './service-target';
export type { ChangesPage, QueryOptions } from './walk';
export type { DelayedOptions, DelayedRequest } from './delayed';

/**
 * The requests connector for one service, or one service path (`xSchools/{id}/xStudents`).
 * Made by `client.service(…)`; every method signs its own requests and shares the client's session.
 *
 * @example
 * const students = client.service('xStudents');
 * const amy = await students.read('c1f…');                 // null when there is none
 * for await (const s of students.query({ where: '[name/familyName="Smith"]' })) console.log(s['@refId']);
 */
export class ServiceClient {
  /** Path segments below the requests connector, e.g. `['xSchools', '1234', 'xStudents']`. */
  readonly segments: readonly string[];
  readonly objectName: string;
  readonly idAttribute: string;
  readonly pageSize: number;
  private readonly target: ServiceTarget;

  constructor(
    private readonly transport: Transport,
    path: string,
    readonly options: ServiceOptions = {},
  ) {
    this.target = new ServiceTarget(transport, path, options);
    this.segments = this.target.segments;
    this.objectName = this.target.objectName;
    this.idAttribute = this.target.idAttribute;
    this.pageSize = this.target.pageSize;
  }

  /** The plural name: the last segment. */
  get plural(): string {
    return this.target.plural;
  }

  /**
   * A service path below one of this service's objects: `xSchools` → `xSchools/{id}/xStudents`.
   *
   * @example
   * for await (const s of client.service('xSchools').path(schoolId, 'xStudents').query()) console.log(s);
   */
  path(id: string, child: string, options: ServiceOptions = {}): ServiceClient {
    return new ServiceClient(this.transport, [...this.segments, id, child].join('/'), options);
  }

  /** The id of an object of this service. */
  idOf(object: SifObject): string | undefined {
    return textOf(object[`@${this.idAttribute}`]);
  }

  /**
   * One object by id; null when the provider has none (404).
   *
   * @example
   * const student = await students.read(refId);
   */
  async read(id: string, scope: Scope = {}): Promise<SifObject | null> {
    const response = await this.target.send({ method: 'GET', url: this.target.url([id], scope), expect: [200, 404], what: `GET ${this.plural}/${id}` });
    if (response.status === 404 || !response.body) return null;
    return this.target.shape(response.body.value);
  }

  /**
   * Every object of a query, page after page, as one async iterator. With `{ delayed }` the query is
   * sent DELAYED instead: with a `pageSize` its pages arrive in the queue (from `page`, if given),
   * without one a single bulk answer (or a 413 error) does; this resolves with the request id.
   *
   * @example
   * for await (const student of students.query({ order: '[localId=ascending]' })) console.log(student.localId);
   */
  query(query?: QueryOptions): AsyncIterable<SifObject>;
  query(query: QueryOptions, options: DelayedOptions): Promise<DelayedRequest>;
  query(query: QueryOptions = {}, options?: DelayedOptions): AsyncIterable<SifObject> | Promise<DelayedRequest> {
    if (options?.delayed) return delayedQuery(this.target, query, options.delayed);
    return objectsOf(this.pages(query));
  }

  /**
   * The pages of a query with their paging headers; an empty result is one empty page (a 204).
   * The walk follows `navigationLastPage` and sends `navigationId` back, so a pinned snapshot
   * (`intention: 'ALL'`) is served consistently.
   *
   * @example
   * for await (const page of students.pages({ pageSize: 500 })) console.log(page.navigationPage, page.navigationCount);
   */
  pages(query: QueryOptions = {}): AsyncIterable<Page> {
    return walk(this.target, query, (page, size, navigationId) => ({
      method: 'GET',
      url: this.target.url([], query, queryParams(query)),
      headers: pagingHeaders(page, size, navigationId, query.intention),
    }));
  }

  /**
   * Query by example: every object matching the example's values (`like`, `%` wildcards), paged.
   *
   * @example
   * for await (const s of students.queryByExample({ name: { familyName: 'Sm%' } })) console.log(s);
   */
  queryByExample(example: SifObject, query: Omit<QueryOptions, 'where'> = {}): AsyncIterable<SifObject> {
    return objectsOf(
      walk(this.target, query, (page, size, navigationId) => ({
        method: 'POST',
        url: this.target.url([], query),
        headers: { ...pagingHeaders(page, size, navigationId, query.intention), methodOverride: 'GET' },
        body: { root: this.objectName, value: example, namespace: this.target.namespace },
      })),
    );
  }

  /**
   * The headers of a query without its objects: counts, last page and `changesSinceMarker`.
   *
   * @example
   * const { changesSinceMarker, navigationCount } = await students.head();
   */
  async head(query: QueryOptions = {}): Promise<Page> {
    const response = await this.target.send({
      method: 'HEAD',
      url: this.target.url([], query, queryParams(query)),
      headers: query.pageSize ? pagingHeaders(1, query.pageSize, undefined, undefined) : {},
      expect: [200, 204],
      what: `HEAD ${this.plural}`,
      ...(query.signal ? { signal: query.signal } : {}),
    });
    return pageOf(response.headers, undefined, this.objectName, 1);
  }

  /**
   * Every object changed after `marker`, once, in its current state; deletions as ids. The first
   * page carries the marker to store for next time (`changesSinceMarker`). A marker the provider
   * no longer knows is a `SifClientError` with status 409: resynchronise (`sync` does).
   *
   * @example
   * for await (const page of students.changesSince(marker)) { apply(page); next = page.changesSinceMarker ?? next; }
   */
  async *changesSince(marker: string, query: Scope & { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<ChangesPage> {
    const pages = walk(this.target, query, (page, size, navigationId) => ({
      method: 'GET',
      url: this.target.url([], query, { changesSinceMarker: marker }),
      headers: pagingHeaders(page, size, navigationId, undefined),
    }));
    for await (const page of pages) yield changesPage(page, (object) => this.idOf(object));
  }

  /**
   * Keeps a copy up to date: a full walk first (or after a 409), then only the changes since the
   * marker it returns. See `SyncOptions`.
   *
   * @example
   * const { marker } = await students.sync({ marker: saved, onObject: (s, change) => store(s, change) });
   */
  sync(options: SyncOptions): Promise<SyncResult> {
    return syncService(this, options);
  }

  /**
   * Creates one object; resolves with it as the provider stored it (with its id).
   *
   * @example
   * const created = await students.create({ name: { type: 'LegalName', familyName: 'Simpson', givenName: 'Lisa' } });
   */
  create(object: SifObject, options: CreateOptions = {}): Promise<SifObject> {
    return writes.createOne(this.target, object, options);
  }

  /**
   * Creates many objects in one request; one result per object, in order (a failed object does not
   * fail the others). With `{ delayed }` the results arrive in the queue instead.
   *
   * @example
   * const results = await students.createMany([a, b]); // [{ id, advisoryId, status: 201, ok: true }, …]
   */
  createMany(objects: readonly SifObject[], options?: CreateOptions): Promise<OperationResult[]>;
  createMany(objects: readonly SifObject[], options: CreateOptions & DelayedOptions): Promise<DelayedRequest>;
  createMany(objects: readonly SifObject[], options: CreateOptions & Partial<DelayedOptions> = {}): Promise<OperationResult[] | DelayedRequest> {
    return writes.createMany(this.target, objects, options);
  }

  /**
   * Changes one object (a partial object: only the elements given change). False when there is no
   * such object (404).
   *
   * @example
   * await students.update(refId, { name: { type: 'LegalName', familyName: 'Smith', givenName: 'Amy' } });
   */
  update(id: string, partial: SifObject, scope: Scope = {}): Promise<boolean> {
    return writes.updateOne(this.target, id, partial, scope);
  }

  /**
   * Changes many objects in one request; one result per object, in order.
   *
   * @example
   * await students.updateMany([{ id: a, partial: { localId: '1' } }, { id: b, partial: { localId: '2' } }]);
   */
  updateMany(updates: ReadonlyArray<{ id: string; partial: SifObject }>, scope: Scope = {}): Promise<OperationResult[]> {
    return writes.updateMany(this.target, updates, scope);
  }

  /**
   * Deletes one object. False when there is no such object (404).
   *
   * @example
   * if (!(await students.delete(refId))) console.log('already gone');
   */
  delete(id: string, scope: Scope = {}): Promise<boolean> {
    return writes.deleteOne(this.target, id, scope);
  }

  /**
   * Deletes many objects in one request (`PUT` + `methodOverride: DELETE` + `deleteRequest`).
   *
   * @example
   * const results = await students.deleteMany([a, b]); // results[i].status 200 or 404
   */
  deleteMany(ids: readonly string[], scope: Scope = {}): Promise<OperationResult[]> {
    return writes.deleteMany(this.target, ids, scope);
  }
}
