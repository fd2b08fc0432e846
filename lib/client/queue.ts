import { asArray, isElement, textOf } from '../payload/goessner';
import type { Environment } from './environment';
import { SifClientError } from './errors';
import { pageOf } from './paging';
import { operationResults } from '../payload/operation-results';
import type { Transport } from './transport';
import type { OperationResult, Page, SifObject } from './types';
import { sifUrl } from './url';

/**
 * A queue as the provider describes it.
 *
 * @example
 * const queue = await client.createQueue({ polling: 'LONG', idleTimeout: 30 }); // queue.id, queue.queueUri
 */
export interface QueueInfo {
  id: string;
  queueUri: string | undefined;
  polling: string | undefined;
  idleTimeout: number | undefined;
  raw: SifObject;
}

/**
 * One message from a queue: an EVENT (`eventAction` CREATE, UPDATE or DELETE), or the RESPONSE or
 * ERROR to a delayed request (carrying its `requestId`), with the headers it was queued with.
 * `objects` holds the objects of a collection payload, `results` those of a create, update or
 * delete response, `error` a delayed request's failure.
 *
 * @example
 * for await (const m of queue.messages({ signal })) if (m.requestId === requestId) rows.push(...m.objects);
 */
export interface QueueMessage {
  messageId: string;
  messageType: string | undefined;
  eventAction: string | undefined;
  replacement: string | undefined;
  requestId: string | undefined;
  serviceName: string | undefined;
  serviceType: string | undefined;
  zoneId: string | undefined;
  contextId: string | undefined;
  responseAction: string | undefined;
  relativeServicePath: string | undefined;
  /** The root element of the payload (`xStudents`, `createResponse`, `error`…). */
  root: string | undefined;
  body: SifObject | undefined;
  objects: SifObject[];
  results: OperationResult[];
  error: SifClientError | undefined;
  /** Paging headers of a delayed query's page. */
  page: Page;
  headers: Record<string, string>;
}

/**
 * How to read a queue: `signal` ends the loop (a waiting long poll is abandoned), `connectionId`
 * names the connection of a queue with several, `emptyWaitMs` paces polls of an IMMEDIATE queue
 * after an empty answer (a LONG queue's provider holds the poll instead).
 *
 * @example
 * const controller = new AbortController();
 * for await (const m of queue.messages({ signal: controller.signal })) handle(m);
 */
export interface MessagesOptions {
  signal?: AbortSignal;
  connectionId?: number;
  emptyWaitMs?: number;
}

/**
 * One queue of the consumer's. `messages()` is the long-polling loop with get-next-and-pop: each
 * poll deletes the message before (`;deleteMessageId=`) and returns the next, so a message is
 * acknowledged when the loop asks for the next one. The last message taken when the loop ends stays
 * in the queue (at least once) until `deleteMessage` or the next `messages()` pops it.
 *
 * @example
 * const queue = client.queue(queueId);
 * for await (const message of queue.messages({ signal })) console.log(message.messageType, message.eventAction);
 */
export class QueueClient {
  constructor(
    private readonly transport: Transport,
    readonly id: string,
    private readonly known: Partial<QueueInfo> = {},
  ) {}

