import type { GoessnerObject } from '../payload/goessner';
import { asArray, isElement, textOf } from '../payload/goessner';
import { exampleToWhere, parseOrder, parseWhere } from '../query';
import type { WhereNode } from '../query';
import type { QueryRequest, ServiceHandlers, SifRequestContext } from '../services/types';
import type { QueueMessage } from './queue';
import { normaliseRepeatable } from './repeatable';
import type { SifObject } from './types';

// How a remote provider (SIF 3.5 pull mode) answers one REQUEST message with the library's own
// handler shapes: the pages of a query, the createResponse / updateResponse / deleteResponse of a
// multi-object write, or an error. provide.ts posts what this module produces.

/**
 * The handlers a remote provider runs: the same shapes as a service's `handlers` in process.
 *
 * @example
 * const handlers: ProvideHandlers = { query: async (ctx, q) => ({ objects: await db.page(q.offset, q.pageSize), totalCount: await db.count() }) };
 */
export type ProvideHandlers = Pick<ServiceHandlers, 'query' | 'create' | 'createMany' | 'update' | 'updateMany' | 'delete' | 'deleteMany'>;

/**
 * The object shape of the service served: how objects are named and identified.
 *
 * @example
 * const shape: ObjectShape = { serviceName: 'xStaffs', objectName: 'xStaff', idAttribute: 'refId', repeatable: [], pageSize: 100 };
 */
export interface ObjectShape {
  serviceName: string;
  objectName: string;
  idAttribute: string;
  repeatable: readonly string[];
  /** Default page size when the consumer named none. */
  pageSize: number;
}

/**
 * One part of an answer, ready to post: its headers beyond messageType and requestId, and its payload.
 *
 * @example
 * const part: AnswerPart = { messageType: 'RESPONSE', headers: { navigationPage: '1', navigationLastPage: '1' } };
 */
export interface AnswerPart {
  messageType: 'RESPONSE' | 'ERROR';
  headers: Record<string, string>;
  body?: { root: string; value: GoessnerObject; namespace?: 'infrastructure' | 'data' };
}

