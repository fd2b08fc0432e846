import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, NotFoundError, QuotaExceededError } from '../../errors';
import { getSifContext } from '../../http/context';
import { readPayload } from '../../http/payload';
import { queueObject, readQueueRequest } from '../../payload/queue';
import type { QueueRecord, QueueState } from '../../store/queue-records';
import { newId } from '../../util/ids';

// The queues service (Infrastructure Services §9.1): a consumer creates, reads and deletes its own
// queues; another consumer's queue is a 404, as if it did not exist. Queues are immutable.

/** The URL of a queue, and of its messages service. */
export function queueUrls(core: ProviderCore, req: Request, queueId: string): { queue: string; messages: string } {
  const queue = `${core.responder.baseUrl(req)}/queues/${queueId}`;
  return { queue, messages: `${queue}/messages` };
}

/** The caller's queue named in the URL, or 404. */
export async function ownQueue(core: ProviderCore, req: Request): Promise<QueueState> {
  const { session } = getSifContext(req);
  const queue = await core.config.store.getQueue(session!.environment.id, String(req.params.queueId));
  if (!queue) throw new NotFoundError('No such queue', { scope: 'queues' });
  return queue;
}

/**
 * `POST {queues}` (or `{queues}/queue`) → 201 with the queue as created: LONG queues get an
 * `idleTimeout` (the one asked for, at most the configured maximum), IMMEDIATE ones the configured
 * `minWaitTime`; `maxConcurrentConnections` is lowered to what the provider allows.
 */
export function createQueue(core: ProviderCore) {
  return async function createQueueStep(req: Request, res: Response): Promise<void> {
    const { session } = getSifContext(req);
    const options = core.queues!.options;
    const payload = await readPayload(req, core.config.limits);
    if (!payload) throw new BadRequestError('A queue create request needs a queue payload');
    const asked = readQueueRequest(payload, core.config.limits.maxFieldLength);
    const now = core.config.clock().toISOString();
    const long = asked.polling === 'LONG';
    const record: QueueRecord = {
      id: newId(),
      environmentId: session!.environment.id,
      name: asked.name,
      polling: asked.polling,
      idleTimeout: long ? Math.min(asked.idleTimeout || options.defaultIdleTimeoutSeconds, options.maxIdleTimeoutSeconds) : 0,
      minWaitTime: long ? 0 : options.minWaitTimeSeconds,
      maxConcurrentConnections: Math.min(asked.maxConcurrentConnections ?? 1, options.maxConcurrentConnections),
      created: now,
      lastAccessed: now,
      lastModified: now,
      lastPolled: now,
      alertedAt: undefined,
    };
    const outcome = await core.config.store.createQueue(record, {
      perEnvironment: options.maxQueuesPerEnvironment,
      perApplication: options.maxQueuesPerApplication,
    });
    // Both are counts of stored queues: 409, naming the option, so the consumer deletes one first.
    if (!outcome.created && outcome.limit === 'perEnvironment') {
      throw new QuotaExceededError(409, 'queues.maxQueuesPerEnvironment', `An environment may have at most ${options.maxQueuesPerEnvironment} queues: delete one first`, {
        scope: 'queues',
      });
    }
    if (!outcome.created) {
      throw new QuotaExceededError(409, 'queues.maxQueuesPerApplication', `An application key may have at most ${options.maxQueuesPerApplication} queues across its environments: delete one first`, {
        scope: 'queues',
      });
    }
    const urls = queueUrls(core, req, record.id);
    core.responder.payload(req, res, 201, 'queue', queueObject({ ...record, messageCount: 0, oldestMessage: undefined }, urls.messages), {
      headers: { Location: urls.queue },
    });
  };
}

/** `GET {queues}` → the caller's queues (204 when it has none). */
export function queryQueues(core: ProviderCore) {
  return async function queryQueuesStep(req: Request, res: Response): Promise<void> {
    const { session } = getSifContext(req);
    const queues = await core.config.store.listQueues(session!.environment.id);
    if (queues.length === 0) {
      core.responder.empty(req, res, 204);
      return;
    }
    const queue = queues.map((q) => queueObject(q, queueUrls(core, req, q.id).messages));
    core.responder.payload(req, res, 200, 'queues', { queue });
  };
}

/** `GET {queues}/{id}` → the queue with its current message count. */
export function readQueue(core: ProviderCore) {
  return async function readQueueStep(req: Request, res: Response): Promise<void> {
    const queue = await ownQueue(core, req);
    core.responder.payload(req, res, 200, 'queue', queueObject(queue, queueUrls(core, req, queue.id).messages));
  };
}

/** `DELETE {queues}/{id}` → 204; its messages, subscriptions and delayed requests go with it. */
export function deleteQueue(core: ProviderCore) {
  return async function deleteQueueStep(req: Request, res: Response): Promise<void> {
    const { session } = getSifContext(req);
    const id = String(req.params.queueId);
    if (!(await core.config.store.deleteQueue(session!.environment.id, id))) throw new NotFoundError('No such queue', { scope: 'queues' });
    core.queues!.broker.forget(id);
    core.queues!.publisher.subscriptionsChanged(); // its subscriptions went with it
    core.responder.empty(req, res, 204);
  };
}
