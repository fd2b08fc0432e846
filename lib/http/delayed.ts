import type { NextFunction, Request, Response } from 'express';
import type { ProviderCore } from '../core';
import type { QueueServices } from '../queues/services';
import { BadRequestError, NotFoundError, QuotaExceededError } from '../errors';
import { newId } from '../util/ids';
import { readBody } from './body';
import { getSifContext } from './context';
import { header } from './params';
import { replayOf } from './replay';
import { requestTypeOf } from './request-headers';

/** Request headers not kept with a delayed request: credentials, transport, and the delay itself. */
const DROPPED_HEADERS = new Set([
  'authorization', 'cookie', 'host', 'content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive',
  'accept-encoding', 'te', 'upgrade', 'expect', 'timestamp', 'requesttype', 'queueid',
]);

/**
 * Step for every requests-connector route, after the request is authenticated and (for objects)
 * its target resolved, so that a request that cannot be served is refused at once. `requestType:
 * DELAYED` with a `queueId` of the caller's and a `requestId` → stored, then 202; the answer
 * arrives in that queue (Base Architecture §4.2.1.2). Without queues, DELAYED is a 400
 * (interop.md §3). A delayed request being run by the provider goes on to be served.
 */
export function acceptDelayed(core: ProviderCore) {
  // Synchronous for the immediate requests that pass straight through: no promise on the hot path.
  return function acceptDelayedStep(req: Request, res: Response, next: NextFunction): void | Promise<void> {
    if (replayOf(req) || requestTypeOf(req) !== 'DELAYED') {
      next();
      return;
    }
    if (!core.queues) {
      throw new BadRequestError('Delayed requests are not supported: this provider answers immediately (requestType IMMEDIATE)');
    }
    return accept(core, core.queues, req, res);
  };
}

async function accept(core: ProviderCore, queues: QueueServices, req: Request, res: Response): Promise<void> {
  const environment = getSifContext(req).session!.environment;
  const queueId = header(req, 'queueId')?.trim();
  if (!queueId) throw new BadRequestError('A DELAYED request needs a queueId header naming one of your queues');
  const requestId = header(req, 'requestId')?.trim();
  if (!requestId) throw new BadRequestError('A DELAYED request needs a requestId header, to match its answer to it');
  const queue = await core.config.store.getQueue(environment.id, queueId);
  if (!queue) throw new NotFoundError(`No queue ${queueId.slice(0, 80)} of this consumer`, { scope: 'Delayed request' });
  // Answers of an accepted request are never dropped, so a queue nobody drains takes no more work.
  if (queue.messageCount >= queues.options.maxMessagesPerQueue) {
    throw new QuotaExceededError(503, 'queues.maxMessagesPerQueue', 'The queue is full: poll its messages before sending more delayed requests', { scope: 'Delayed request' });
  }
  const body = await readBody(req, core.config.limits);
  const stored = await queues.delayed.accept({
    id: newId(),
    environmentId: environment.id,
    queueId,
    createdAt: core.config.clock().toISOString(),
    method: req.method,
    url: req.originalUrl.slice(req.baseUrl.length),
    headers: keptHeaders(req),
    body,
    baseUrl: core.responder.baseUrl(req),
    state: 'pending',
    progress: { parts: 0 },
  }, queues.options.maxPendingDelayedPerQueue);
  // Counted in the store, atomically with the insert: concurrent acceptances cannot pass the limit.
  if (!stored) {
    throw new QuotaExceededError(
      409,
      'queues.maxPendingDelayedPerQueue',
      `A queue may have at most ${queues.options.maxPendingDelayedPerQueue} delayed requests not yet answered: poll its answers first`,
      { scope: 'Delayed request' },
    );
  }
  core.responder.empty(req, res, 202);
}

function keptHeaders(req: Request): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}
