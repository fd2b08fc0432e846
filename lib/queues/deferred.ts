import type { Request, Response } from 'express';
import type { ResolvedConfig } from '../config/resolve';
import { SifError } from '../errors';
import { replayOf } from '../http/replay';
import type { GoessnerObject } from '../payload/goessner';
import { isElement } from '../payload/goessner';
import { shapeForOutput } from '../payload/objects';
import { createResponse, deleteResponse, updateResponse } from '../payload/responses';
import type { ResponseAction } from '../protocol/enums';
import { errorObject } from '../payload/error';
import { refusedAnswer } from '../models/hooks';
import type { RegisteredService } from '../services/registry';
import type { QueryRequest, SifRequestContext } from '../services/types';
import type { AdvanceOutcome, DelayedRequestRecord, MessageBody, NewQueueMessage, RemoteRoute } from '../store/queue-records';
import type { RemoteRouting } from '../remote/route';
import { bulkQueryTooLarge } from '../protocol/bulk-limit';
import { newId } from '../util/ids';
import type { QueueBroker } from './broker';
import { answerHeaders } from './delayed';

/** One part of a deferred query's answer: a page of objects. */
export interface DeferredQueryPart {
  objects: GoessnerObject[];
  /** Objects in the whole answer, when known: sent as `navigationCount`. */
  totalCount?: number;
  /** The number of the answer's last page, when known before it: sent as `navigationLastPage` (the last part always has it). */
  lastPage?: number;
}

/** One part of a deferred multi-object create, update or delete: a `createResponse` (…) for some objects. */
export interface DeferredResultsPart {
  results: DeferredItemResult[];
}

/** The outcome of one object, as in a `createResponse`. */
export interface DeferredItemResult {
  /** The id the object now has (for a failure, if known). */
  id?: string;
  /** For creates: the id the consumer suggested. */
  advisoryId?: string;
  /** 201 created, 200 updated or deleted; a 4xx/5xx code for a failure. */
  statusCode: number;
  /** For a failure: what went wrong. */
  message?: string;
}

/** A part of a deferred answer. */
export type DeferredPart = DeferredQueryPart | DeferredResultsPart;

/** The operations an asynchronous provider can take. */
export type DeferrableOperation = 'query' | 'createMany' | 'updateMany' | 'deleteMany';

/**
 * What an asynchronous provider is answering, kept with the delayed request.
 *
 * @example
 * const deferred: Deferred = { serviceName: 'xStaffs', operation: 'query' };
 */
export type Deferred = { serviceName: string; operation: DeferrableOperation; bulk?: true };

/** The operations a remote provider (lib/remote) takes: every one an asynchronous provider can. */
const REMOTE_OPERATIONS: ReadonlySet<string> = new Set<DeferrableOperation>(['query', 'createMany', 'updateMany', 'deleteMany']);

/** Per multi-object operation: its responseAction, answer payload, and default status per item. */
const RESULTS: Readonly<Record<Exclude<DeferrableOperation, 'query'>, { action: ResponseAction; root: string; build: typeof createResponse; ok: number; verb: string }>> = {
  createMany: { action: 'CREATE', root: 'createResponse', build: createResponse, ok: 201, verb: 'Create' },
  updateMany: { action: 'UPDATE', root: 'updateResponse', build: updateResponse, ok: 200, verb: 'Update' },
  deleteMany: { action: 'DELETE', root: 'deleteResponse', build: deleteResponse, ok: 200, verb: 'Delete' },
};

/**
 * Asynchronous providers (SIF 3.5): hands DELAYED requests to a service's `delayed` handlers and
 * queues the parts of the answer they send later through `provider.respond` / `complete` / `fail`.
 * The request stays in the store, marked deferred, until it is complete: a restart loses nothing.
 */
export class Deferrals {
  constructor(
    private readonly config: ResolvedConfig,
    private readonly broker: QueueBroker,
    /** Routes the requests of remote services to their providers' queues. */
    private readonly remote?: RemoteRouting,
  ) {}

  /** True when this request is a delayed one that the service answers asynchronously (here or remotely). */
  takes(req: Request, service: RegisteredService, operation: string): operation is DeferrableOperation {
    if (replayOf(req) === undefined) return false;
    return service.remote ? this.remote !== undefined && REMOTE_OPERATIONS.has(operation) : service.delayed[operation as DeferrableOperation] !== undefined;
  }