  /**
   * Messages as they arrive, until `signal` aborts.
   *
   * @example
   * for await (const m of queue.messages({ signal: AbortSignal.timeout(60_000) })) console.log(m.eventAction);
   */
  async *messages(options: MessagesOptions = {}): AsyncIterable<QueueMessage> {
    const { signal } = options;
    const emptyWait = options.emptyWaitMs ?? (this.known.polling === 'LONG' ? 0 : 1000);
    let previous: string | undefined;
    while (!signal?.aborted) {
      let message: QueueMessage | undefined;
      try {
        message = await this.poll(previous, options);
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      if (message) {
        previous = message.messageId;
        yield message;
      } else {
        // Popped along with the empty answer: nothing is outstanding now.
        previous = undefined;
        if (emptyWait > 0 && !(await pause(emptyWait, signal))) return;
      }
    }
  }

  /**
   * Deletes one message (the last one a loop took, say). False when it was not outstanding.
   *
   * @example
   * await queue.deleteMessage(last.messageId);
   */
  async deleteMessage(messageId: string): Promise<boolean> {
    const response = await this.transport.send({
      method: 'DELETE',
      url: (env) => `${this.messagesUrl(env)}/${encodeURIComponent(messageId)}`,
      expect: [200, 204, 404],
      what: `DELETE queue ${this.id} message ${messageId}`,
    });
    return response.status !== 404;
  }

  /**
   * The queue as the provider has it now (its `messageCount` in `raw`).
   *
   * @example
   * const { raw } = await queue.info(); console.log(raw.messageCount);
   */
  async info(): Promise<QueueInfo> {
    const response = await this.transport.send({ method: 'GET', url: (env) => this.queueUrl(env), expect: [200], what: `GET queue ${this.id}` });
    return parseQueue(response.body?.value ?? {});
  }

  /**
   * Deletes the queue with its messages and subscriptions.
   *
   * @example
   * await queue.delete();
   */
  async delete(): Promise<void> {
    await this.transport.send({ method: 'DELETE', url: (env) => this.queueUrl(env), expect: [204, 200], what: `DELETE queue ${this.id}` });
  }

  /** One poll, popping `previous` first; undefined for an empty answer (204). */
  private async poll(previous: string | undefined, options: MessagesOptions): Promise<QueueMessage | undefined> {
    const response = await this.transport.send({
      method: 'GET',
      url: (env) => sifUrl(this.messagesUrl(env), [], { deleteMessageId: previous }),
      headers: { connectionId: options.connectionId === undefined ? undefined : String(options.connectionId) },
      expect: [200, 204],
      what: `GET queue ${this.id} messages`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.status === 204) return undefined;
    return parseMessage(response.headers, response.body);
  }

  private queueUrl(env: Environment): string {
    const base = env.urls.queues;
    if (!base) throw new SifClientError(0, 'The environment offers no queues service');
    return `${base.replace(/\/+$/, '')}/${encodeURIComponent(this.id)}`;
  }

  private messagesUrl(env: Environment): string {
    return this.known.queueUri ?? `${this.queueUrl(env)}/messages`;
  }
}

/**
 * A queue object from the provider.
 *
 * @example
 * parseQueue({ '@id': 'q1', polling: 'LONG', idleTimeout: '30' }).idleTimeout; // 30
 */
export function parseQueue(value: SifObject): QueueInfo {
  const id = textOf(value['@id']);
  if (!id) throw new SifClientError(0, 'The queue the provider returned has no @id');
  const idle = textOf(value.idleTimeout);
  return { id, queueUri: textOf(value.queueUri), polling: textOf(value.polling), idleTimeout: idle === undefined ? undefined : Number(idle), raw: value };
}

function parseMessage(headers: Record<string, string>, body: { root: string; value: SifObject } | undefined): QueueMessage {
  const root = body?.root;
  const value = body?.value;
  let objects: SifObject[] = [];
  let results: OperationResult[] = [];
  let error: SifClientError | undefined;
  if (root && value) {
    if (root === 'createResponse') results = operationResults(value, 'creates', 'create');
    else if (root === 'updateResponse') results = operationResults(value, 'updates', 'update');
    else if (root === 'deleteResponse') results = operationResults(value, 'deletes', 'delete');
    else if (root === 'error') {
      const status = Number(textOf(value.code) ?? '0');
      error = new SifClientError(status, textOf(value.message) ?? `delayed request failed with ${status}`, { error: value });
    } else objects = collectionObjects(root, value);
  }
  return {
    messageId: headers.messageid ?? '',
    messageType: headers.messagetype,
    eventAction: headers.eventaction,
    replacement: headers.replacement,
    requestId: headers.requestid,
    serviceName: headers.servicename,
    serviceType: headers.servicetype,
    zoneId: headers.zoneid,
    contextId: headers.contextid,
    responseAction: headers.responseaction,
    relativeServicePath: headers.relativeservicepath,
    root,
    body: value,
    objects,
    results,
    error,
    page: { ...pageOf(headers, undefined, '', 1), objects },
    headers,
  };
}

/** The objects of a collection (`<xStudents><xStudent/>…`), or the one object a payload is. */
function collectionObjects(root: string, value: SifObject): SifObject[] {
  const keys = Object.keys(value).filter((k) => !k.startsWith('@') && k !== '#text');
  const singular = root.endsWith('s') ? root.slice(0, -1) : undefined;
  if (singular && keys.length === 1 && keys[0] === singular) return asArray(value[singular]).filter(isElement);
  if (singular && keys.length === 0) return [];
  return [value];
}

/** Waits `ms`, or less when `signal` aborts; false when it aborted. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve(!signal?.aborted);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
