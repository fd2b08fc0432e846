import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import type { WaitingPoll } from '../../queues/broker';
import { MethodNotAllowedError, NotFoundError, PollTooSoonError } from '../../errors';
import { getSifContext } from '../../http/context';
import { header, queryParam } from '../../http/params';
import type { MessageType, ResponseAction } from '../../protocol/enums';
import type { QueueMessage, QueueState } from '../../store/queue-records';
import { ownQueue } from './queues';

// The messages service of a queue (Infrastructure Services §9.3): "get next" with an optional
// "and pop" of the previous message, long polling, concurrent connections. A message leaves the
// queue only when its consumer deletes it (at-least-once); until then the connection it was handed
// to gets it again. A LONG poll waits registered with the broker, one per connection: a newer poll
// on the connection supersedes it, and `limits.waitingPolls` caps them across all queues.

/**
 * `GET {queueUri}` → 200 with the oldest message (its `messageId` and the headers it was queued
 * with), or 204 when there is none (after up to `idleTimeout` seconds on a LONG queue, or at once
 * when a newer poll on the same connection supersedes this one). `;deleteMessageId=` (also a
 * header, or `;messageId=`) first removes the message this connection holds: 404 when that is not
 * it. A LONG poll beyond `limits.waitingPolls` is a 503, and then removes nothing.
 */
export function pollMessages(core: ProviderCore) {
  return async function pollMessagesStep(req: Request, res: Response): Promise<void> {
    // Express routes HEAD to GET; here that would hand out a message the consumer never sees.
    if (req.method === 'HEAD') throw new MethodNotAllowedError('Poll for messages with GET', ['GET']);
    const broker = core.queues!.broker;
    const queue = await ownQueue(core, req);
    const connectionId = connectionOf(req, queue);
    const waitLeft = broker.waitLeft(queue, connectionId);
    if (waitLeft > 0) {
      throw new PollTooSoonError('Service is busy: poll no sooner than minWaitTime after an empty answer', {
        scope: 'messages',
        description: `minWaitTime is ${queue.minWaitTime} s; poll again in ${waitLeft} s`,
      });
    }
    const closed = new AbortController();
    const onClose = () => closed.abort();
    res.on('close', onClose);
    let poll: WaitingPoll | undefined;
    try {
      // Registered before the pop and before the store is read: refused for the number of waiting
      // polls, it has changed nothing; registered, it misses no message arriving meanwhile.
      if (queue.polling === 'LONG' && queue.idleTimeout > 0) {
        poll = broker.holdPoll(queue.id, connectionId, core.config.limits.waitingPolls, closed.signal);
      }
      const toDelete = deleteMessageIdOf(req);
      if (toDelete !== undefined && !(await broker.remove(queue.id, toDelete, connectionId))) {
        throw new NotFoundError('No such outstanding message to delete', { scope: 'messages', description: toDelete.slice(0, 80) });
      }
      const message = await nextMessage(core, queue, connectionId, poll);
      if (res.writableEnded || res.destroyed) return; // the consumer went away while waiting
      const headers: Record<string, string> = queue.maxConcurrentConnections > 1 ? { connectionId } : {};
      if (!message) {
        broker.answeredEmpty(queue, connectionId);
        core.responder.empty(req, res, 204, { headers });
        return;
      }
      deliver(core, req, res, message, headers);
    } finally {
      poll?.release();
      res.off('close', onClose);
    }
  };
}

/** `DELETE {queueUri}/{messageId}` → 204 when the message was in the queue, else 404. */
export function deleteMessage(core: ProviderCore) {
  return async function deleteMessageStep(req: Request, res: Response): Promise<void> {
    const queue = await ownQueue(core, req);
    if (!(await core.queues!.broker.remove(queue.id, String(req.params.messageId)))) {
      throw new NotFoundError('No such message in this queue', { scope: 'messages' });
    }
    core.responder.empty(req, res, 204);
  };
}

/**
 * The next message for this connection; with a registered LONG `poll`, waits for one up to
 * `idleTimeout`, and answers none at once when the poll ends (superseded, client gone, queue
 * deleted, shutdown).
 */
async function nextMessage(core: ProviderCore, queue: QueueState, connectionId: string, poll: WaitingPoll | undefined): Promise<QueueMessage | undefined> {
  const store = core.config.store;
  const now = () => core.config.clock().toISOString();
  if (!poll) return store.takeMessage(queue.id, connectionId, now());
  const deadline = Date.now() + queue.idleTimeout * 1000;
  for (;;) {
    const message = await store.takeMessage(queue.id, connectionId, now());
    // Ended meanwhile: a message taken stays outstanding on this connection, for its next poll.
    if (poll.ended) return undefined;
    if (message || Date.now() >= deadline) return message;
    await poll.next(deadline - Date.now());
    if (poll.ended) return undefined;
    // Deleted meanwhile with its environment: nothing will arrive.
    if (!(await store.getQueue(queue.environmentId, queue.id))) return undefined;
  }
}

/** Sends a message with the headers it was queued with; events are encoded in the poller's format. */
function deliver(core: ProviderCore, req: Request, res: Response, message: QueueMessage, extra: Record<string, string>): void {
  const { messageType, responseAction, ...queued } = message.headers;
  const options = {
    messageType: (messageType ?? 'RESPONSE') as MessageType,
    responseAction: (responseAction ?? null) as ResponseAction | null,
    headers: { ...queued, ...extra, messageId: message.id },
  };
  const body = message.body;
  if (body.kind === 'payload') core.responder.payload(req, res, 200, body.root, body.value, { ...options, namespace: body.namespace });
  else if (body.kind === 'encoded') core.responder.bytes(req, res, 200, body.bytes, body.contentType, options);
  else core.responder.empty(req, res, 200, options);
}

/**
 * The connection a poll is on (§9.3.3). A queue with one connection ignores `connectionId`; one
 * with several needs it, as an integer from 0 to maxConcurrentConnections - 1, else "Not Found".
 */
function connectionOf(req: Request, queue: QueueState): string {
  if (queue.maxConcurrentConnections <= 1) return '';
  const id = header(req, 'connectionId')?.trim();
  if (id === undefined || id === '') {
    throw new NotFoundError('This queue has several connections: send a connectionId header', {
      scope: 'messages',
      description: `connectionId 0 to ${queue.maxConcurrentConnections - 1}`,
    });
  }
  if (!/^\d{1,9}$/.test(id) || Number(id) >= queue.maxConcurrentConnections) {
    throw new NotFoundError(`No connection ${id.slice(0, 20)}: the limit is ${queue.maxConcurrentConnections}`, { scope: 'messages' });
  }
  return String(Number(id));
}

/** The message to pop first: `;deleteMessageId=`, the header, `;messageId=`, or the query parameter. */
function deleteMessageIdOf(req: Request): string | undefined {
  const { matrix } = getSifContext(req);
  const id = matrix.deleteMessageId ?? header(req, 'deleteMessageId') ?? matrix.messageId ?? queryParam(req, 'deleteMessageId');
  return id?.trim() || undefined;
}