  /**
   * Marks the delayed request deferred (before the handler can answer), then gives it to the
   * service's handler. `input` is the query or the objects, decoded as for an immediate request.
   */
  async handOver(req: Request, res: Response, service: RegisteredService, ctx: SifRequestContext, operation: DeferrableOperation, input: unknown): Promise<void> {
    const replay = replayOf(req)!;
    const record = await this.config.store.getDelayedRequest(replay.id);
    if (!record) return;
    // A bulk query (no paging named) is answered in one part: every object, or a 413 (answer()).
    const bulk = operation === 'query' && (input as QueryRequest).bulk === true;
    const deferred: Deferred = { serviceName: service.name, operation, ...(bulk ? { bulk } : {}) };
    if (service.remote && this.remote) {
      // Marked deferred, routed and queued for the provider in one step (remote/route.ts).
      await this.remote.route(record, deferred, service, ctx);
      replay.deferred = true;
      res.writeHead(202).end();
      return;
    }
    await this.config.store.advanceDelayedRequest(replay.id, { progress: { ...record.progress, deferred }, state: 'deferred' }, []);
    const request = Object.freeze({ ref: replay.id });
    if (operation === 'query') await service.delayed.query!(ctx, input as QueryRequest, request);
    else if (operation === 'deleteMany') await service.delayed.deleteMany!(ctx, input as string[], request);
    else await service.delayed[operation]!(ctx, input as GoessnerObject[], request);
    // Only a handler that took the request leaves it deferred; one that threw is answered with its error.
    replay.deferred = true;
    res.writeHead(202).end();
  }

  /**
   * Queues one part of the answer. False when the request is gone (its queue or environment was
   * deleted). The host paces these parts, so they are not held to `maxMessagesPerQueue` (a queue
   * has at most `maxPendingDelayedPerQueue` such requests).
   */
  async respond(ref: string, part: DeferredPart): Promise<boolean> {
    return (await this.answer(ref, part, false)) === 'advanced';
  }

  /** Queues the last part (if any) and forgets the request. */
  async complete(ref: string, part?: DeferredPart): Promise<boolean> {
    return (await this.answer(ref, part, true)) === 'advanced';
  }

  /** Ends the request with an error message in the consumer's queue. */
  async fail(ref: string, error: { statusCode: number; message: string }): Promise<boolean> {
    return (await this.failAt(ref, error)) === 'advanced';
  }

  /**
   * `respond` (or with `last`, `complete`) for a remote provider's answer: queued only while the
   * request has queued exactly `ifParts` answers (else `lost`: another answer to that part came
   * first); `gone` when the request is not deferred (finished, or never taken).
   *
   * @example
   * await deferrals.answerAt(ref, { objects, totalCount }, isLast, page - 1);
   */
  answerAt(ref: string, part: DeferredPart | undefined, last: boolean, ifParts?: number): Promise<AdvanceOutcome> {
    return this.answer(ref, part, last, ifParts);
  }

  /**
   * `fail` with the outcome: `gone` when the request is not deferred, `lost` when it has not queued
   * exactly `ifParts` answers (when given).
   *
   * @example
   * await deferrals.failAt(ref, { statusCode: 500, message: 'The staff database is down' });
   */
  async failAt(ref: string, error: { statusCode: number; message: string }, ifParts?: number): Promise<AdvanceOutcome> {
    const record = await this.deferredRecord(ref);
    if (!record) return 'gone';
    return this.error(record, new SifError(validStatus(error.statusCode, 500), String(error.message)), ifParts);
  }

  /** Ends the request with this error as its ERROR answer. */
  private error(record: DelayedRequestRecord, sifError: SifError, ifParts?: number): Promise<AdvanceOutcome> {
    const body: MessageBody = { kind: 'payload', root: 'error', namespace: undefined, value: errorObject(sifError, newId(), 'Delayed request') };
    return this.queue(record, { messageType: 'ERROR', ...answerHeaders(record) }, body, true, ifParts);
  }

  /**
   * Ends, with an ERROR in the consumer's queue, every taken request the provider has not completed
   * within `maxAgeHours`: the consumer is told rather than left waiting. Returns how many.
   */
  async expire(maxAgeHours: number): Promise<number> {
    const before = new Date(this.config.clock().getTime() - maxAgeHours * 3_600_000).toISOString();
    const stale = await this.config.store.staleDeferredRequests(before);
    for (const record of stale) {
      this.config.logger.warn(`sif3-direct: delayed request ${record.id} was not completed within ${maxAgeHours} h; answered with an error`);
      await this.fail(record.id, { statusCode: 500, message: `The provider did not complete this request within ${maxAgeHours} hours` });
    }
    return stale.length;
  }

  /**
   * Requests of remote services whose provider's queue is gone (it deleted its queue or its
   * environment before answering): routed again to the provider subscribed there now, which answers
   * from the first part (parts already delivered are not delivered twice), else ended with an ERROR
   * 503. Run at housekeeping. Returns how many were ended.
   *
   * @example
   * await deferrals.rehome();
   */
  async rehome(): Promise<number> {
    // Only a provider with remote services scans (the deferred requests, without their bodies).
    if (!this.remote || ![...this.config.services.values()].some((s) => s.remote)) return 0;
    let ended = 0;
    for (const record of await this.remote.orphans()) {
      const { serviceName, operation, bulk, remote } = record.progress.deferred as Deferred & { remote: RemoteRoute };
      const service = this.config.services.get(serviceName);
      const consumer = await this.config.store.getEnvironment(record.environmentId);
      try {
        if (!service?.remote || !consumer) throw new SifError(503, `${serviceName} is no longer provided remotely`);
        await this.remote.route(record, { serviceName, operation, ...(bulk ? { bulk } : {}) }, service, { zoneId: remote.zoneId, contextId: remote.contextId, applicationKey: consumer.applicationKey });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (await this.fail(record.id, { statusCode: 503, message: `The provider of ${serviceName} left before answering: ${why}` })) ended++;
      }
    }
    return ended;
  }