/** A request a provider cannot answer, as the consumer will see it: a status and a message. */
class AnswerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The parts answering one REQUEST message, produced one at a time (a query's pages are read from
 * the handler as they are posted). A handler that throws ends the answer with an ERROR part carrying
 * its `status` (a `SifError`'s) or 500.
 *
 * @example
 * for await (const part of answerParts(message, handlers, shape)) await post(part);
 */
export async function* answerParts(message: QueueMessage, handlers: ProvideHandlers, shape: ObjectShape): AsyncGenerator<AnswerPart> {
  try {
    const ctx = contextOf(message, shape.serviceName);
    const action = message.headers.requestaction?.toUpperCase();
    if (action === 'QUERY' && message.headers.bulkquery === 'true') yield await bulkAnswer(message, handlers, shape, ctx);
    else if (action === 'QUERY') yield* queryPages(message, handlers, shape, ctx);
    else if (action === 'CREATE' || action === 'UPDATE' || action === 'DELETE') yield await writeResults(action, message, handlers, shape, ctx);
    else throw new AnswerError(400, `This provider cannot answer requestAction ${action ?? '(none)'}`);
  } catch (error) {
    yield errorPart(error);
  }
}

/** What a handler sees: the consumer's application as `applicationKey`; nothing of its environment. */
function contextOf(message: QueueMessage, serviceName: string): SifRequestContext {
  const h = message.headers;
  return Object.freeze({
    serviceName,
    zoneId: h.zoneid ?? '',
    contextId: h.contextid ?? 'DEFAULT',
    applicationKey: h.sourcename ?? '',
    environmentId: '',
    fingerprint: '',
    instanceId: undefined,
    userToken: undefined,
    solutionId: undefined,
    generatorId: h.generatorid,
    requestId: h.requestid,
  });
}

/**
 * A paged batch: the handler's pages from the one the consumer named (else 1) to the last, each a
 * part. Parts are numbered from 1 on the wire (the host's convention, remote/answers.ts), so page
 * `first + n` is part `n + 1`.
 */
async function* queryPages(message: QueueMessage, handlers: ProvideHandlers, shape: ObjectShape, ctx: SifRequestContext): AsyncGenerator<AnswerPart> {
  const query = queryHandler(handlers, shape);
  const pageSize = positive(message.headers.navigationpagesize) ?? shape.pageSize;
  const first = positive(message.headers.navigationpage) ?? 1;
  const filters = filtersOf(message, shape);
  for (let page = first; ; page++) {
    const { objects, total } = await pageOf(query, ctx, { page, pageSize, offset: (page - 1) * pageSize, ...filters });
    // The last page: as many as the total says, or a short page when there is no total. An empty
    // page ends the answer whatever the total said (the first one as an empty answer).
    const lastPage = total === undefined ? undefined : Math.max(first, Math.ceil(total / pageSize));
    const last = objects.length === 0 || (lastPage !== undefined ? page >= lastPage : objects.length < pageSize);
    const part = page - first + 1;
    const headers: Record<string, string> = { navigationPage: String(part), navigationPageSize: String(pageSize) };
    if (total !== undefined) headers.navigationCount = String(total);
    if (last || lastPage !== undefined) headers.navigationLastPage = String(last ? part : lastPage! - first + 1);
    yield { messageType: 'RESPONSE', headers, ...(objects.length > 0 ? { body: collectionBody(objects, shape) } : {}) };
    if (last) return;
  }
}

/**
 * A bulk request (`bulkQuery: true`, a query that names no paging: Base Architecture §5.4.1): every
 * object in one part, read from the handler page by page. Past `maxBulkQueryObjects` (known from
 * the handler's total at once, else by counting on without keeping objects) the part carries only
 * `navigationCount`, and the host answers the consumer with the 413 of a bulk query.
 */
async function bulkAnswer(message: QueueMessage, handlers: ProvideHandlers, shape: ObjectShape, ctx: SifRequestContext): Promise<AnswerPart> {
  const query = queryHandler(handlers, shape);
  const limit = positive(message.headers.maxbulkqueryobjects) ?? Number.MAX_SAFE_INTEGER;
  const pageSize = shape.pageSize;
  const filters = filtersOf(message, shape);
  const kept: SifObject[] = [];
  let counted = 0;
  let total: number | undefined;
  for (let page = 1; ; page++) {
    const result = await pageOf(query, ctx, { page, pageSize, offset: (page - 1) * pageSize, ...filters });
    total ??= result.total;
    if (total !== undefined && total > limit) break;
    counted += result.objects.length;
    if (counted <= limit) kept.push(...result.objects);
    if (result.objects.length < pageSize || (total !== undefined && counted >= total)) break;
  }
  const count = total !== undefined && total > limit ? total : counted;
  const headers = { navigationPage: '1', navigationLastPage: '1', navigationCount: String(count) };
  if (count > limit || kept.length === 0) return { messageType: 'RESPONSE', headers };
  return { messageType: 'RESPONSE', headers: { ...headers, navigationPageSize: String(kept.length) }, body: collectionBody(kept, shape) };
}

function queryHandler(handlers: ProvideHandlers, shape: ObjectShape): NonNullable<ProvideHandlers['query']> {
  if (!handlers.query) throw new AnswerError(405, `${shape.serviceName} cannot be queried here`);
  return handlers.query;
}

/** One page from the handler: its objects (at most the page size) and its total, if it gave one. */
async function pageOf(query: NonNullable<ProvideHandlers['query']>, ctx: SifRequestContext, asked: QueryRequest): Promise<{ objects: SifObject[]; total: number | undefined }> {
  const result = await query(ctx, asked);
  const objects = Array.isArray(result?.objects) ? result.objects.slice(0, asked.pageSize) : [];
  return { objects, total: typeof result?.totalCount === 'number' ? result.totalCount : undefined };
}

function collectionBody(objects: SifObject[], shape: ObjectShape): NonNullable<AnswerPart['body']> {
  return { root: shape.serviceName, value: { [shape.objectName]: objects.map((o) => shaped(o, shape)) } as GoessnerObject, namespace: 'data' };
}

/** `where` and `order` from the relativeServicePath's query string; a query by example's body as `like` conditions. */
function filtersOf(message: QueueMessage, shape: ObjectShape): Pick<QueryRequest, 'where' | 'order'> {
  const path = message.relativeServicePath ?? '';
  const params = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
  const conditions: WhereNode[] = [];
  const where = params.get('where') ?? message.headers.where;
  if (where) conditions.push(parseWhere(where));
  if (message.body && message.root === shape.objectName) conditions.push(exampleToWhere(shaped(message.body, shape)));
  const order = params.get('order') ?? message.headers.order;
  return {
    ...(conditions.length === 1 ? { where: conditions[0]! } : conditions.length > 1 ? { where: { kind: 'and', children: conditions } } : {}),
    ...(order ? { order: parseOrder(order) } : {}),
  };
}

type WriteAction = 'CREATE' | 'UPDATE' | 'DELETE';

const RESPONSES: Readonly<Record<WriteAction, { root: string; list: string; item: string; ok: number }>> = {
  CREATE: { root: 'createResponse', list: 'creates', item: 'create', ok: 201 },
  UPDATE: { root: 'updateResponse', list: 'updates', item: 'update', ok: 200 },
  DELETE: { root: 'deleteResponse', list: 'deletes', item: 'delete', ok: 200 },
};

/** The one results part of a multi-object create, update or delete. */
async function writeResults(action: WriteAction, message: QueueMessage, handlers: ProvideHandlers, shape: ObjectShape, ctx: SifRequestContext): Promise<AnswerPart> {
  const spec = RESPONSES[action];
  const idKey = `@${shape.idAttribute}`;
  let items: { id: string | undefined; advisoryId?: string | undefined; outcome: GoessnerObject | boolean | Error }[];
  if (action === 'DELETE') {
    const ids = asArray(isElement(message.body?.deletes) ? message.body.deletes.delete : undefined).filter(isElement).map((d) => textOf(d['@id']) ?? '');
    const outcomes = await each(ids, handlers.deleteMany && ((list) => handlers.deleteMany!(ctx, list)), handlers.delete && ((id) => handlers.delete!(ctx, id)), 'deleted');
    items = ids.map((id, i) => ({ id, outcome: outcomes[i]! }));
  } else {
    const objects = collection(message, shape);
    if (action === 'CREATE') {
      const options = { mustUseAdvisory: message.headers.mustuseadvisory?.toLowerCase() === 'true' };
      const outcomes = await each(objects, handlers.createMany && ((list) => handlers.createMany!(ctx, list, options)), handlers.create && ((o) => handlers.create!(ctx, o, options)), 'created');
      items = objects.map((o, i) => {
        const outcome = outcomes[i]!;
        return { id: isElement(outcome) ? textOf(outcome[idKey]) : undefined, advisoryId: textOf(o[idKey]), outcome };
      });
    } else {
      const updates = objects.map((o) => ({ id: textOf(o[idKey]) ?? '', partial: o }));
      const outcomes = await each(updates, handlers.updateMany && ((list) => handlers.updateMany!(ctx, list)), handlers.update && ((u) => handlers.update!(ctx, u.id, u.partial)), 'updated');
      items = updates.map((u, i) => ({ id: u.id, outcome: outcomes[i]! }));
    }
  }
  const entries = items.map(({ id, advisoryId, outcome }) => {
    const entry: GoessnerObject = {};
    if (id) entry['@id'] = id;
    if (advisoryId) entry['@advisoryId'] = advisoryId;
    const failure = outcome instanceof Error ? outcome : outcome === false ? new AnswerError(404, `No ${shape.objectName} ${id ?? ''}`) : undefined;
    entry['@statusCode'] = String(failure ? statusOf(failure) : spec.ok);
    if (failure) entry.error = errorObject(failure, `${spec.item} ${shape.serviceName}`);
    return entry;
  });
  return {
    messageType: 'RESPONSE',
    headers: { navigationPage: '1', navigationLastPage: '1' },
    body: { root: spec.root, value: { [spec.list]: { [spec.item]: entries } }, namespace: 'infrastructure' },
  };
}

/**
 * Runs the batch handler once, or the single one per item; an item's throw is its result. A batch
 * handler's wrong number of results fails every item, as in process.
 */
async function each<I, R>(
  items: I[],
  batch: ((items: I[]) => Promise<(R | Error)[]>) | undefined,
  single: ((item: I) => Promise<R>) | undefined,
  verb: string,
): Promise<(R | Error)[]> {
  if (!batch && !single) throw new AnswerError(405, `Objects cannot be ${verb} here`);
  if (batch) {
    const results = await batch(items);
    if (!Array.isArray(results) || results.length !== items.length) return items.map(() => new AnswerError(500, 'The handler returned one result per object'));
    return results;
  }
  const results: (R | Error)[] = [];
  for (const item of items) results.push(await single!(item).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
  return results;
}

/** The objects of the request's collection body, shaped by the repeatable list. */
function collection(message: QueueMessage, shape: ObjectShape): GoessnerObject[] {
  if (message.root !== shape.serviceName || !message.body) throw new AnswerError(400, `Expected a ${shape.serviceName} payload`);
  return asArray(message.body[shape.objectName]).filter(isElement).map((o) => shaped(o, shape));
}

function shaped(object: SifObject, shape: ObjectShape): GoessnerObject {
  return shape.repeatable.length > 0 ? normaliseRepeatable(object, shape.repeatable) : object;
}

function errorPart(error: unknown): AnswerPart {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { messageType: 'ERROR', headers: {}, body: { root: 'error', value: errorObject(failure, 'Remote provider'), namespace: 'infrastructure' } };
}

/** A SIF error object for an Error: its `status` (as `SifError` and `SifClientError` carry it) or 500. */
function errorObject(error: Error, scope: string): GoessnerObject {
  return { '@id': randomId(), code: String(statusOf(error)), scope, message: error.message || 'Failed' };
}

function statusOf(error: Error): number {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** An error id: not a secret, only unique enough to find it in logs. */
function randomId(): string {
  const g = globalThis as { crypto?: { randomUUID?: () => string } };
  return g.crypto?.randomUUID?.() ?? `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}
