import { textOf } from '../payload/goessner';
import { INFRASTRUCTURE_NAMESPACE } from './codec';
import type { Environment } from './environment';
import { pageOf } from './paging';
import { normaliseRepeatable } from './repeatable';
import { operationResults } from './results';
import type { SyncOptions, SyncResult } from './sync';
import { syncService } from './sync';
import type { SendOptions, SifResponse, Transport } from './transport';
import type { OperationResult, Page, Scope, SifObject } from './types';
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
  /** Namespace of XML bodies sent; default NA 3.6. */
  namespace?: string;
  /** Page size of walks; default 100. */
  pageSize?: number;
}

/**
 * What to query: SIF `where` and `order` (with or without their brackets), paging, zone, context,
 * and the query intention (`ALL` asks the provider to pin a snapshot for a consistent walk).
 *
 * @example
 * students.query({ where: '[name/familyName="Smith"]', order: '[name/givenName=ascending]', pageSize: 50 });
 */
export interface QueryOptions extends Scope {
  where?: string;
  order?: string;
  pageSize?: number;
  /** The first page to ask for; default 1. */
  page?: number;
  intention?: 'ALL' | 'ONE-OFF' | 'NO-CACHING';
  signal?: AbortSignal;
}

/**
 * Send a request DELAYED: its answer arrives in the queue, carrying the returned `requestId`.
 *
 * @example
 * const { requestId } = await students.query({ pageSize: 500 }, { delayed: { queueId: queue.id } });
 */
export interface DelayedOptions {
  delayed: { queueId: string; requestId?: string };
}

/**
 * A delayed request the provider accepted (202).
 *
 * @example
 * const { requestId } = await students.createMany(batch, { delayed: { queueId } });
 */
export interface DelayedRequest {
  requestId: string;
}

/**
 * One page of changes since a marker, split into objects changed (in their current state) and ids
 * deleted (the provider sends a deleted object as its id alone).
 *
 * @example
 * for await (const page of students.changesSince(marker)) { upsert(page.changed); remove(page.deleted); }
 */