  private async answer(ref: string, part: DeferredPart | undefined, last: boolean, ifParts?: number): Promise<AdvanceOutcome> {
    const record = await this.deferredRecord(ref);
    if (!record) return 'gone';
    const deferred = record.progress.deferred as Deferred;
    const service = this.config.services.get(deferred.serviceName)!;
    const page = record.progress.parts + 1;
    const headers: Record<string, string> = { messageType: 'RESPONSE', ...answerHeaders(record), serviceType: service.type };
    let body: MessageBody;
    if (part === undefined) {
      if (record.progress.parts > 0) return this.queue(record, undefined, undefined, true, ifParts);
      headers.responseAction = deferred.operation === 'query' ? 'QUERY' : RESULTS[deferred.operation].action;
      body = { kind: 'empty' };
    } else if (deferred.operation === 'query') {
      const objects = (part as DeferredQueryPart).objects;
      if (!Array.isArray(objects) || !objects.every(isElement)) throw new TypeError('sif3-direct: respond(): a query part needs objects: an array of objects');
      if (deferred.bulk) {
        if (!last) throw new TypeError('sif3-direct: respond(): a query without paging is a bulk query (Base Architecture §5.4.1): answer it in one part, complete(ref, { objects })');
        const total = (part as DeferredQueryPart).totalCount;
        const { maxBulkQueryObjects } = this.config.limits;
        if (objects.length > maxBulkQueryObjects || (typeof total === 'number' && total > maxBulkQueryObjects)) {
          const tooLarge = bulkQueryTooLarge({ maxBulkQueryObjects, maxPageSize: this.config.paging.maxPageSize }, typeof total === 'number' ? Math.max(total, objects.length) : objects.length);
          return this.error(record, tooLarge, ifParts);
        }
        part = { objects, totalCount: objects.length };
      }
      Object.assign(headers, { responseAction: 'QUERY', navigationPage: String(page), navigationPageSize: String(objects.length) });
      const total = (part as DeferredQueryPart).totalCount;
      if (typeof total === 'number') headers.navigationCount = String(total);
      const lastPage = (part as DeferredQueryPart).lastPage;
      if (last) headers.navigationLastPage = String(page);
      else if (typeof lastPage === 'number' && Number.isInteger(lastPage) && lastPage > page) headers.navigationLastPage = String(lastPage);
      const shaped = objects.map((o) => shapeForOutput(o, service.repeatable));
      const refused = refusedAnswer(service, shaped, this.config.logger);
      if (refused) return this.failAt(ref, refused, ifParts);
      body = { kind: 'payload', root: service.name, namespace: service.namespace, value: { [service.objectName!]: shaped } };
    } else {
      const spec = RESULTS[deferred.operation];
      const results = (part as DeferredResultsPart).results;
      if (!Array.isArray(results)) throw new TypeError(`sif3-direct: respond(): a ${deferred.operation} part needs results: an array`);
      headers.responseAction = spec.action;
      const outcomes = results.map((r) => ({
        id: r.id,
        advisoryId: deferred.operation === 'createMany' ? r.advisoryId : undefined,
        statusCode: validStatus(r.statusCode, spec.ok),
        error: r.statusCode >= 400 ? new SifError(validStatus(r.statusCode, 500), r.message ?? `${spec.verb} failed`) : undefined,
      }));
      body = { kind: 'payload', root: spec.root, namespace: undefined, value: spec.build(outcomes, `${spec.verb} ${service.name}`) };
    }
    return this.queue(record, headers, body, last, ifParts);
  }

  private async deferredRecord(ref: string): Promise<DelayedRequestRecord | undefined> {
    if (typeof ref !== 'string') throw new TypeError('sif3-direct: ref must be the string a delayed handler received');
    const record = await this.config.store.getDelayedRequest(ref);
    return record?.state === 'deferred' ? record : undefined;
  }

  private async queue(
    record: DelayedRequestRecord,
    headers: Record<string, string> | undefined,
    body: MessageBody | undefined,
    done: boolean,
    ifParts?: number,
  ): Promise<AdvanceOutcome> {
    const messages: NewQueueMessage[] = headers && body
      ? [{ id: newId(), queueId: record.queueId, createdAt: this.config.clock().toISOString(), headers, body }]
      : [];
    const progress = { ...record.progress, parts: record.progress.parts + messages.length };
    const outcome = await this.config.store.advanceDelayedRequest(record.id, { progress, done, ...(ifParts === undefined ? {} : { ifParts }) }, messages);
    if (outcome === 'advanced' && messages.length > 0) this.broker.wake([record.queueId]);
    return outcome;
  }
}

function validStatus(code: unknown, fallback: number): number {
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : fallback;
}
