import { BadRequestError, MethodNotAllowedError, QuotaExceededError } from '../errors';
import type { QueuePolling, QueueState } from '../store/queue-records';
import type { DecodedPayload } from './codec';
import { textFields, unsignedInt } from './fields';
import type { GoessnerObject } from './goessner';

/** Queue elements in schema order (Infrastructure Services §9.2, queue.xsd). */
const QUEUE_ELEMENTS = [
  'polling', 'ownerId', 'name', 'queueUri', 'ownerUri', 'idleTimeout', 'minWaitTime', 'maxConcurrentConnections',
  'created', 'lastAccessed', 'lastModified', 'messageCount',
] as const;

/** What a consumer asks for when it creates a queue; the provider fills in the rest. */
export interface QueueRequest {
  polling: QueuePolling;
  name: string | undefined;
  idleTimeout: number | undefined;
  maxConcurrentConnections: number | undefined;
}

/**
 * Reads a queue create payload. Elements the provider sets (ownerId, queueUri, minWaitTime, the
 * times and counts) are ignored; `ownerUri` asks for a "wake-up" queue, which this provider does not
 * offer: 405, as §9.3.4 says, so that the consumer retries without it. A `name` longer than
 * `maxNameLength` (`limits.maxFieldLength`) is a 400: it is stored and returned with every read.
 *
 * @example
 * const asked = readQueueRequest(payload, core.config.limits.maxFieldLength);
 */
export function readQueueRequest(payload: DecodedPayload, maxNameLength: number): QueueRequest {
  const fields = textFields(payload, 'queue', QUEUE_ELEMENTS);
  if (fields.name !== undefined && fields.name.length > maxNameLength) {
    throw new QuotaExceededError(400, 'limits.maxFieldLength', `queue name is longer than ${maxNameLength} characters`);
  }
  if (fields.ownerUri) {
    throw new MethodNotAllowedError('Wake-up queues (ownerUri) are not offered: create the queue without ownerUri', ['GET', 'POST']);
  }
  const polling = (fields.polling || 'IMMEDIATE').toUpperCase();
  if (polling !== 'IMMEDIATE' && polling !== 'LONG') throw new BadRequestError('polling must be IMMEDIATE or LONG');
  const maxConcurrentConnections = unsignedInt(fields, 'maxConcurrentConnections');
  if (maxConcurrentConnections === 0) throw new BadRequestError('maxConcurrentConnections must be at least 1');
  return {
    polling,
    name: fields.name || undefined,
    idleTimeout: unsignedInt(fields, 'idleTimeout'),
    maxConcurrentConnections,
  };
}

/** The queue object in schema order, for its owner. */
export function queueObject(queue: QueueState, queueUri: string): GoessnerObject {
  const out: GoessnerObject = { '@id': queue.id, polling: queue.polling, ownerId: queue.environmentId };
  if (queue.name !== undefined) out.name = queue.name;
  out.queueUri = queueUri;
  out.idleTimeout = String(queue.idleTimeout);
  out.minWaitTime = String(queue.minWaitTime);
  out.maxConcurrentConnections = String(queue.maxConcurrentConnections);
  out.created = queue.created;
  out.lastAccessed = queue.lastAccessed;
  out.lastModified = queue.lastModified;
  out.messageCount = String(queue.messageCount);
  return out;
}
