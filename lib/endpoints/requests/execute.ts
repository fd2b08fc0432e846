import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { ServiceUnavailableError } from '../../errors';
import { headerOrQuery } from '../../http/params';
import { replayOf } from '../../http/replay';
import type { DeferrableOperation } from '../../queues/deferred';
import { pageOffset, parsePaging } from '../../protocol/paging';
import { readObjects, targetOf } from './common';
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
  return async function executeOperationStep(req: Request, res: Response): Promise<void> {
    const target = targetOf(req);
    const operation = target.operation;
    if (core.queues && !target.servicePath && core.queues.deferrals.takes(req, target.service, operation)) {
      await handOver(core, req, res, operation);
      return;
    }
    const running = RUNNERS[target.operation](core, req, res);
    const budget = core.queues?.options.immediateBudgetSeconds ?? 0;
    if (budget === 0 || replayOf(req)) return running;
    await withinBudget(running, budget * 1000, core);
  };
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
    input = await readObjects(req, core, service);
  }
  await core.queues!.deferrals.handOver(req, res, service, ctx, operation, input);
}

/**
 * Waits for `running` at most `ms`; then throws 503. The handler cannot be stopped: what it still
 * does is done, but its late answer is dropped (the responder sees the 503 already sent) and a late
 * failure is logged.
 */
function withinBudget(running: Promise<void>, ms: number, core: ProviderCore): Promise<void> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(
        new ServiceUnavailableError('This request takes too long to answer immediately', {
          description: 'Send it again with requestType: DELAYED and a queueId; the answer will arrive in that queue',
        }),
      );
    }, ms);
    running.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (late) core.config.logger.error('sif3-direct: a request failed after its 503', err);
        else reject(err);
      },
    );
  });
}
