import type { NextFunction, Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { ServiceUnavailableError } from '../../errors';
import { headerOrQuery } from '../../http/params';
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

/** Decodes the request as for an immediate one, then gives it to the service's `delayed` handler. */
async function handOver(core: ProviderCore, req: Request, res: Response, operation: DeferrableOperation): Promise<void> {
  const { service, ctx } = targetOf(req);
  let input: unknown;
  if (operation === 'query') {
    const page = parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
    input = { ...page, offset: pageOffset(page), ...(await filters(core, req)) };
  } else if (operation === 'deleteMany') {
    input = await readDeleteRequest(req, core);
  } else {
    const objects = await readObjects(req, core, service);
    // An asynchronous provider takes the whole request at once: an invalid object fails all of it (an ERROR in the queue), unseen by the handler.
    objects.forEach((o, i) => assertValidInput(service, o, operation === 'createMany' ? 'full' : 'partial', `${service.objectName} number ${i + 1}`));
    input = objects;
  }
  await core.queues!.deferrals.handOver(req, res, service, ctx, operation, input);
}
