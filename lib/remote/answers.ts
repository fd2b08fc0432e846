import type { NextFunction, Request, Response } from 'express';
import { operationResults } from '../payload/operation-results';
import type { ProviderCore } from '../core';
import { BadRequestError, ConflictError, MethodNotAllowedError, NotFoundError, QuotaExceededError } from '../errors';
import { getSifContext } from '../http/context';
import { readPayload } from '../http/payload';
import { header } from '../http/params';
import { replayOf } from '../http/replay';
import type { DecodedPayload } from '../payload/codec';
import { isElement, textOf } from '../payload/goessner';
import { collectionItems, normalizeObject } from '../payload/objects';
import type { DeferredItemResult, DeferredPart } from '../queues/deferred';
import type { RegisteredService } from '../services/registry';
import type { AdvanceOutcome, DelayedRequestRecord, RemoteRoute } from '../store/queue-records';
import { requireProvider } from './rights';

/** The answer payload of each multi-object operation, and where its results are. */
const RESULT_ROOTS = {
  createMany: { root: 'createResponse', list: 'creates', item: 'create' },
  updateMany: { root: 'updateResponse', list: 'updates', item: 'update' },
  deleteMany: { root: 'deleteResponse', list: 'deletes', item: 'delete' },
} as const;

/**
 * Step of the object services, after authentication: a remote provider's answer (SIF 3.5 pull
 * mode). `POST {requestsConnector}/{serviceName}` with `messageType: RESPONSE` (or `ERROR`) and the
 * `requestId` of a REQUEST message it pulled is one part of that request's answer, queued for the
 * consumer in order → 202. Anything else goes on to the service as a request.
 *
 * Where the sources are silent (notes/async-providers.md §4 Q1, Q8), this library's conventions:
 * `navigationPage` numbers the parts from 1 (a part already queued is acknowledged again and not
 * queued twice; one beyond the next is a 409), and the part whose `navigationPage` reaches
 * `navigationLastPage` (or an answer without `navigationPage`, or an ERROR) ends the request. These
 * headers, and `navigationCount`, are numbers or a 400. A bulk request (a query that names no paging,
 * marked `bulkQuery` in its REQUEST message) is answered in one part of up to
 * `limits.maxBulkQueryObjects` objects; more (or a `navigationCount` past it) ends it with the 413 an
 * immediate bulk query gets (Base Architecture §5.4.1).
 *
 * @example
 * steps: (c) => [authenticateSession(c), acceptRemoteAnswer(c), resolveTarget(c), acceptDelayed(c), executeOperation(c)]
 */
export function acceptRemoteAnswer(core: ProviderCore) {
  // Synchronous for the requests that pass straight through: no promise on the hot path.
  return function acceptRemoteAnswerStep(req: Request, res: Response, next: NextFunction): void | Promise<void> {
    const type = header(req, 'messageType')?.trim().toUpperCase();
    if ((type !== 'RESPONSE' && type !== 'ERROR') || replayOf(req)) {
      next();
      return;
    }
    return accept(core, req, res, type);
  };
}

async function accept(core: ProviderCore, req: Request, res: Response, type: 'RESPONSE' | 'ERROR'): Promise<void> {
  if (req.method !== 'POST') throw new MethodNotAllowedError(`A provider's ${type} is sent with POST`, ['POST']);
  const deferrals = core.queues?.deferrals;
  if (!deferrals) throw new BadRequestError('This provider takes no answers from remote providers (queues are off)');
  const requestId = header(req, 'requestId')?.trim();
  if (!requestId) throw new BadRequestError(`A ${type} needs the requestId of the request it answers`);
  const context = getSifContext(req);
  const env = context.session!.environment;
  const { record, route } = await routedRequest(core, requestId, env.id);
  const service = core.config.services.get(record.progress.deferred!.serviceName);
  if (!service?.remote) throw notWaiting(requestId);
  if (context.objectPath!.service !== service.name || context.objectPath!.id !== undefined) {
    throw new BadRequestError(`Request ${requestId.slice(0, 80)} is for ${service.name}: POST its answers to {requestsConnector}/${service.name}`);
  }
  requireProvider(service, env, { serviceName: service.name, zoneId: route.zoneId, contextId: route.contextId });
  const navigation = navigationOf(req);
  const bulk = record.progress.deferred!.bulk === true;
  const part = navigation.page ?? record.progress.parts + 1;
  if (bulk && type === 'RESPONSE' && (part !== 1 || (navigation.lastPage ?? 1) !== 1)) {
    throw new BadRequestError('This request is a bulk query (no paging named): answer it in one part with every object (Base Architecture §5.4.1)');
  }
  if (part > record.progress.parts + 1) {
    throw new ConflictError(`Part ${part} arrived before part ${record.progress.parts + 1}: send the parts of an answer in order`, { scope: 'Remote answer' });
  }
  if (part <= record.progress.parts) {
    // Sent again (a provider that restarted mid-answer): already queued, so acknowledged, not queued twice.
    core.responder.empty(req, res, 202);
    return;
  }
  // A provider is paced by its consumer: a queue nobody drains takes no more parts (503, post it again later).
  const consumerQueue = await core.config.store.getQueue(record.environmentId, record.queueId);
  if (consumerQueue && consumerQueue.messageCount >= core.queues!.options.maxMessagesPerQueue) {
    throw new QuotaExceededError(503, 'queues.maxMessagesPerQueue', "The consumer's queue is full: post this part again later", { scope: 'Remote answer' });
  }
  const payload = await readPayload(req, core.config.limits, service);
  const last = bulk || isLast(navigation, part);
  const outcome =
    type === 'ERROR'
      ? await deferrals.failAt(requestId, errorOf(payload), part - 1)
      : await deferrals.answerAt(requestId, partOf(core, service, record, payload, navigation, last), last, part - 1);
  settle(outcome, requestId);
  core.responder.empty(req, res, 202);
}

