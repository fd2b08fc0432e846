import type { NextFunction, Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { ServiceUnavailableError } from '../../errors';
import { readBody } from '../../http/body';
import { headerOrQuery } from '../../http/params';
import { isBulkQuery, requestTypeOf } from '../../http/request-headers';
import { replayOf } from '../../http/replay';
import type { DeferrableOperation } from '../../queues/deferred';
import { pageOffset, parsePaging } from '../../protocol/paging';
import { readObjects, targetOf } from './common';
import { assertValidInput } from '../../models/hooks';
import { createMany, createOne } from './create';
import { deleteMany, deleteOne, readDeleteRequest } from './delete';
import type { Operation } from './operations';
import { filters, queryObjects, readObject } from './query';
import { updateMany, updateOne } from './update';

type Runner = (core: ProviderCore, req: Request, res: Response) => Promise<void>;

const RUNNERS: Readonly<Record<Operation, Runner>> = {
  query: queryObjects,
  queryByExample: queryObjects,
  read: readObject,
  createOne,
  createMany,
  updateOne,
  updateMany,
  deleteOne,
  deleteMany,
};

/**
 * Step: runs the resolved operation of an object-service request. A delayed request whose service
 * answers asynchronously goes to its `delayed` handler instead. With queues on, an immediate
 * request still running after the budget is answered 503: send it again as DELAYED.
 */
export function executeOperation(core: ProviderCore) {
  const budgetSeconds = core.queues?.options.immediateBudgetSeconds ?? 0;
  // One per router, so per provider: the budget of every immediate request it is running.
  const deadlines = budgetSeconds > 0 ? new Deadlines(budgetSeconds * 1000) : undefined;
  return function executeOperationStep(req: Request, res: Response, next: NextFunction): Promise<void> | void {
    const target = targetOf(req);
    const operation = target.operation;
    // A remote provider gets a query by example as a query with its example (remote/message.ts).
    const deferrable = operation === 'queryByExample' && target.service.remote ? 'query' : operation;
    if (core.queues && !target.servicePath && core.queues.deferrals.takes(req, target.service, deferrable)) {
      return handOver(core, req, res, deferrable);
    }
    const running = RUNNERS[operation](core, req, res);
    if (!deadlines || replayOf(req)) return running;
    // The handler cannot be stopped: at the budget the consumer gets its 503, and what the handler
    // still does is done, but its late answer is dropped (the responder sees the 503 already sent)
    // and a late failure is logged.
    let late = false;
    const id = deadlines.add(() => {
      late = true;
      next(
        new ServiceUnavailableError('This request takes too long to answer immediately', {
          description: 'Send it again with requestType: DELAYED and a queueId; the answer will arrive in that queue',
        }),
      );
    });
    running.then(
      () => deadlines.remove(id),
      (err: unknown) => {
        deadlines.remove(id);
        if (late) core.config.logger.error('sif3-direct: a request failed after its 503', err);
        else next(err ?? new Error('Rejected promise'));
      },
    );
  };
}

/**
 * The immediate budget of the requests running, with at most one timer for all of them, where a
 * timer and a promise per request cost more than most requests' own work. Every request gets the
 * same budget, so deadlines fall in the order requests start: the oldest is always first. The timer
 * is armed (lazily) for the oldest; when it fires, it expires those past their deadline and is armed
 * again for the next one. A request that ends only leaves the map, so the timer may wake once for
 * nothing, at most once per budget.
 */
export class Deadlines {
  /** Request number → its deadline (ms, monotonic clock) and what to do at it; oldest first. */
  private readonly running = new Map<number, { at: number; expire: () => void }>();
  private nextId = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly budgetMs: number) {}

  /** Starts the budget of a request; `expire` runs if it is still there at its deadline. Returns its id. */
  add(expire: () => void): number {
    const id = this.nextId++;
    this.running.set(id, { at: performance.now() + this.budgetMs, expire });
    if (this.timer === undefined) this.arm(this.budgetMs);
    return id;
  }

  /** Ends the budget of a request that has finished (or failed). */
  remove(id: number): void {
    this.running.delete(id);
  }

  /** How many budgets are running, for tests. */
  get size(): number {
    return this.running.size;
  }

  private arm(ms: number): void {
    // Unref'd: a request in progress keeps the process alive by its socket, not by its budget.
    this.timer = setTimeout(() => this.sweep(), Math.max(1, Math.ceil(ms))).unref();
  }

  private sweep(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const [id, entry] of this.running) {
      if (entry.at > now) {
        this.arm(entry.at - now);
        return;
      }
      this.running.delete(id);
      entry.expire();
    }
  }
}

/**
 * Step of the object services, before a DELAYED request is accepted: for one an asynchronous
 * provider in process will take (a `delayed` handler), decodes and checks what the handler would
 * get (objects, data-model validation, namespace, deleteRequest, paging, where and order), so that
 * a request the provider could never take is a 400 (or 413) now rather than an ERROR after the
 * 202. The body read is kept for `acceptDelayed` to store. Other requests pass straight through.
 *
 * @example
 * steps: (c) => [authenticateSession(c), resolveTarget(c), checkDelayedInput(c), acceptDelayed(c), executeOperation(c)]
 */
export function checkDelayedInput(core: ProviderCore) {
  return function checkDelayedInputStep(req: Request, _res: Response, next: NextFunction): void | Promise<void> {
    const target = targetOf(req);
    const operation = target.operation as DeferrableOperation;
    const asynchronous = !target.servicePath && !target.service.remote && target.service.delayed[operation] !== undefined;
    if (!asynchronous || !core.queues || replayOf(req) || requestTypeOf(req) !== 'DELAYED') {
      next();
      return;
    }
    return (async () => {
      // Read once and kept as a parsed body is (http/body.ts), so that acceptDelayed stores these bytes.
      (req as { body?: unknown }).body = await readBody(req, core.config.limits);
      await delayedInput(core, req, operation);
      next();
    })();
  };
}

/**
 * What an asynchronous provider's handler gets, decoded as for an immediate request. A query that
 * names no paging is a bulk query (Base Architecture §5.4.1: every object or a 413): page 1 of
 * `limits.maxBulkQueryObjects` objects, marked `bulk`, to be answered in one part (queues/deferred.ts).
 */
async function delayedInput(core: ProviderCore, req: Request, operation: DeferrableOperation): Promise<unknown> {
  const { service } = targetOf(req);
  if (operation === 'query') {
    const bulk = isBulkQuery(req);
    const page = bulk
      ? { page: 1, pageSize: core.config.limits.maxBulkQueryObjects }
      : parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
    return { ...page, offset: pageOffset(page), ...(await filters(core, req)), ...(bulk ? { bulk: true } : {}) };
  }
  if (operation === 'deleteMany') return readDeleteRequest(req, core);
  const objects = await readObjects(req, core, service);
  // An asynchronous provider takes the whole request at once: an invalid object fails all of it, unseen by the handler.
  objects.forEach((o, i) => assertValidInput(service, o, operation === 'createMany' ? 'full' : 'partial', `${service.objectName} number ${i + 1}`));
  return objects;
}

/** Decodes the request as for an immediate one, then gives it to the service's `delayed` handler. */
async function handOver(core: ProviderCore, req: Request, res: Response, operation: DeferrableOperation): Promise<void> {
  const { service, ctx } = targetOf(req);
  const input = await delayedInput(core, req, operation);
  await core.queues!.deferrals.handOver(req, res, service, ctx, operation, input);
}