export interface ChangesPage extends Page {
  changed: SifObject[];
  deleted: string[];
}

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
  private readonly repeatable: readonly string[];
  private readonly namespace: string;
  readonly pageSize: number;

  constructor(
    private readonly transport: Transport,
    path: string,
    readonly options: ServiceOptions = {},
  ) {
    this.segments = path.split('/').filter((s) => s !== '');
    const plural = this.segments[this.segments.length - 1];
    if (!plural) throw new Error('A service needs a name, e.g. xStudents');
    this.objectName = options.objectName ?? (plural.endsWith('s') ? plural.slice(0, -1) : plural);
    this.idAttribute = options.idAttribute ?? 'refId';
    this.repeatable = options.repeatable ?? [];
    this.namespace = options.namespace ?? DEFAULT_DATA_MODEL_NAMESPACE;
    this.pageSize = options.pageSize ?? 100;
  }

  /** The plural name: the last segment. */
  get plural(): string {
    return this.segments[this.segments.length - 1]!;
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
    const response = await this.send({ method: 'GET', url: this.url([id], scope), expect: [200, 404], what: `GET ${this.plural}/${id}` });
    if (response.status === 404 || !response.body) return null;
    return this.shape(response.body.value);
  }

  /**
   * Every object of a query, page after page, as one async iterator. With `{ delayed }` the query is
   * sent DELAYED instead: its pages arrive in the queue and this resolves with the request id.
   *
   * @example
   * for await (const student of students.query({ order: '[localId=ascending]' })) console.log(student.localId);
   */
  query(query?: QueryOptions): AsyncIterable<SifObject>;
  query(query: QueryOptions, options: DelayedOptions): Promise<DelayedRequest>;
  query(query: QueryOptions = {}, options?: DelayedOptions): AsyncIterable<SifObject> | Promise<DelayedRequest> {
    if (options?.delayed) return this.delayedQuery(query, options.delayed);
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
    return this.walk(query, (page, size, navigationId) => ({
      method: 'GET',
      url: this.url([], query, queryParams(query)),
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
      this.walk(query, (page, size, navigationId) => ({
        method: 'POST',
        url: this.url([], query),
        headers: { ...pagingHeaders(page, size, navigationId, query.intention), methodOverride: 'GET' },
        body: { root: this.objectName, value: example, namespace: this.namespace },
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
    const response = await this.send({
      method: 'HEAD',
      url: this.url([], query, queryParams(query)),
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
    const pages = this.walk(query, (page, size, navigationId) => ({
      method: 'GET',
      url: this.url([], query, { changesSinceMarker: marker }),
      headers: pagingHeaders(page, size, navigationId, undefined),
    }));
    for await (const page of pages) {
      const changed: SifObject[] = [];
      const deleted: string[] = [];
      for (const object of page.objects) {
        const id = this.idOf(object);
        if (id !== undefined && Object.keys(object).length === 1) deleted.push(id);
        else changed.push(object);
      }
      yield { ...page, changed, deleted };
    }
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
  async create(object: SifObject, options: Scope & { mustUseAdvisory?: boolean } = {}): Promise<SifObject> {
    const response = await this.send({
      method: 'POST',
      url: this.url([this.objectName], options),
      headers: { mustUseAdvisory: options.mustUseAdvisory ? 'true' : undefined },
      body: { root: this.objectName, value: object, namespace: this.namespace },
      expect: [201, 200],
      what: `POST ${this.plural}/${this.objectName}`,
    });
    return response.body ? this.shape(response.body.value) : object;
  }

  /**
   * Creates many objects in one request; one result per object, in order (a failed object does not
   * fail the others). With `{ delayed }` the results arrive in the queue instead.
   *
   * @example
   * const results = await students.createMany([a, b]); // [{ id, advisoryId, status: 201, ok: true }, …]
   */
  createMany(objects: readonly SifObject[], options?: Scope & { mustUseAdvisory?: boolean }): Promise<OperationResult[]>;
  createMany(objects: readonly SifObject[], options: Scope & { mustUseAdvisory?: boolean } & DelayedOptions): Promise<DelayedRequest>;
  async createMany(
    objects: readonly SifObject[],
    options: Scope & { mustUseAdvisory?: boolean } & Partial<DelayedOptions> = {},
  ): Promise<OperationResult[] | DelayedRequest> {
    const request: SendOptions = {
      method: 'POST',
      url: this.url([], options),
      headers: { mustUseAdvisory: options.mustUseAdvisory ? 'true' : undefined },
      body: { root: this.plural, value: { [this.objectName]: [...objects] }, namespace: this.namespace },
      expect: [200],
      what: `POST ${this.plural}`,
    };
    if (options.delayed) return this.sendDelayed(request, options.delayed);
    const response = await this.send(request);
    return response.body ? operationResults(response.body.value, 'creates', 'create') : [];
  }

  /**
   * Changes one object (a partial object: only the elements given change). False when there is no
   * such object (404).
   *
   * @example
   * await students.update(refId, { name: { type: 'LegalName', familyName: 'Smith', givenName: 'Amy' } });
   */
  async update(id: string, partial: SifObject, scope: Scope = {}): Promise<boolean> {
    const response = await this.send({
      method: 'PUT',
      url: this.url([id], scope),
      body: { root: this.objectName, value: partial, namespace: this.namespace },
      expect: [204, 200, 404],
      what: `PUT ${this.plural}/${id}`,
    });
    return response.status !== 404;
  }

  /**
   * Changes many objects in one request; one result per object, in order.
   *
   * @example
   * await students.updateMany([{ id: a, partial: { localId: '1' } }, { id: b, partial: { localId: '2' } }]);
   */
  async updateMany(updates: ReadonlyArray<{ id: string; partial: SifObject }>, scope: Scope = {}): Promise<OperationResult[]> {
    const objects = updates.map(({ id, partial }) => ({ [`@${this.idAttribute}`]: id, ...partial }));
    const response = await this.send({
      method: 'PUT',
      url: this.url([], scope),
      body: { root: this.plural, value: { [this.objectName]: objects }, namespace: this.namespace },
      expect: [200],
      what: `PUT ${this.plural}`,
    });
    return response.body ? operationResults(response.body.value, 'updates', 'update') : [];
  }

  /**
   * Deletes one object. False when there is no such object (404).
   *
   * @example
   * if (!(await students.delete(refId))) console.log('already gone');
   */
  async delete(id: string, scope: Scope = {}): Promise<boolean> {
    const response = await this.send({ method: 'DELETE', url: this.url([id], scope), expect: [204, 200, 404], what: `DELETE ${this.plural}/${id}` });
    return response.status !== 404;
  }

  /**
   * Deletes many objects in one request (`PUT` + `methodOverride: DELETE` + `deleteRequest`).
   *
   * @example
   * const results = await students.deleteMany([a, b]); // results[i].status 200 or 404
   */
  async deleteMany(ids: readonly string[], scope: Scope = {}): Promise<OperationResult[]> {
    const response = await this.send({
      method: 'PUT',
      url: this.url([], scope),
      headers: { methodOverride: 'DELETE' },
      body: { root: 'deleteRequest', value: { deletes: { delete: ids.map((id) => ({ '@id': id })) } }, namespace: INFRASTRUCTURE_NAMESPACE },
      expect: [200],
      what: `DELETE ${this.plural} (deleteRequest)`,
    });
    return response.body ? operationResults(response.body.value, 'deletes', 'delete') : [];
  }

  /** Applies the `repeatable` list to an object the provider sent. */
  private shape(object: SifObject): SifObject {
    return this.repeatable.length > 0 ? normaliseRepeatable(object, this.repeatable) : object;
  }

  private url(extra: readonly string[], scope: Scope, query: Record<string, string | undefined> = {}): (env: Environment) => string {
    return (env) => sifUrl(env.urls.requestsConnector!, [...this.segments, ...extra], { zoneId: scope.zoneId, contextId: scope.contextId }, query);
  }

  private send(request: SendOptions): Promise<SifResponse> {
    return this.transport.send(request);
  }

  /** The page loop shared by queries, query by example and changes since. */
  private async *walk(
    query: { pageSize?: number; page?: number; signal?: AbortSignal },
    request: (page: number, pageSize: number, navigationId: string | undefined) => Omit<SendOptions, 'expect' | 'what'>,
  ): AsyncIterable<Page> {
    const size = query.pageSize ?? this.pageSize;
    let number = query.page ?? 1;
    let navigationId: string | undefined;
    for (;;) {
      const response = await this.send({
        ...request(number, size, navigationId),
        expect: [200, 204],
        what: `query ${this.plural} page ${number}`,
        ...(query.signal ? { signal: query.signal } : {}),
      });
      const body = response.body?.value;
      const page = pageOf(response.headers, body, this.objectName, number);
      page.objects = page.objects.map((o) => this.shape(o));
      navigationId ??= page.navigationId;
      yield page;
      if (response.status === 204 || page.objects.length === 0) return;
      const last = page.navigationLastPage;
      if (last !== undefined ? page.navigationPage >= last : page.objects.length < size) return;
      number = page.navigationPage + 1;
    }
  }

  private delayedQuery(query: QueryOptions, delayed: DelayedOptions['delayed']): Promise<DelayedRequest> {
    return this.sendDelayed(
      {
        method: 'GET',
        url: this.url([], query, queryParams(query)),
        // Naming a page asks for that page alone; without one every page arrives, each a message.
        headers: {
          navigationPageSize: query.pageSize === undefined ? undefined : String(query.pageSize),
          navigationPage: query.page === undefined ? undefined : String(query.page),
          queryIntention: query.intention,
        },
        expect: [202],
        what: `GET ${this.plural} (delayed)`,
      },
      delayed,
    );
  }

  private async sendDelayed(request: SendOptions, delayed: DelayedOptions['delayed']): Promise<DelayedRequest> {
    const requestId = delayed.requestId ?? this.transport.newRequestId();
    await this.send({
      ...request,
      headers: { ...request.headers, requestType: 'DELAYED', queueId: delayed.queueId, requestId },
      expect: [202],
    });
    return { requestId };
  }
}

/** The objects of a page walk, one by one. */
async function* objectsOf(pages: AsyncIterable<Page>): AsyncIterable<SifObject> {
  for await (const page of pages) yield* page.objects;
}

function queryParams(query: QueryOptions): Record<string, string | undefined> {
  return { where: bracketed(query.where), order: bracketed(query.order) };
}

function bracketed(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim();
  return t.startsWith('[') ? t : `[${t}]`;
}

function pagingHeaders(page: number, size: number, navigationId: string | undefined, intention: string | undefined): Record<string, string | undefined> {
  return { navigationPage: String(page), navigationPageSize: String(size), navigationId, queryIntention: intention };
}