/** The deferred request with this id and its route, when it was routed to this environment; 404 otherwise (unknown, finished or another's). */
async function routedRequest(core: ProviderCore, requestId: string, environmentId: string): Promise<{ record: DelayedRequestRecord; route: RemoteRoute }> {
  const record = await core.config.store.getDelayedRequest(requestId);
  const route = record?.state === 'deferred' ? record.progress.deferred?.remote : undefined;
  if (!record || !route || route.environmentId !== environmentId) throw notWaiting(requestId);
  return { record, route };
}

function notWaiting(requestId: string): NotFoundError {
  return new NotFoundError(`No request ${requestId.slice(0, 80)} is waiting for this provider's answer`, {
    description: 'Unknown, already answered or expired, or routed to another provider',
  });
}

/** The paging headers of an answer part: `navigationPage` numbers the part. */
interface Navigation {
  page?: number;
  lastPage?: number;
  count?: number;
}

/** The paging headers of an answer part, each a number when given (400 otherwise: never silently ignored). */
function navigationOf(req: Request): Navigation {
  const read = (name: string, min: number, what: string): number | undefined => {
    const given = header(req, name)?.trim();
    if (given === undefined || given === '') return undefined;
    if (!/^\d{1,12}$/.test(given) || Number(given) < min) throw new BadRequestError(`${name} must be ${what}`, { scope: 'Remote answer' });
    return Number(given);
  };
  const page = read('navigationPage', 1, 'a positive integer: the number of this part of the answer');
  const lastPage = read('navigationLastPage', 1, 'a positive integer: the number of the last part of the answer');
  const count = read('navigationCount', 0, 'a whole number: the objects in the whole answer');
  return { ...(page !== undefined ? { page } : {}), ...(lastPage !== undefined ? { lastPage } : {}), ...(count !== undefined ? { count } : {}) };
}

/** True when this part ends the answer. */
function isLast(navigation: Navigation, part: number): boolean {
  if (navigation.page === undefined) return true;
  return navigation.lastPage !== undefined && part >= navigation.lastPage;
}

/** What the provider's answer part says, checked against the operation and the service's object type. */
function partOf(
  core: ProviderCore,
  service: RegisteredService,
  record: DelayedRequestRecord,
  payload: DecodedPayload | undefined,
  navigation: Navigation,
  last: boolean,
): DeferredPart | undefined {
  const { operation, bulk } = record.progress.deferred!;
  if (operation === 'query') {
    const count = navigation.count !== undefined ? { totalCount: navigation.count } : {};
    // No body: an empty page (as the first and last part, the empty answer; of a bulk request with
    // a count, the count alone, which may be past the limit: the 413 then).
    if (!payload) return bulk && navigation.count ? { objects: [], ...count } : last && record.progress.parts === 0 ? undefined : { objects: [] };
    if (payload.root !== service.name) {
      throw new BadRequestError(`An answer to a query of ${service.name} is a ${service.name} collection, not "${payload.root.slice(0, 60)}"`);
    }
    const items = collectionItems(payload.value, service.name, service.objectName!);
    // A bulk request's one part may hold up to maxBulkQueryObjects: past that, Deferrals ends it with the 413.
    if (!bulk && items.length > core.config.paging.maxPageSize) {
      throw new QuotaExceededError(413, 'paging.maxPageSize', `A page may hold at most ${core.config.paging.maxPageSize} objects`);
    }
    const objects = items.map((item, i) => {
      if (!isElement(item)) throw new BadRequestError(`${service.objectName} number ${i + 1} is not an element`);
      return normalizeObject(item, service.repeatable);
    });
    return { objects, ...count, ...(navigation.lastPage !== undefined ? { lastPage: navigation.lastPage } : {}) };
  }
  const spec = RESULT_ROOTS[operation as keyof typeof RESULT_ROOTS];
  if (!payload || payload.root !== spec.root) {
    throw new BadRequestError(`An answer to a ${spec.item} request is a ${spec.root}, not "${(payload?.root ?? 'nothing').slice(0, 60)}"`);
  }
  const results: DeferredItemResult[] = operationResults(payload.value, spec.list, spec.item).map((r) => {
    if (!Number.isInteger(r.status) || r.status < 100 || r.status > 599) throw new BadRequestError(`Each ${spec.item} needs a statusCode (100 to 599)`);
    const message = r.error ? textOf(r.error.message) : undefined;
    return { id: r.id, advisoryId: r.advisoryId, statusCode: r.status, ...(message !== undefined ? { message } : {}) };
  });
  if (results.length > core.config.limits.maxObjectsPerRequest) {
    throw new QuotaExceededError(413, 'limits.maxObjectsPerRequest', `A part may answer at most ${core.config.limits.maxObjectsPerRequest} objects`);
  }
  return { results };
}

/** The status and message of an ERROR answer's `error` payload (500 when it names none). */
function errorOf(payload: DecodedPayload | undefined): { statusCode: number; message: string } {
  if (!payload || payload.root !== 'error') throw new BadRequestError('An ERROR answer carries an error payload');
  const code = Number(textOf(payload.value.code));
  return {
    statusCode: Number.isInteger(code) && code >= 400 && code <= 599 ? code : 500,
    message: textOf(payload.value.message) ?? 'The provider could not answer this request',
  };
}

/** `lost`: another answer to the same part was queued first (a duplicate). `gone`: finished meanwhile. */
function settle(outcome: AdvanceOutcome, requestId: string): void {
  if (outcome === 'gone') throw notWaiting(requestId);
}


